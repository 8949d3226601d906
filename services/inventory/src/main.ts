// Inventory service wiring (placeholder until its handlers land: every RPC answers Unimplemented).
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";

export const inventory: ServiceModule = {
  name: "inventory",
  nats: true,
  async build() {
    return { routes: (router) => router.service(InventoryService, {}) };
  },
};

runIfEntry(import.meta.url, inventory);
