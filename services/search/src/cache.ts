// Redis cache of GetItemCatalog answers: which items (ids, in order), the total and the facet counts, as
// compact JSON. The key is the normalized request plus the fingerprint of its scope (which items it can
// show, their text and price, and for in-stock listings which have stock), so a catalog or stock change
// invalidates exactly the cached answers whose scope it touched: their key changes, the old entries are never
// read again and expire. The items' facts (stock left, price, image) are taken from the index on every hit,
// so a hit is never staler than the index.
//
// Redis is an accelerator, not a dependency: when it is down, slow or refusing, the answer is computed
// (never an error), and the client reconnects by itself. Hits and misses are counted in-process, logged every
// minute, and added to the Redis hash `search:stats` every second so several replicas (and the benchmark)
// can read one ratio.
import { createHash } from "node:crypto";
import type { RedisClientType } from "redis";
import type { Logger } from "../../lib/log.js";
import { guardRedisClient } from "../../lib/redis.js";
import { cacheLookups } from "./metrics.js";

export interface CacheSettings {
  url: string;
  /** Upper bound on an entry's life (fingerprints do the real invalidation). SEARCH_CACHE_TTL_SECONDS, 60. */
  ttlSeconds: number;
  /** A Redis call slower than this counts as a miss. SEARCH_CACHE_TIMEOUT_MS, 50. */
  timeoutMs: number;
  /** SEARCH_CACHE=off disables it. */
  enabled: boolean;
}

export const CACHE_PREFIX = "search:v1:";
export const STATS_KEY = "search:stats";

export interface CacheCounts {
  hits: number;
  misses: number;
  /** Redis errors and timeouts (answered uncached). */
  errors: number;
  /** Lookups skipped because Redis was not connected. */
  unavailable: number;
}

export class ResultCache {
  readonly counts: CacheCounts = { hits: 0, misses: 0, errors: 0, unavailable: 0 };
  private readonly flushed: CacheCounts = { hits: 0, misses: 0, errors: 0, unavailable: 0 };
  private readonly logged: CacheCounts = { hits: 0, misses: 0, errors: 0, unavailable: 0 };
  private client?: RedisClientType;
  private timers: NodeJS.Timeout[] = [];
  private lastWarn = 0;

  constructor(private readonly settings: CacheSettings, private readonly log: Logger) {}

  start(): void {
    if (!this.settings.enabled) return;
    // Fails fast while disconnected instead of queueing: a search must not wait for Redis to come back.
    const client = guardRedisClient(this.settings.url);
    client.on("error", (err: Error) => this.warn("redis connection error; searching uncached until it is back", err));
    client.connect().catch(() => { /* reported by the error handler; the client keeps retrying */ });
    this.client = client;
    this.timers.push(setInterval(() => void this.flushStats(), 1000).unref());
    this.timers.push(setInterval(() => this.logStats(), 60_000).unref());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flushStats();
    await this.client?.close().catch(() => this.client?.destroy());
  }

  static key(normalizedRequest: string): string {
    return CACHE_PREFIX + createHash("sha1").update(normalizedRequest).digest("base64url");
  }

  async get(key: string): Promise<string | undefined> {
    const client = this.client;
    if (!client) return undefined;
    if (!client.isReady) {
      this.counts.unavailable++;
      cacheLookups.inc({ result: "unavailable" });
      return undefined;
    }
    try {
      const value = await withDeadline(client.get(key), this.settings.timeoutMs);
      if (value) this.counts.hits++;
      else this.counts.misses++;
      cacheLookups.inc({ result: value ? "hit" : "miss" });
      return value ?? undefined;
    } catch (err) {
      this.counts.errors++;
      cacheLookups.inc({ result: "error" });
      this.warn("redis lookup failed; answered uncached", err);
      return undefined;
    }
  }

  /** Stores in the background: the answer never waits for the write. */
  set(key: string, value: string): void {
    const client = this.client;
    if (!client?.isReady) return;
    client.set(key, value, { EX: this.settings.ttlSeconds }).catch((err: Error) => {
      this.counts.errors++;
      cacheLookups.inc({ result: "error" });
      this.warn("redis write failed", err);
    });
  }

  private async flushStats(): Promise<void> {
    const client = this.client;
    if (!client?.isReady) return;
    const delta = diff(this.counts, this.flushed);
    if (!delta.hits && !delta.misses && !delta.errors && !delta.unavailable) return;
    Object.assign(this.flushed, this.counts);
    try {
      const m = client.multi();
      for (const [field, n] of Object.entries(delta)) if (n) m.hIncrBy(STATS_KEY, field, n);
      await m.exec();
    } catch {
      // Counts stay in-process; the log line still reports them.
    }
  }

  private logStats(): void {
    const d = diff(this.counts, this.logged);
    Object.assign(this.logged, this.counts);
    const lookups = d.hits + d.misses;
    if (lookups + d.errors + d.unavailable === 0) return;
    this.log.info({ ...d, hitRatio: lookups ? Math.round((d.hits / lookups) * 1000) / 1000 : 0 }, "search cache, last minute");
  }

  private warn(message: string, err: unknown): void {
    if (Date.now() - this.lastWarn < 10_000) return;
    this.lastWarn = Date.now();
    this.log.warn({ err: (err as Error)?.message ?? String(err) }, message);
  }
}

function diff(a: CacheCounts, b: CacheCounts): CacheCounts {
  return { hits: a.hits - b.hits, misses: a.misses - b.misses, errors: a.errors - b.errors, unavailable: a.unavailable - b.unavailable };
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`redis answered in more than ${ms} ms`)), ms); }),
  ]);
}
