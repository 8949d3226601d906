// Cart service wiring: schema `cart`, clients of Catalog and Inventory, the handlers.
// Settings (besides the common ones): CART_MAX_LINES (distinct items per cart, 1-500, default 100),
// CART_DEPENDENCY_TIMEOUT_MS (deadline of each Catalog / Inventory call, default 3000).
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { intFrom } from "../../lib/config.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";
import { DEFAULT_MAX_LINES } from "./domain/cart.js";
import { cartService } from "./service.js";
import { CartStore } from "./store/cart-store.js";
import { CartSchema1767225600000 } from "./store/migrations/1767225600000-cart-schema.js";
import { meshUpstream } from "./upstream.js";

export const cart: ServiceModule = {
  name: "cart",
  database: { schema: "cart", migrations: [CartSchema1767225600000] },
  async build(ctx) {
    const maxLines = intFrom(ctx.config.env, "CART_MAX_LINES", DEFAULT_MAX_LINES);
    // GetCart fetches every line's item in one BatchGetItems, which takes at most 500 ids.
    if (maxLines < 1 || maxLines > 500) throw new Error("CART_MAX_LINES must be between 1 and 500");
    const timeoutMs = intFrom(ctx.config.env, "CART_DEPENDENCY_TIMEOUT_MS", 3000);
    const upstream = meshUpstream(
      ctx.client(CatalogService, "catalog"),
      ctx.client(InventoryService, "inventory"),
      ctx.log.child({ component: "upstream" }),
      timeoutMs,
    );
    const handlers = cartService(new CartStore(ctx.db, maxLines), upstream);
    return {
      routes: (router) => {
        router.service(CartService, handlers);
      },
    };
  },
};

runIfEntry(import.meta.url, cart);
