// Restarts a process of `npm start` that exits on its own, as Kubernetes' restartPolicy does in a cluster: a
// service, the gateway, or one of the servers npm start runs itself (Postgres, Redis, NATS). The rest keeps
// serving meanwhile. Restarts back off (1 s, doubling to 30 s) so a process that cannot start does not spin,
// and the backoff starts again at 1 s once a process has run for a minute.

/** One run of a supervised process. */
export interface Incarnation {
  /** Resolves when the process exits, with how: "exited with code 1", "killed by SIGKILL". */
  exited: Promise<string>;
  /** Stops it (graceful signal, then SIGKILL); resolves once it is gone. */
  stop(): Promise<void>;
}

export const RESTART_BACKOFF = {
  firstMs: 1000,
  maxMs: 30_000,
  /** A process that ran this long before exiting is restarted after firstMs again. */
  healthyAfterMs: 60_000,
};

export interface Supervised {
  readonly name: string;
  /** How many times it was started again after exiting. */
  readonly restarts: number;
  /** The running incarnation (undefined while waiting to restart). */
  readonly current: Incarnation | undefined;
  /** Stops restarting and stops the process. */
  stop(): Promise<void>;
}

/**
 * Keeps `first` running: when it exits (and stop() was not called), starts another with `start()` after the
 * backoff. A start that fails counts as an exit and is tried again after the next, longer, backoff.
 */
export function supervise(
  name: string, first: Incarnation, start: () => Promise<Incarnation>, log: (msg: string) => void,
  backoff = RESTART_BACKOFF,
): Supervised {
  let current: Incarnation | undefined = first;
  let starting: Promise<Incarnation> | undefined;
  let stopped = false;
  let restarts = 0;
  let wake: () => void = () => {};

  const waitFor = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => { clearTimeout(timer); resolve(); };
  });

  void (async () => {
    let delay = backoff.firstMs;
    let startedAt = Date.now();
    let exited = first.exited;
    for (;;) {
      const how = await exited;
      current = undefined;
      if (stopped) return;
      if (Date.now() - startedAt >= backoff.healthyAfterMs) delay = backoff.firstMs;
      log(`${name} ${how}; restarting in ${delay / 1000} s`);
      await waitFor(delay);
      if (stopped) return;
      delay = Math.min(delay * 2, backoff.maxMs);
      startedAt = Date.now();
      try {
        starting = start();
        const next = await starting;
        restarts++;
        if (stopped) {
          await next.stop();
          return;
        }
        current = next;
        exited = next.exited;
        log(`${name} restarted (restart ${restarts})`);
      } catch (err) {
        exited = Promise.resolve(`failed to start again: ${(err as Error)?.message?.split("\n")[0] ?? err}`);
      } finally {
        starting = undefined;
      }
    }
  })();

  return {
    name,
    get restarts() { return restarts; },
    get current() { return current; },
    async stop() {
      stopped = true;
      wake();
      await Promise.all([current?.stop(), starting?.then((s) => s.stop(), () => undefined)]);
    },
  };
}
