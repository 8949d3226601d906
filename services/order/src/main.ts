// Order service wiring: the flows (flows/: checkout, submission, cancellation, tracking, watch, recovery), the
// outbox (OrderPlaced, OrderCancelled), the consumers of Assignment's events (consumers/) and the recovery job.
// Calls Cart, Catalog, Inventory and Assignment at their <NAME>_ADDR.
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { poolCappedConcurrency } from "../../lib/consumers.js";
import { runIfEntry } from "../../lib/main.js";
import { jobLeasesTable } from "../../lib/lease.js";
import { outboxCleanupIndex, outboxTraceContext } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { ordersAssignedConsumer } from "./consumers/orders-assigned.js";
import { shipmentsUpdatedConsumer } from "./consumers/shipments-updated.js";
import type { OrderDeps } from "./deps.js";
import { activeCheckouts } from "./metrics.js";
import { CancellationFlow } from "./flows/cancellation.js";
import { CheckoutFlow } from "./flows/checkout.js";
import { orderRecovery } from "./flows/recovery.js";
import { SubmissionFlow } from "./flows/submission.js";
import { ShipmentTracker } from "./flows/tracking.js";
import { OrderWatchHub } from "./flows/watch.js";
import { TestPaymentProvider } from "./payment/test-provider.js";
import { ensureTestPaymentsSchema } from "./payment/test-tokens.js";
import { orderHandlers } from "./service.js";
import { loadSettings } from "./settings.js";
import { OrderSchema1732300000000 } from "./store/migrations/1732300000000-OrderSchema.js";
import { OrderTracking1732400000000 } from "./store/migrations/1732400000000-OrderTracking.js";
import { OrderCartClearedByCart1767500000000 } from "./store/migrations/1767500000000-OrderCartClearedByCart.js";

export const ORDER_SCHEMA = "order";

export const order: ServiceModule = {
  name: "order",
  outbox: true,
  database: { schema: ORDER_SCHEMA, migrations: [OrderSchema1732300000000, OrderTracking1732400000000, outboxCleanupIndex(ORDER_SCHEMA), outboxTraceContext(ORDER_SCHEMA), jobLeasesTable(ORDER_SCHEMA), OrderCartClearedByCart1767500000000] },
  async build(ctx) {
    const settings = loadSettings(ctx.config.env);
    // The test provider's card tokens live in its own schema of the same database (the gateway issues them).
    await ensureTestPaymentsSchema(ctx.config.databaseUrl);
    if (settings.crashAfterPayment) ctx.log.warn("ORDER_FAULT_CRASH_AFTER_PAYMENT is set: this process exits after the first charge (test only)");
    const deps: OrderDeps = {
      ds: ctx.db,
      log: ctx.log,
      settings,
      payments: new TestPaymentProvider(ctx.db, ORDER_SCHEMA),
      cart: () => ctx.client(CartService, "cart"),
      catalog: () => ctx.client(CatalogService, "catalog"),
      inventory: () => ctx.client(InventoryService, "inventory"),
      assignment: () => ctx.client(AssignmentService, "assignment"),
      serviceHeaders: () => ctx.serviceHeaders(),
    };
    const tracker = new ShipmentTracker(ctx.log.child({ component: "tracking" }));
    const checkouts = new CheckoutFlow(deps);
    const submissions = new SubmissionFlow(deps);
    const cancellations = new CancellationFlow(deps, tracker);
    const watches = new OrderWatchHub(ctx.config.databaseUrl, ctx.log.child({ component: "watch" }));
    // The two consumers together never take more than half the pool.
    const consumerConcurrency = poolCappedConcurrency(settings.consumerConcurrency, ctx.config.dbPoolSize, 4, ctx.log);
    return {
      routes: (router) => {
        router.service(OrderService, orderHandlers(deps, { checkouts, submissions, cancellations, watches, shutdownSignal: ctx.shutdownSignal }));
      },
      background: [
        watches,
        activeCheckouts.task("order", async () =>
          Number((await ctx.db.query(`SELECT count(*) AS n FROM "${ORDER_SCHEMA}".checkouts WHERE status = 'ACTIVE'`))[0].n)),
      ],
      consumers: [ordersAssignedConsumer(tracker, consumerConcurrency), shipmentsUpdatedConsumer(tracker, consumerConcurrency)],
      jobs: [orderRecovery({ submissions, checkouts, cancellations }, settings.recoveryIntervalMs, ctx.log.child({ component: "recovery" }))],
    };
  },
};

runIfEntry(import.meta.url, order);
