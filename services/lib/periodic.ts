// Periodic jobs (sweepers, recovery workers, refreshes): a service declares them (PeriodicJob) and the runtime
// runs each through runPeriodic, the one place that schedules a pass. A pass that fails is logged and tried again
// next interval; stop() waits for a pass in progress, and the pass's signal tells a long pass to finish early.
// With several replicas of a service, a job runs on one replica at a time, elected through a lease row in the
// service's schema (lease.ts), unless it declares `everyReplica` (work on the process's own state, such as
// Search's in-memory index). docs/replicas.md lists every job and where it runs.
import type { DataSource } from "typeorm";
import { JobLease, type LeaseTiming } from "./lease.js";
import type { Logger } from "./log.js";
import type { BackgroundTask } from "./server.js";
import { TaskStatus } from "./task-status.js";

export interface PeriodicJob {
  name: string;
  everyMs: number;
  /** Runs on every replica instead of one at a time. */
  everyReplica?: boolean;
  /**
   * One pass. `stopping` is aborted when the service stops or this replica loses the job's lease: a pass that
   * loops checks it between steps.
   */
  run(stopping: AbortSignal): Promise<void>;
}

/** Where the leases of one-replica jobs live: the service's database and schema. */
export interface LeaseStore {
  ds: DataSource;
  schema: string;
  timing?: LeaseTiming;
}

/**
 * Runs a job every `everyMs` (first pass one interval after start) until stopped; on one replica unless
 * everyReplica. Its status says leader or standby by the lease, and failing from a failed pass to the next good one.
 */
export function runPeriodic(job: PeriodicJob, log: Logger, leases?: LeaseStore): BackgroundTask & { status: TaskStatus } {
  if (!job.everyReplica && !leases) throw new Error(`periodic job ${job.name} runs on one replica at a time, which needs a database for its lease (or declare everyReplica)`);
  const stopping = new AbortController();
  let pass: AbortController | undefined;
  const lease = job.everyReplica ? undefined : new JobLease(leases!.ds, leases!.schema, job.name, log, leases!.timing, () => pass?.abort());
  const status = new TaskStatus("job", job.name, lease && (() => lease.held));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const schedule = () => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      if (lease && !lease.held) return schedule();
      pass = new AbortController();
      running = job.run(AbortSignal.any([stopping.signal, pass.signal]))
        .then(() => status.succeeded(), (err) => {
          status.failed(err);
          log.warn({ err: (err as Error).message, job: job.name }, "periodic job failed; retrying next interval");
        })
        .finally(schedule);
    }, job.everyMs);
  };
  return {
    name: job.name,
    status,
    start: async () => {
      await lease?.start();
      schedule();
    },
    stop: async () => {
      stopping.abort();
      clearTimeout(timer);
      await running;
      await lease?.stop();
    },
  };
}
