// Cart service wiring: schema `cart`, its price-and-stock view fed by catalog.items.changed and
// inventory.stock.changed, orders.placed emptying the bought lines (consumers/), clients of Catalog and Inventory
// for items the view has not heard of, the handlers. Settings (besides the common ones): CART_MAX_LINES,
// CART_DEPENDENCY_TIMEOUT_MS (see settings.ts).
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";
import { itemsChangedConsumer } from "./consumers/items-changed.js";
import { ordersPlacedConsumer } from "./consumers/orders-placed.js";
import { stockChangedConsumer } from "./consumers/stock-changed.js";
import { ItemView } from "./item-view.js";
import { cartHandlers } from "./service.js";
import { loadSettings } from "./settings.js";
import { CartStore } from "./store/cart-store.js";
import { CartSchema1767225600000 } from "./store/migrations/1767225600000-CartSchema.js";
import { CartItemView1767300000000 } from "./store/migrations/1767300000000-CartItemView.js";
import { CartPlacedOrders1767400000000 } from "./store/migrations/1767400000000-CartPlacedOrders.js";
import { CartSetLine1767600000000 } from "./store/migrations/1767600000000-CartSetLine.js";
import { meshUpstream } from "./upstream.js";

/** Most events the consumers apply in one transaction (a catalog load announces every item at once). */
const EVENTS_PER_TRANSACTION = 500;

export const cart: ServiceModule = {
  name: "cart",
  database: { schema: "cart", migrations: [CartSchema1767225600000, CartItemView1767300000000, CartPlacedOrders1767400000000, CartSetLine1767600000000] },
  nats: true,
  async build(ctx) {
    const settings = loadSettings(ctx.config.env);
    const upstream = meshUpstream(
      ctx.client(CatalogService, "catalog"),
      ctx.client(InventoryService, "inventory"),
      ctx.log.child({ component: "upstream" }),
      settings.dependencyTimeoutMs,
    );
    const handlers = cartHandlers(new CartStore(ctx.db, settings.maxLines), new ItemView(ctx.db, upstream));
    return {
      routes: (router) => {
        router.service(CartService, handlers);
      },
      consumers: [
        itemsChangedConsumer(EVENTS_PER_TRANSACTION), stockChangedConsumer(EVENTS_PER_TRANSACTION), ordersPlacedConsumer(EVENTS_PER_TRANSACTION),
      ],
    };
  },
};

runIfEntry(import.meta.url, cart);
