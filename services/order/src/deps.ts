// What the order flows need from the running service: storage, settings, the payment provider and clients of
// the services they call.
import type { Client } from "@connectrpc/connect";
import type { DataSource } from "typeorm";
import type { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import type { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import type { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import type { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import type { Logger } from "../../lib/log.js";
import type { PaymentProvider } from "./payment/provider.js";
import type { OrderSettings } from "./settings.js";

export interface OrderDeps {
  ds: DataSource;
  log: Logger;
  settings: OrderSettings;
  payments: PaymentProvider;
  cart(): Client<typeof CartService>;
  catalog(): Client<typeof CatalogService>;
  inventory(): Client<typeof InventoryService>;
  assignment(): Client<typeof AssignmentService>;
  /** Headers for calls on the order service's own account (Inventory, background work). */
  serviceHeaders(): Promise<Record<string, string>>;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
