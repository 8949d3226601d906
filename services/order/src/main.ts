// Order service wiring: checkout and order placement (services/order/src/checkout.ts, submission.ts), the
// outbox relay publishing OrderPlaced, and the recovery worker.
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { runIfEntry } from "../../lib/main.js";
import { OutboxRelay } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { CheckoutFlow } from "./checkout.js";
import type { OrderDeps } from "./deps.js";
import { TestPaymentProvider } from "./payment/test-provider.js";
import { RecoveryWorker } from "./recovery.js";
import { orderService } from "./service.js";
import { loadSettings } from "./settings.js";
import { OrderSchema1732300000000 } from "./store/migrations/1732300000000-OrderSchema.js";
import { SubmissionFlow } from "./submission.js";

export const ORDER_SCHEMA = "order";

export const order: ServiceModule = {
  name: "order",
  nats: true,
  database: { schema: ORDER_SCHEMA, migrations: [OrderSchema1732300000000] },
  async build(ctx) {
    const settings = loadSettings(ctx.config.env);
    if (settings.crashAfterPayment) ctx.log.warn("ORDER_FAULT_CRASH_AFTER_PAYMENT is set: this process exits after the first charge (test only)");
    const deps: OrderDeps = {
      ds: ctx.db,
      log: ctx.log,
      settings,
      payments: new TestPaymentProvider(ctx.db, ORDER_SCHEMA),
      cart: () => ctx.client(CartService, "cart"),
      catalog: () => ctx.client(CatalogService, "catalog"),
      inventory: () => ctx.client(InventoryService, "inventory"),
      serviceHeaders: () => ctx.serviceHeaders(),
    };
    const checkouts = new CheckoutFlow(deps);
    const submissions = new SubmissionFlow(deps);
    const relay = new OutboxRelay(ctx.db, ctx.nats, ctx.config.databaseUrl, ctx.log.child({ component: "outbox" }), { schema: ORDER_SCHEMA });
    const recovery = new RecoveryWorker(submissions, checkouts, settings.recoveryIntervalMs, ctx.log.child({ component: "recovery" }));
    return {
      routes: (router) => {
        router.service(OrderService, orderService(deps, checkouts, submissions));
      },
      background: [
        { name: "order-outbox-relay", start: () => relay.start(), stop: () => relay.stop() },
        recovery,
      ],
    };
  },
};

runIfEntry(import.meta.url, order);
