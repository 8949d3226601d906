// Periodic jobs (sweepers, recovery workers, refreshes): a service declares them (PeriodicJob) and the runtime
// runs each through runPeriodic, the one place that schedules a pass, so a policy such as "only one replica
// runs it" can wrap them all. A pass that fails is logged and tried again next interval; stop() waits for a
// pass in progress, and the pass's signal tells a long pass to finish early.
import type { Logger } from "./log.js";
import type { BackgroundTask } from "./server.js";

export interface PeriodicJob {
  name: string;
  everyMs: number;
  /** One pass. `stopping` is aborted when the service stops: a pass that loops checks it between steps. */
  run(stopping: AbortSignal): Promise<void>;
}

/** Runs a job every `everyMs` (first pass one interval after start) until stopped. */
export function runPeriodic(job: PeriodicJob, log: Logger): BackgroundTask {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const schedule = () => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      running = job.run(stopping.signal)
        .catch((err) => log.warn({ err: (err as Error).message, job: job.name }, "periodic job failed; retrying next interval"))
        .finally(schedule);
    }, job.everyMs);
  };
  return {
    name: job.name,
    start: async () => schedule(),
    stop: async () => {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
