// Keeps this process's in-memory index current.
//
// The durable consumers (consumers.ts) write events into the read model in Postgres; every Search process
// builds its index from that read model and then follows the same streams itself with an ordered (ephemeral,
// per-process) consumer, starting right after the durable consumers' acknowledged floor. Everything at or
// below the floor is committed in Postgres before the snapshot is read; everything after it is replayed into
// the index; the overlap is harmless because every change is applied only when newer (item version, stock
// sequence). So each replica sees every change within milliseconds of its publication, independent of how
// far the Postgres writer lags, and a restart converges to the same index.
//
// A rebuild (a reindex, a changed category tree) builds a second index the same way while the first keeps
// answering, and swaps them once the new one has caught up.
import { fromBinary } from "@bufbuild/protobuf";
import type { JsMsg } from "nats";
import { ItemChangedSchema, type Category } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { StockChangedSchema } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import type { Logger } from "../../lib/log.js";
import { natsRetry, type Nats } from "../../lib/nats.js";
import { CategoryTree } from "./domain/categories.js";
import { itemDocOf, millisOf, stockDocOf } from "./domain/events.js";
import { SearchIndex } from "./index/search-index.js";
import { readSnapshot } from "./store/read-model.js";

export interface StreamFollow {
  stream: string;
  subject: string;
  /** The durable consumer whose acknowledged floor the replay starts after. */
  durable: string;
  kind: "item" | "stock";
}

export interface FeedOptions {
  nats: Nats;
  databaseUrl: string;
  log: Logger;
  follows: StreamFollow[];
  /** The category tree as Catalog serves it now. */
  loadCategories: () => Promise<Category[]>;
  /** Items in the read model (sizes the index's arrays up front). */
  countItems: () => Promise<number>;
}

interface Generation {
  index: SearchIndex;
  tree: CategoryTree;
  stops: (() => void)[];
  /** Streams not yet replayed up to their end. */
  behind: Set<string>;
  caughtUp: Promise<void>;
  markCaughtUp: () => void;
}

export class IndexFeed {
  private current?: Generation;
  private building?: Promise<void>;
  private stopped = false;
  private unknownCategoryAt = 0;
  /** Changes applied to the index, and how long after their occurrence (event occur_time to applied). */
  readonly stats = { itemsApplied: 0, stockApplied: 0, ignored: 0, lagMsMax: 0, lagMsSum: 0, builds: 0, lastBuildMs: 0 };

  constructor(private readonly opts: FeedOptions) {}

  /** The index queries run on; undefined until the first build has caught up. */
  get index(): SearchIndex | undefined {
    return this.current?.index;
  }

  get tree(): CategoryTree | undefined {
    return this.current?.tree;
  }

  /** Builds the first index and waits until it has caught up with the streams. */
  async start(): Promise<void> {
    await this.rebuild("start-up");
  }

  /**
   * Builds a fresh index from the read model and the streams; the current one keeps answering until the
   * new one has caught up. Concurrent requests share one build.
   */
  rebuild(reason: string): Promise<void> {
    this.building ??= this.build(reason).finally(() => { this.building = undefined; });
    return this.building;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.current?.stops ?? []) s();
  }

  private async build(reason: string): Promise<void> {
    const started = Date.now();
    const { log, nats } = this.opts;
    const tree = new CategoryTree((await this.opts.loadCategories()).map((c) => ({ id: c.id, name: c.name, parentId: c.parentId })));
    // The floors first: every event at or below them is committed in the read model we are about to read.
    const floors = new Map<string, number>();
    for (const f of this.opts.follows) {
      // Retried while the cluster elects leaders or this client moves off a node cut off (JetStream answers 503).
      const info = await natsRetry(`consumer ${f.durable}`, () => nats.jsm.consumers.info(f.stream, f.durable), log);
      // Before its first acknowledgement a consumer reports an ack floor of 0: then, if it has delivered
      // nothing either, it starts right after `delivered` (a consumer created at "new" events); if it has,
      // replaying the whole stream is the safe answer.
      const floor = info.ack_floor.consumer_seq > 0 ? info.ack_floor.stream_seq
        : info.delivered.consumer_seq === 0 ? info.delivered.stream_seq : 0;
      floors.set(f.stream, floor);
    }
    const index = new SearchIndex(tree);
    const initial = !this.current;
    // At start-up nothing is answering yet: big batches. During a rebuild the old index answers between
    // batches, so each batch must be short.
    const batch = initial ? 20_000 : 2_000;
    index.beginBulk(await this.opts.countItems());
    const counts = await readSnapshot(this.opts.databaseUrl, (docs) => { for (const d of docs) index.upsert(d); }, (docs) => {
      for (const d of docs) index.applyStock(d);
    }, batch);
    index.endBulk();
    // At start-up, before anything is answered; a rebuild leaves it to the first queries, so that the old index
    // is not held up between batches.
    if (initial) index.warm();
    const loadedMs = Date.now() - started;

    let markCaughtUp!: () => void;
    const gen: Generation = {
      index, tree, stops: [], behind: new Set(this.opts.follows.map((f) => f.stream)),
      caughtUp: new Promise<void>((resolve) => { markCaughtUp = resolve; }), markCaughtUp: () => markCaughtUp(),
    };
    for (const f of this.opts.follows) await this.follow(gen, f, floors.get(f.stream)! + 1);
    await gen.caughtUp;

    const previous = this.current;
    this.current = gen;
    for (const s of previous?.stops ?? []) s();
    if (this.stopped) for (const s of gen.stops) s();
    this.stats.builds++;
    this.stats.lastBuildMs = Date.now() - started;
    log.info({
      reason, items: index.size, ordinals: index.ordinals, vocabulary: index.vocabulary, categories: tree.size,
      snapshotItems: counts.items, snapshotStock: counts.stock, loadMs: loadedMs, totalMs: Date.now() - started,
      heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
    }, "search index built");
  }

  /** Replays one stream into `gen` from `startSeq` and keeps following it. */
  private async follow(gen: Generation, f: StreamFollow, startSeq: number): Promise<void> {
    const { consumer, pending } = await natsRetry(`feed of ${f.stream}`, async () => {
      const c = await this.opts.nats.js.consumers.get(f.stream, { filterSubjects: f.subject, opt_start_seq: startSeq });
      return { consumer: c, pending: (await c.info()).num_pending };
    }, this.opts.log);
    const caughtUp = () => {
      if (!gen.behind.delete(f.stream)) return;
      if (gen.behind.size === 0) gen.markCaughtUp();
    };
    if (pending === 0) caughtUp();
    const messages = await consumer.consume({ max_messages: 2_000 });
    let stopped = false;
    gen.stops.push(() => {
      stopped = true;
      void messages.close().catch(() => {});
    });
    void (async () => {
      try {
        for await (const msg of messages) {
          if (stopped) break;
          this.apply(gen, f.kind, msg);
          if (msg.info.pending === 0) caughtUp();
        }
      } catch (err) {
        if (!stopped) this.opts.log.error({ err, stream: f.stream }, "index feed interrupted; rebuilding");
      }
      // An ordered consumer recovers from gaps by itself; if it ends anyway, a rebuild starts a fresh one.
      if (!stopped && !this.stopped && this.current === gen) void this.rebuild(`feed of ${f.stream} ended`);
    })();
  }

  private apply(gen: Generation, kind: "item" | "stock", msg: JsMsg): void {
    try {
      if (kind === "item") {
        const event = fromBinary(ItemChangedSchema, msg.data);
        const doc = itemDocOf(event.item);
        if (!doc) return void this.stats.ignored++;
        if (gen.index.upsert(doc)) {
          this.stats.itemsApplied++;
          this.noteLag(millisOf(event.occurTime));
          if (gen.tree.indexOf(doc.categoryId) < 0) this.unknownCategory(doc.categoryId);
        }
      } else {
        const event = fromBinary(StockChangedSchema, msg.data);
        const doc = stockDocOf(event);
        if (!doc) return void this.stats.ignored++;
        if (gen.index.applyStock(doc)) {
          this.stats.stockApplied++;
          this.noteLag(millisOf(event.occurTime));
        }
      }
    } catch (err) {
      // A message we cannot read must not stop the feed: it is logged and skipped (the read model's
      // durable consumer reports it too).
      this.stats.ignored++;
      this.opts.log.warn({ err, subject: msg.subject, seq: msg.seq }, "undecodable event skipped by the index feed");
    }
  }

  private noteLag(occurMs: number): void {
    const lag = occurMs > 0 ? Math.max(0, Date.now() - occurMs) : 0;
    this.stats.lagMsSum += lag;
    if (lag > this.stats.lagMsMax) this.stats.lagMsMax = lag;
  }

  /** Logs what was applied since the last call (a line a minute: freshness is observable). */
  logActivity(): void {
    const s = this.stats;
    const applied = s.itemsApplied + s.stockApplied;
    if (applied > 0) {
      this.opts.log.info({
        itemsApplied: s.itemsApplied, stockApplied: s.stockApplied, ignored: s.ignored,
        lagMsAvg: Math.round(s.lagMsSum / applied), lagMsMax: s.lagMsMax, items: this.index?.size,
      }, "index changes, last minute");
    }
    Object.assign(s, { itemsApplied: 0, stockApplied: 0, ignored: 0, lagMsMax: 0, lagMsSum: 0 });
  }

  /** An item names a category the tree does not know: the tree changed; rebuild (at most once a minute). */
  private unknownCategory(categoryId: string): void {
    if (Date.now() - this.unknownCategoryAt < 60_000) return;
    this.unknownCategoryAt = Date.now();
    this.opts.log.info({ categoryId }, "item in a category the index does not know; reloading the tree");
    void this.refreshCategories();
  }

  /** Reloads the category tree; rebuilds the index when it changed. */
  async refreshCategories(): Promise<boolean> {
    const current = this.current;
    if (!current || this.building) return false;
    try {
      const fresh = new CategoryTree((await this.opts.loadCategories()).map((c) => ({ id: c.id, name: c.name, parentId: c.parentId })));
      if (fresh.sameAs(current.tree)) return false;
      await this.rebuild("category tree changed");
      return true;
    } catch (err) {
      this.opts.log.warn({ err }, "category refresh failed; keeping the current tree");
      return false;
    }
  }
}
