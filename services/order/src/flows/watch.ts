// Live order tracking (WatchOrder) across replicas: every transaction that changes an order or its shipments
// sends NOTIFY order_changed '<order id>' (delivered at commit, to every process listening on the database);
// each process keeps ONE listening connection and wakes the watchers of that order, which re-read it.
// A lost listening connection is re-opened, and every watcher re-reads then: a notification sent meanwhile is
// never missed for good.
import pg from "pg";
import type { Logger } from "../../../lib/log.js";
import type { BackgroundTask } from "../../../lib/server.js";
import { rows, type Db } from "../../../lib/sql.js";

/** The channel; the payload is the order id. */
export const ORDER_CHANGED_CHANNEL = "order_changed";
const CHANNEL = ORDER_CHANGED_CHANNEL;

/** Tells every watcher of the order, in every replica, once the caller's transaction commits. */
export async function notifyOrderChanged(tx: Db, orderId: string): Promise<void> {
  await rows(tx, `SELECT pg_notify($1, $2)`, [CHANNEL, orderId]);
}

/** One watcher's view of the notifications for its order. */
export interface OrderWatch {
  /**
   * Resolves true when the order may have changed since the last call (at once if it did meanwhile), false when
   * `signal` aborts first.
   */
  changed(signal: AbortSignal): Promise<boolean>;
  close(): void;
}

class Watcher implements OrderWatch {
  private dirty = false;
  private wake?: () => void;

  constructor(private readonly onClose: (w: Watcher) => void) {}

  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  async changed(signal: AbortSignal): Promise<boolean> {
    if (!this.dirty && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          this.wake = undefined;
          resolve();
        };
        this.wake = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
    if (signal.aborted) return false;
    this.dirty = false;
    return true;
  }

  close(): void {
    this.onClose(this);
  }
}

export class OrderWatchHub implements BackgroundTask {
  readonly name = "order-watch-listener";
  private readonly watchers = new Map<string, Set<Watcher>>();
  private client?: pg.Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private backoffMs = 0;

  constructor(private readonly databaseUrl: string, private readonly log: Logger) {}

  async start(): Promise<void> {
    await this.connect().catch((err) => {
      this.log.warn({ err: (err as Error).message }, "order watch listener unavailable; retrying");
      this.scheduleReconnect();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  /** Starts watching an order; call before reading it, so no change between the read and the watch is missed. */
  watch(orderId: string): OrderWatch {
    const w = new Watcher((gone) => {
      const set = this.watchers.get(orderId);
      set?.delete(gone);
      if (set?.size === 0) this.watchers.delete(orderId);
    });
    let set = this.watchers.get(orderId);
    if (!set) this.watchers.set(orderId, (set = new Set()));
    set.add(w);
    return w;
  }

  /** How many watchers are open (for tests and logs). */
  get size(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "order-watch" });
    client.on("notification", (n) => {
      if (n.payload) for (const w of this.watchers.get(n.payload) ?? []) w.notify();
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.warn({ err: err?.message }, "order watch listener lost its connection; reconnecting");
      this.scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    await client.connect();
    try {
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.backoffMs = 0;
    // Whatever was notified while not listening is unknown: every watcher looks again.
    for (const set of this.watchers.values()) for (const w of set) w.notify();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.backoffMs = Math.min(5000, this.backoffMs ? this.backoffMs * 2 : 250);
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((err) => {
        this.log.warn({ err: (err as Error).message, retryInMs: this.backoffMs }, "order watch listener still unavailable");
        this.scheduleReconnect();
      });
    }, this.backoffMs);
  }
}
