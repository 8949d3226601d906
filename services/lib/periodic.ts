// A background task that runs one pass of work every interval (sweepers, recovery workers). A pass that
// fails is logged and tried again next interval; stop() waits for a pass in progress.
import type { Logger } from "./log.js";
import type { BackgroundTask } from "./server.js";

export class PeriodicTask implements BackgroundTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((err) => this.log.warn({ err: (err as Error).message, task: this.name }, "background pass failed; retrying next interval"))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
