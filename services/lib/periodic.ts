// A background task that runs one pass of work every interval (sweepers, recovery workers). A pass that
// fails is logged and tried again next interval; stop() waits for a pass in progress.
// With several replicas of a service, each task says where it runs: on one replica at a time, elected through a
// lease row in the service's schema (lease.ts), or on every replica (work on the process's own state, such as
// Search's in-memory index). docs/replicas.md lists every task and its choice.
import type { DataSource } from "typeorm";
import { JobLease, type LeaseTiming } from "./lease.js";
import type { Logger } from "./log.js";
import type { BackgroundTask } from "./server.js";

export type TaskPlacement =
  | { everyReplica: true }
  | { oneReplica: { ds: DataSource; schema: string; timing?: LeaseTiming } };

export class PeriodicTask implements BackgroundTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly lease?: JobLease;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
    private readonly log: Logger,
    placement: TaskPlacement,
  ) {
    if ("oneReplica" in placement) {
      const { ds, schema, timing } = placement.oneReplica;
      this.lease = new JobLease(ds, schema, name, log, timing);
    }
  }

  async start(): Promise<void> {
    await this.lease?.start();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.lease?.stop();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** False while another replica holds this task's lease. */
  get runsHere(): boolean {
    return !this.lease || this.lease.held;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (!this.runsHere) {
        this.schedule();
        return;
      }
      this.running = this.pass()
        .catch((err) => this.log.warn({ err: (err as Error).message, task: this.name }, "background pass failed; retrying next interval"))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
