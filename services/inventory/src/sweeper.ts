// Background task: expired ACTIVE reservations give their stock back (status EXPIRED), in batches of 500,
// every RESERVATION_SWEEP_INTERVAL_MS, on one replica at a time (a job lease); the sweep itself is safe to run
// twice at once too (SKIP LOCKED, idempotent), for the moment a lease changes hands.
// Correctness does not wait for it: Reserve reclaims expired holds itself and Commit refuses them.
import type { DataSource } from "typeorm";
import type { Logger } from "../../lib/log.js";
import { PeriodicTask } from "../../lib/periodic.js";
import { expireDue } from "./store/reservations.js";

const BATCH = 500;

export function reservationSweeper(ds: DataSource, intervalMs: number, lowStockThreshold: number, log: Logger): PeriodicTask {
  const task: PeriodicTask = new PeriodicTask("reservation-sweeper", intervalMs, async () => {
    let expired = 0;
    for (let n = BATCH; n === BATCH && !task.isStopped && task.runsHere;) {
      n = await expireDue(ds, lowStockThreshold, BATCH);
      expired += n;
    }
    if (expired > 0) log.debug({ expired }, "expired reservations released");
  }, log, { oneReplica: { ds, schema: "inventory" } });
  return task;
}
