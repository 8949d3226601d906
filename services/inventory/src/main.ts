// Inventory service wiring: the only writer of stock numbers (docs/design.md "The stock model").
// Settings (environment): RESERVATION_TTL_SECONDS, RESERVATION_SWEEP_INTERVAL_MS, LOW_STOCK_THRESHOLD,
// RESERVE_BATCH_MAX, RESERVE_BATCH_CONCURRENCY (see domain/settings.ts).
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { runIfEntry } from "../../lib/main.js";
import { idempotentRequestsTable } from "../../lib/idempotency.js";
import { jobLeasesTable } from "../../lib/lease.js";
import { outboxCleanupIndex, outboxTraceContext } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { loadSettings } from "./settings.js";
import { activeReservations } from "./metrics.js";
import { ReserveQueue } from "./reserve-queue.js";
import { inventoryHandlers } from "./service.js";
import { InventorySchema1767000000000 } from "./store/migrations/1767000000000-InventorySchema.js";
import { reservationSweeper } from "./sweeper.js";

export const inventory: ServiceModule = {
  name: "inventory",
  database: { schema: "inventory", migrations: [InventorySchema1767000000000, outboxCleanupIndex("inventory"), outboxTraceContext("inventory"), jobLeasesTable("inventory"), idempotentRequestsTable("inventory")] },
  outbox: true,
  async build(ctx) {
    const settings = loadSettings(ctx.config.env);
    const reserveQueue = new ReserveQueue(ctx.db, settings, ctx.log.child({ component: "reserve" }));
    const sweeper = reservationSweeper(ctx.db, settings.sweepIntervalMs, settings.lowStockThreshold, ctx.log.child({ component: "sweeper" }));
    return {
      routes: (router) => router.service(InventoryService, inventoryHandlers({ ds: ctx.db, settings, reserveQueue })),
      background: [
        activeReservations.task("inventory", async () =>
          Number((await ctx.db.query(`SELECT count(*) AS n FROM inventory.reservations WHERE status = 'ACTIVE'`))[0].n)),
      ],
      jobs: [sweeper],
    };
  },
};

runIfEntry(import.meta.url, inventory);
