// Inventory service wiring: the only writer of stock numbers (docs/design.md "The stock model").
// Settings (environment): RESERVATION_TTL_SECONDS, RESERVATION_SWEEP_INTERVAL_MS, LOW_STOCK_THRESHOLD,
// RESERVE_BATCH_MAX, RESERVE_BATCH_CONCURRENCY (see domain/settings.ts).
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { runIfEntry } from "../../lib/main.js";
import { idempotentRequestsTable } from "../../lib/idempotency.js";
import { jobLeasesTable } from "../../lib/lease.js";
import { outboxCleanupIndex, OutboxRelay } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { loadSettings } from "./domain/settings.js";
import { ReserveQueue } from "./reserve-queue.js";
import { inventoryHandlers } from "./service.js";
import { InventorySchema1767000000000 } from "./store/migrations/1767000000000-InventorySchema.js";
import { reservationSweeper } from "./sweeper.js";

export const inventory: ServiceModule = {
  name: "inventory",
  database: { schema: "inventory", migrations: [InventorySchema1767000000000, outboxCleanupIndex("inventory"), jobLeasesTable("inventory"), idempotentRequestsTable("inventory")] },
  nats: true,
  async build(ctx) {
    const settings = loadSettings(ctx.config.env);
    const reserveQueue = new ReserveQueue(ctx.db, settings, ctx.log.child({ component: "reserve" }));
    const relay = new OutboxRelay(ctx.db, ctx.nats, ctx.config.databaseUrl, ctx.log.child({ component: "outbox" }), { schema: "inventory" });
    const sweeper = reservationSweeper(ctx.db, settings.sweepIntervalMs, settings.lowStockThreshold, ctx.log.child({ component: "sweeper" }));
    return {
      routes: (router) => router.service(InventoryService, inventoryHandlers({ ds: ctx.db, settings, reserveQueue })),
      background: [{ name: "outbox-relay", start: () => relay.start(), stop: () => relay.stop() }, sweeper],
    };
  },
};

runIfEntry(import.meta.url, inventory);
