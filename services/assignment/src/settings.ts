// The assignment service's own settings, from the environment (README "Configuration").
import { intFrom } from "../../lib/config.js";

export interface AssignmentSettings {
  /** ASSIGNMENT_CONSUMER_CONCURRENCY (default 8): orders.placed events handled at once. */
  consumerConcurrency: number;
  /** ASSIGNMENT_PLAN_ATTEMPTS (default 5): plans tried per delivery when allocations keep finding stock gone. */
  planAttempts: number;
  /**
   * ASSIGNMENT_SHIPMENT_RECOVERY_MS (default 30000): how often, and after how long, a SHIPPED report whose
   * recording was interrupted (crash between Inventory.RecordShipment and our commit) is completed.
   */
  shipmentRecoveryMs: number;
  /** ASSIGNMENT_WAREHOUSES_REFRESH_MS (default 60000): how long the cached warehouse list (ListWarehouses) is used. */
  warehousesRefreshMs: number;
  /** ASSIGNMENT_STOCK_BATCH (default 200): most inventory.stock.changed events applied to the stock view per transaction. */
  stockBatch: number;
  /**
   * ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE=1 — TEST ONLY (fault injection for the crash test): the process exits
   * right after Inventory.AllocateOrder succeeds, before the warehouse orders are committed.
   */
  crashAfterAllocate: boolean;
}

export function loadSettings(env: Record<string, string | undefined>): AssignmentSettings {
  const settings = {
    consumerConcurrency: intFrom(env, "ASSIGNMENT_CONSUMER_CONCURRENCY", 8),
    planAttempts: intFrom(env, "ASSIGNMENT_PLAN_ATTEMPTS", 5),
    shipmentRecoveryMs: intFrom(env, "ASSIGNMENT_SHIPMENT_RECOVERY_MS", 30_000),
    warehousesRefreshMs: intFrom(env, "ASSIGNMENT_WAREHOUSES_REFRESH_MS", 60_000),
    stockBatch: intFrom(env, "ASSIGNMENT_STOCK_BATCH", 200),
    crashAfterAllocate: env.ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE === "1",
  };
  if (settings.consumerConcurrency < 1 || settings.consumerConcurrency > 256) throw new Error("ASSIGNMENT_CONSUMER_CONCURRENCY must be 1-256");
  if (settings.planAttempts < 1 || settings.planAttempts > 100) throw new Error("ASSIGNMENT_PLAN_ATTEMPTS must be 1-100");
  if (settings.shipmentRecoveryMs < 100) throw new Error("ASSIGNMENT_SHIPMENT_RECOVERY_MS must be at least 100");
  if (settings.warehousesRefreshMs < 100) throw new Error("ASSIGNMENT_WAREHOUSES_REFRESH_MS must be at least 100");
  if (settings.stockBatch < 1 || settings.stockBatch > 1000) throw new Error("ASSIGNMENT_STOCK_BATCH must be 1-1000");
  return settings;
}
