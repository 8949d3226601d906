// The background worker that finishes what requests left behind: stuck submissions (lease ran out), stock of
// cancelled or abandoned checkouts not yet returned to Inventory, carts not yet emptied after an order, and
// cancellations interrupted midway (they must complete: see cancellation.ts).
import type { DataSource } from "typeorm";
import type { Logger } from "../../lib/log.js";
import { PeriodicTask } from "../../lib/periodic.js";
import type { BackgroundTask } from "../../lib/server.js";
import type { CancellationFlow } from "./cancellation.js";
import type { CheckoutFlow } from "./checkout.js";
import type { SubmissionFlow } from "./submission.js";

export class RecoveryWorker implements BackgroundTask {
  readonly name = "order-recovery";
  private readonly task: PeriodicTask;

  constructor(
    private readonly submissions: SubmissionFlow,
    private readonly checkouts: CheckoutFlow,
    private readonly cancellations: CancellationFlow,
    intervalMs: number,
    private readonly log: Logger,
    /** Where the job lease lives: one replica at a time runs recovery. */
    lease: { ds: DataSource; schema: string },
  ) {
    this.task = new PeriodicTask(this.name, intervalMs, () => this.runOnce(), log, { oneReplica: lease });
  }

  start(): Promise<void> {
    return this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over every kind of leftover work. Exposed for tests. */
  async runOnce(): Promise<void> {
    const jobs: [string, () => Promise<number>][] = [
      ["submissions", () => this.submissions.recoverStuck()],
      ["releases", () => this.checkouts.releasePending()],
      ["carts", () => this.submissions.clearLeftoverCarts()],
      ["cancellations", () => this.cancellations.recoverStuck()],
    ];
    for (const [job, run] of jobs) {
      if (this.task.isStopped) return;
      try {
        await run();
      } catch (err) {
        // Database or dependency down: try again next round.
        this.log.warn({ job, err: (err as Error).message }, "recovery pass failed");
      }
    }
  }
}
