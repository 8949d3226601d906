// Background task: expired ACTIVE reservations give their stock back (status EXPIRED), in batches of 500,
// every RESERVATION_SWEEP_INTERVAL_MS. Safe with several replicas (SKIP LOCKED) and idempotent.
// Correctness does not wait for it: Reserve reclaims expired holds itself and Commit refuses them.
import type { DataSource } from "typeorm";
import type { Logger } from "../../lib/log.js";
import type { BackgroundTask } from "../../lib/server.js";
import { expireDue } from "./store/reservations.js";

export class ReservationSweeper implements BackgroundTask {
  readonly name = "reservation-sweeper";
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly ds: DataSource, private readonly intervalMs: number, private readonly threshold: number, private readonly log: Logger) {}

  async start(): Promise<void> {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Expires everything due now; returns how many reservations expired. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await expireDue(this.ds, this.threshold, 500);
      total += n;
      if (n < 500 || this.stopped) return total;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((n) => { if (n > 0) this.log.debug({ expired: n }, "expired reservations released"); })
        .catch((err) => this.log.warn({ err }, "reservation sweep failed; retrying next interval"))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
