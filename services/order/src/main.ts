// Order service wiring: checkout and order placement (checkout.ts, submission.ts), the outbox relay publishing
// OrderPlaced and OrderCancelled, the shipments view kept from Assignment's events (tracking.ts: durables
// "order-assigned" and "order-shipments"), cancellation (cancellation.ts), live tracking (watch.ts) and the
// recovery worker. Calls Cart, Catalog, Inventory and Assignment at their <NAME>_ADDR.
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { runIfEntry } from "../../lib/main.js";
import { runConsumer, STREAMS, SUBJECTS, type ConsumerSpec, type RunningConsumer } from "../../lib/nats.js";
import { jobLeasesTable } from "../../lib/lease.js";
import { outboxCleanupIndex, OutboxRelay } from "../../lib/outbox.js";
import type { BackgroundTask, ServiceContext, ServiceModule } from "../../lib/server.js";
import { CancellationFlow } from "./cancellation.js";
import { CheckoutFlow } from "./checkout.js";
import type { OrderDeps } from "./deps.js";
import { TestPaymentProvider } from "./payment/test-provider.js";
import { RecoveryWorker } from "./recovery.js";
import { orderService } from "./service.js";
import { loadSettings } from "./settings.js";
import { OrderSchema1732300000000 } from "./store/migrations/1732300000000-OrderSchema.js";
import { OrderTracking1732400000000 } from "./store/migrations/1732400000000-OrderTracking.js";
import { SubmissionFlow } from "./submission.js";
import { ORDERS_ASSIGNED_DURABLE, SHIPMENTS_UPDATED_DURABLE, ShipmentTracker } from "./tracking.js";
import { OrderWatchHub } from "./watch.js";

export const ORDER_SCHEMA = "order";
const ORDERS_STREAM = STREAMS.find((s) => s.name === "ORDERS")!.name;

export const order: ServiceModule = {
  name: "order",
  nats: true,
  database: { schema: ORDER_SCHEMA, migrations: [OrderSchema1732300000000, OrderTracking1732400000000, outboxCleanupIndex(ORDER_SCHEMA), jobLeasesTable(ORDER_SCHEMA)] },
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
      assignment: () => ctx.client(AssignmentService, "assignment"),
      serviceHeaders: () => ctx.serviceHeaders(),
    };
    const tracker = new ShipmentTracker(ctx.log.child({ component: "tracking" }));
    const checkouts = new CheckoutFlow(deps);
    const submissions = new SubmissionFlow(deps);
    const cancellations = new CancellationFlow(deps, tracker);
    const watches = new OrderWatchHub(ctx.config.databaseUrl, ctx.log.child({ component: "watch" }));
    const relay = new OutboxRelay(ctx.db, ctx.nats, ctx.config.databaseUrl, ctx.log.child({ component: "outbox" }), { schema: ORDER_SCHEMA });
    // Each event in flight holds a connection: the two consumers together never take more than half the pool,
    // so requests always find connections.
    const consumerConcurrency = Math.max(1, Math.min(settings.consumerConcurrency, Math.floor(ctx.config.dbPoolSize / 4)));
    if (consumerConcurrency < settings.consumerConcurrency) {
      ctx.log.warn({ wanted: settings.consumerConcurrency, consumerConcurrency, dbPoolSize: ctx.config.dbPoolSize }, "consumer concurrency capped at a quarter of the DB pool each");
    }
    const recovery = new RecoveryWorker(submissions, checkouts, cancellations, settings.recoveryIntervalMs, ctx.log.child({ component: "recovery" }), { ds: ctx.db, schema: ORDER_SCHEMA });
    return {
      routes: (router) => {
        router.service(OrderService, orderService(deps, { checkouts, submissions, cancellations, watches, shutdownSignal: ctx.shutdownSignal }));
      },
      background: [
        { name: "order-outbox-relay", start: () => relay.start(), stop: () => relay.stop() },
        watches,
        consumer(ctx, consumerConcurrency, {
          durable: ORDERS_ASSIGNED_DURABLE, filterSubject: SUBJECTS.ordersAssigned, handle: (msg, tx) => tracker.onAssigned(msg, tx),
        }),
        consumer(ctx, consumerConcurrency, {
          durable: SHIPMENTS_UPDATED_DURABLE, filterSubject: SUBJECTS.ordersShipmentUpdated, handle: (msg, tx) => tracker.onStatusChanged(msg, tx),
        }),
        recovery,
      ],
    };
  },
};

/** A durable consumer of the ORDERS stream, applying each event in a transaction of the order schema. */
function consumer(
  ctx: ServiceContext, concurrency: number, spec: Pick<ConsumerSpec, "durable" | "filterSubject" | "handle">,
): BackgroundTask {
  let running: RunningConsumer | undefined;
  return {
    name: `${spec.durable}-consumer`,
    start: async () => {
      running = await runConsumer(ctx.nats, ctx.db, { ...spec, stream: ORDERS_STREAM, schema: ORDER_SCHEMA, concurrency },
        ctx.log.child({ component: spec.durable }), ctx.config.env);
    },
    stop: async () => { await running?.stop(); },
  };
}

runIfEntry(import.meta.url, order);
