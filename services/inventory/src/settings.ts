// The inventory service's own settings, read once from the environment (README "Configuration").
import { intFrom } from "../../lib/config.js";

export interface InventorySettings {
  /** Hold time of a reservation when the request sets none (RESERVATION_TTL_SECONDS, default 600). */
  defaultTtlMs: number;
  /** How often the sweeper releases expired reservations (RESERVATION_SWEEP_INTERVAL_MS, default 1000). */
  sweepIntervalMs: number;
  /** Low stock: 0 < aggregated < threshold (LOW_STOCK_THRESHOLD, default 5). */
  lowStockThreshold: number;
  /** Most reservations decided in one transaction (RESERVE_BATCH_MAX, default 200; 1 disables batching). */
  reserveBatchMax: number;
  /** Reservation transactions in flight at once per process (RESERVE_BATCH_CONCURRENCY, default 4). */
  reserveBatchConcurrency: number;
}

export const TTL_MIN_MS = 1_000;
export const TTL_MAX_MS = 3_600_000;

export function loadSettings(env: Record<string, string | undefined>): InventorySettings {
  const s: InventorySettings = {
    defaultTtlMs: intFrom(env, "RESERVATION_TTL_SECONDS", 600) * 1000,
    sweepIntervalMs: intFrom(env, "RESERVATION_SWEEP_INTERVAL_MS", 1000),
    lowStockThreshold: intFrom(env, "LOW_STOCK_THRESHOLD", 5),
    reserveBatchMax: intFrom(env, "RESERVE_BATCH_MAX", 200),
    reserveBatchConcurrency: intFrom(env, "RESERVE_BATCH_CONCURRENCY", 4),
  };
  // Fail at start-up, not on the first call.
  if (s.defaultTtlMs < TTL_MIN_MS || s.defaultTtlMs > 24 * 3_600_000) throw new Error("RESERVATION_TTL_SECONDS must be between 1 and 86400");
  if (s.sweepIntervalMs < 10) throw new Error("RESERVATION_SWEEP_INTERVAL_MS must be at least 10");
  if (s.lowStockThreshold < 0) throw new Error("LOW_STOCK_THRESHOLD must not be negative");
  if (s.reserveBatchMax < 1 || s.reserveBatchMax > 1000) throw new Error("RESERVE_BATCH_MAX must be between 1 and 1000");
  if (s.reserveBatchConcurrency < 1 || s.reserveBatchConcurrency > 64) throw new Error("RESERVE_BATCH_CONCURRENCY must be between 1 and 64");
  return s;
}
