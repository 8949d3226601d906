// The periodic job that finishes what requests left behind: stuck submissions (lease ran out), stock of
// cancelled or abandoned checkouts not yet returned to Inventory, and cancellations interrupted midway (they must
// complete: see cancellation.ts).
import type { Logger } from "../../../lib/log.js";
import type { PeriodicJob } from "../../../lib/periodic.js";
import type { CancellationFlow } from "./cancellation.js";
import type { CheckoutFlow } from "./checkout.js";
import type { SubmissionFlow } from "./submission.js";

export function orderRecovery(
  flows: { submissions: SubmissionFlow; checkouts: CheckoutFlow; cancellations: CancellationFlow }, everyMs: number, log: Logger,
): PeriodicJob {
  const steps: [string, () => Promise<number>][] = [
    ["submissions", () => flows.submissions.recoverStuck()],
    ["releases", () => flows.checkouts.releasePending()],
    ["cancellations", () => flows.cancellations.recoverStuck()],
  ];
  return {
    name: "order-recovery",
    everyMs,
    async run(stopping) {
      for (const [step, run] of steps) {
        if (stopping.aborted) return;
        try {
          await run();
        } catch (err) {
          // Database or dependency down: try again next round.
          log.warn({ step, err: (err as Error).message }, "recovery step failed");
        }
      }
    },
  };
}
