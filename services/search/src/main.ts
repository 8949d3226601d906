// Search service wiring: the read model (schema `search`) fed by durable consumers of catalog.items.changed
// and inventory.stock.changed, the in-memory index each process builds from it and keeps current from the
// same streams, the Redis cache, and the category tree read from Catalog (refreshed periodically).
// Settings (environment): SEARCH_CACHE, SEARCH_CACHE_TTL_SECONDS, SEARCH_CACHE_TIMEOUT_MS, SEARCH_CACHE_MIN_CANDIDATES,
// SEARCH_CATEGORY_REFRESH_SECONDS, SEARCH_CONSUMER_BATCH (see domain/settings.ts).
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { SearchService } from "../../../gen/shop/search/v1/search_pb.js";
import type { DatabaseSpec } from "../../lib/db.js";
import { runIfEntry } from "../../lib/main.js";
import type { RunningConsumer } from "../../lib/nats.js";
import { PeriodicTask } from "../../lib/periodic.js";
import type { BackgroundTask, ServiceModule } from "../../lib/server.js";
import { ResultCache } from "./cache.js";
import { ResultRows } from "./result-rows.js";
import { follows, startReadModelConsumers } from "./consumers.js";
import { loadSearchSettings } from "./domain/settings.js";
import { IndexFeed } from "./feed.js";
import { searchHandlers } from "./service.js";
import { countItems } from "./store/read-model.js";
import { SearchSchema1768000000000 } from "./store/migrations/1768000000000-SearchSchema.js";

export const searchDatabase: DatabaseSpec = {
  schema: "search",
  migrations: [SearchSchema1768000000000],
};

/** Core NATS subject the reindex command announces a rebuilt read model on: every process rebuilds its index. */
export const REINDEXED_SUBJECT = "search.reindexed";

export const search: ServiceModule = {
  name: "search",
  database: searchDatabase,
  nats: true,
  // No `redis: true`: the cache has its own client that never blocks start-up or a search (cache.ts).
  async build(ctx) {
    const settings = loadSearchSettings(ctx.config.env);
    const log = ctx.log;
    const catalog = ctx.client(CatalogService, "catalog");
    const loadCategories = async () => {
      // Categories are reference data Search cannot facet without: wait for Catalog rather than start blind.
      for (let attempt = 1; ; attempt++) {
        try {
          return (await catalog.listCategories({}, { headers: await ctx.serviceHeaders(), timeoutMs: 10_000 })).categories;
        } catch (err) {
          if (attempt % 10 === 1) log.warn({ err: (err as Error).message, attempt }, "category tree not available from Catalog yet; retrying");
          await new Promise((r) => setTimeout(r, Math.min(2000, 200 * attempt)));
        }
      }
    };
    const feed = new IndexFeed({
      nats: ctx.nats, databaseUrl: ctx.config.databaseUrl, log: log.child({ component: "index" }),
      follows: follows(ctx.config.env), loadCategories, countItems: () => countItems(ctx.db),
    });
    const cache = new ResultCache({
      url: ctx.config.redisUrl, ttlSeconds: settings.cacheTtlSeconds, timeoutMs: settings.cacheTimeoutMs, enabled: settings.cacheEnabled,
    }, log.child({ component: "cache" }));

    let consumers: RunningConsumer[] = [];
    let reindexed: { unsubscribe(): void } | undefined;
    const background: BackgroundTask[] = [
      { name: "search-cache", start: async () => cache.start(), stop: () => cache.stop() },
      {
        // Before the index: the index replays from these consumers' acknowledged floor.
        name: "search-read-model-consumers",
        start: async () => { consumers = await startReadModelConsumers(ctx.nats, ctx.db, log, ctx.config.env, settings.consumerBatch); },
        stop: async () => { await Promise.all(consumers.map((c) => c.stop())); },
      },
      {
        name: "search-index",
        start: async () => {
          await feed.start();
          reindexed = ctx.nats.nc.subscribe(REINDEXED_SUBJECT, {
            callback: () => { log.info("read model reindexed; rebuilding the index"); void feed.rebuild("reindex"); },
          });
        },
        stop: async () => {
          reindexed?.unsubscribe();
          await feed.stop();
        },
      },
      // Categories rarely change: re-read now and then (and at once when an item names an unknown one).
      new PeriodicTask("search-category-refresh", settings.categoryRefreshSeconds * 1000, async () => { await feed.refreshCategories(); }, log,
        { everyReplica: true }), // each replica's own in-memory index
      new PeriodicTask("search-index-activity", 60_000, async () => feed.logActivity(), log, { everyReplica: true }),
    ];
    return {
      routes: (router) => {
        router.service(SearchService, searchHandlers({ feed, rows: new ResultRows(), cache, cacheMinCandidates: settings.cacheMinCandidates }));
      },
      background,
      checks: { index: async () => { if (!feed.index) throw new Error("search index still loading"); } },
    };
  },
};

runIfEntry(import.meta.url, search);
