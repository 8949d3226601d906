// What each task the runtime runs besides RPCs (outbox relay, consumers, background work, periodic jobs) says
// about itself, for operators: GET /tasks on the metrics port (metrics.ts) and RunningService.tasks(). A task
// marks each success and each failure as it works; its state is read from those marks when someone asks.
import type { ConsumerStats } from "./consumers.js";

export type TaskKind = "background" | "outbox" | "consumer" | "job";

/**
 * running: started and its last attempt worked (or none failed yet); leader / standby: a one-replica job that
 * holds its lease here / waits while another replica holds it; failing: its last attempt failed (lastError,
 * failingSince); starting, stopped: before start() finished, after stop().
 */
export type TaskState = "starting" | "running" | "leader" | "standby" | "failing" | "stopped";

export interface TaskReport {
  kind: TaskKind;
  /** The durable name of a consumer, the job's name, `<service>-outbox` for the relay. */
  name: string;
  state: TaskState;
  /** Started and not stopped (whatever its last attempt did). */
  running: boolean;
  /** When it last did its work: a pass that ended well, an event handled (ISO 8601). */
  lastSuccessAt?: string;
  lastError?: string;
  /** When the failures that go on now began (ISO 8601). */
  failingSince?: string;
  /** A consumer's counters. */
  stats?: ConsumerStats;
}

export class TaskStatus {
  private phase: "starting" | "started" | "stopped" = "starting";
  private lastSuccess?: Date;
  private failure?: { error: string; since: Date };

  /** @param leaseHeld for work held by one replica at a time: whether this replica holds it now */
  constructor(
    readonly kind: TaskKind, readonly name: string,
    private readonly leaseHeld?: () => boolean, private readonly stats?: () => ConsumerStats,
  ) {}

  started(): void {
    this.phase = "started";
  }

  stopped(): void {
    this.phase = "stopped";
  }

  /** The work was done: a pass ended well, an event was handled. Ends a failure. */
  succeeded(): void {
    this.lastSuccess = new Date();
    this.failure = undefined;
  }

  /** An attempt failed; `failingSince` stays at the first failure until a success or recovered(). */
  failed(err: unknown): void {
    const error = String((err as Error)?.message ?? err).slice(0, 500);
    this.failure = { error, since: this.failure?.since ?? new Date() };
  }

  /** What made it fail is gone (NATS reconnected), though no work was done yet. */
  recovered(): void {
    this.failure = undefined;
  }

  report(): TaskReport {
    const running = this.phase === "started";
    const state: TaskState = this.phase !== "started" ? (this.phase === "starting" ? "starting" : "stopped")
      : this.failure ? "failing"
      : this.leaseHeld ? (this.leaseHeld() ? "leader" : "standby")
      : "running";
    return {
      kind: this.kind, name: this.name, state, running,
      lastSuccessAt: this.lastSuccess?.toISOString(),
      lastError: this.failure?.error,
      failingSince: this.failure?.since.toISOString(),
      ...(this.stats ? { stats: { ...this.stats() } } : {}),
    };
  }
}
