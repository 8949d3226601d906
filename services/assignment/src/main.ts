// Assignment service wiring: consumes `orders.placed` (durable "assignment-orders-placed"), splits each order
// across warehouses, serves warehouse systems, and publishes its events through an outbox relay.
// Settings (environment): ASSIGNMENT_CONSUMER_CONCURRENCY, ASSIGNMENT_PLAN_ATTEMPTS, ASSIGNMENT_SHIPMENT_RECOVERY_MS,
// and the test-only ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE (see domain/settings.ts). Calls Inventory at INVENTORY_ADDR.
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { runIfEntry } from "../../lib/main.js";
import { runConsumer, STREAMS, SUBJECTS, type RunningConsumer } from "../../lib/nats.js";
import { idempotentRequestsTable } from "../../lib/idempotency.js";
import { jobLeasesTable } from "../../lib/lease.js";
import { outboxCleanupIndex, OutboxRelay } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { ORDERS_PLACED_DURABLE, OrderAssigner, type AssignmentHooks } from "./assigner.js";
import { loadSettings } from "./domain/settings.js";
import { geoIndex } from "./geo-data.js";
import { assignmentHandlers } from "./service.js";
import { AssignmentSchema1767100000000 } from "./store/migrations/1767100000000-AssignmentSchema.js";
import { shipmentRecovery, WarehouseFlow } from "./warehouse-flow.js";

const ORDERS_STREAM = STREAMS.find((s) => s.name === "ORDERS")!.name;

/** The module; tests pass hooks to act at precise moments of an assignment. */
export function assignmentModule(hooks: AssignmentHooks = {}): ServiceModule {
  return {
    name: "assignment",
    database: { schema: "assignment", migrations: [AssignmentSchema1767100000000, outboxCleanupIndex("assignment"), jobLeasesTable("assignment"), idempotentRequestsTable("assignment")] },
    redis: false,
    nats: true,
    async build(ctx) {
      const settings = loadSettings(ctx.config.env);
      if (settings.crashAfterAllocate) ctx.log.warn("ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE is set: this process exits after its first allocation (test only)");
      const inventory = ctx.client(InventoryService, "inventory");
      const serviceHeaders = () => ctx.serviceHeaders();
      const geoLog = ctx.log.child({ component: "geo" });
      const assigner = new OrderAssigner({
        ds: ctx.db, inventory, serviceHeaders, geo: () => geoIndex(geoLog), settings, log: ctx.log.child({ component: "assigner" }), hooks,
      });
      const flow = new WarehouseFlow({ ds: ctx.db, inventory, serviceHeaders, log: ctx.log.child({ component: "warehouse" }) });
      const relay = new OutboxRelay(ctx.db, ctx.nats, ctx.config.databaseUrl, ctx.log.child({ component: "outbox" }), { schema: "assignment" });
      // Each event in flight holds a transaction and briefly needs a second connection (the remembered split):
      // never let the consumer take the whole pool.
      const concurrency = Math.max(1, Math.min(settings.consumerConcurrency, Math.floor(ctx.config.dbPoolSize / 2)));
      if (concurrency < settings.consumerConcurrency) {
        ctx.log.warn({ wanted: settings.consumerConcurrency, concurrency, dbPoolSize: ctx.config.dbPoolSize }, "consumer concurrency capped at half the DB pool");
      }
      let consumer: RunningConsumer | undefined;
      return {
        routes: (router) => {
          router.service(AssignmentService, assignmentHandlers(ctx.db, flow));
        },
        background: [
          { name: "outbox-relay", start: () => relay.start(), stop: () => relay.stop() },
          {
            name: "orders-placed-consumer",
            start: async () => {
              consumer = await runConsumer(ctx.nats, ctx.db, {
                stream: ORDERS_STREAM,
                durable: ORDERS_PLACED_DURABLE,
                filterSubject: SUBJECTS.ordersPlaced,
                schema: "assignment",
                concurrency,
                handle: (msg, tx) => assigner.handle(msg, tx),
              }, ctx.log.child({ component: "orders-placed" }), ctx.config.env);
            },
            stop: async () => { await consumer?.stop(); },
          },
          shipmentRecovery(flow, ctx.db, settings.shipmentRecoveryMs, ctx.log.child({ component: "shipment-recovery" })),
        ],
      };
    },
  };
}

export const assignment: ServiceModule = assignmentModule();

runIfEntry(import.meta.url, assignment);
