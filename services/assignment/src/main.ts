// Assignment service wiring: consumes `orders.placed` (consumers/orders-placed.ts) and `inventory.stock.changed`
// (consumers/stock-changed.ts, the stock view), splits each order across
// warehouses, serves warehouse systems, and publishes its events through its outbox.
// Settings (environment): ASSIGNMENT_CONSUMER_CONCURRENCY, ASSIGNMENT_PLAN_ATTEMPTS, ASSIGNMENT_SHIPMENT_RECOVERY_MS,
// ASSIGNMENT_WAREHOUSES_REFRESH_MS, ASSIGNMENT_STOCK_BATCH,
// and the test-only ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE (see domain/settings.ts). Calls Inventory at INVENTORY_ADDR.
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { poolCappedConcurrency } from "../../lib/consumers.js";
import { runIfEntry } from "../../lib/main.js";
import { idempotentRequestsTable } from "../../lib/idempotency.js";
import { jobLeasesTable } from "../../lib/lease.js";
import { outboxCleanupIndex, outboxTraceContext } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { OrderAssigner, type AssignmentHooks } from "./assigner.js";
import { ordersPlacedConsumer } from "./consumers/orders-placed.js";
import { stockChangedConsumer } from "./consumers/stock-changed.js";
import { loadSettings } from "./settings.js";
import { geoIndex } from "./geo-data.js";
import { assignmentHandlers } from "./service.js";
import { AssignmentSchema1767100000000 } from "./store/migrations/1767100000000-AssignmentSchema.js";
import { StockView1767200000000 } from "./store/migrations/1767200000000-StockView.js";
import { StockSource } from "./stock-source.js";
import { shipmentRecovery, WarehouseFlow } from "./warehouse-flow.js";

/** The module; tests pass hooks to act at precise moments of an assignment. */
export function assignmentModule(hooks: AssignmentHooks = {}): ServiceModule {
  return {
    name: "assignment",
    database: { schema: "assignment", migrations: [AssignmentSchema1767100000000, outboxCleanupIndex("assignment"), outboxTraceContext("assignment"), jobLeasesTable("assignment"), idempotentRequestsTable("assignment"), StockView1767200000000] },
    redis: false,
    outbox: true,
    async build(ctx) {
      const settings = loadSettings(ctx.config.env);
      if (settings.crashAfterAllocate) ctx.log.warn("ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE is set: this process exits after its first allocation (test only)");
      const inventory = ctx.client(InventoryService, "inventory");
      const serviceHeaders = () => ctx.serviceHeaders();
      const geoLog = ctx.log.child({ component: "geo" });
      const stock = new StockSource({
        ds: ctx.db, inventory, serviceHeaders, log: ctx.log.child({ component: "stock" }), warehousesRefreshMs: settings.warehousesRefreshMs,
      });
      const assigner = new OrderAssigner({
        ds: ctx.db, inventory, serviceHeaders, stock, geo: () => geoIndex(geoLog), settings, log: ctx.log.child({ component: "assigner" }), hooks,
      });
      const flow = new WarehouseFlow({ ds: ctx.db, inventory, serviceHeaders, log: ctx.log.child({ component: "warehouse" }) });
      // Each event in flight holds a transaction and briefly needs a second connection (the remembered split):
      // never let the consumer take the whole pool.
      const concurrency = poolCappedConcurrency(settings.consumerConcurrency, ctx.config.dbPoolSize, 2, ctx.log);
      return {
        routes: (router) => {
          router.service(AssignmentService, assignmentHandlers(ctx.db, flow));
        },
        consumers: [ordersPlacedConsumer(assigner, concurrency), stockChangedConsumer(settings.stockBatch)],
        jobs: [shipmentRecovery(flow, ctx.db, settings.shipmentRecoveryMs, ctx.log.child({ component: "shipment-recovery" }))],
      };
    },
  };
}

export const assignment: ServiceModule = assignmentModule();

runIfEntry(import.meta.url, assignment);
