// Search service wiring: the read model (schema `search`) fed by durable consumers of catalog.items.changed
// and inventory.stock.changed, the in-memory index each process builds from it and keeps current from the
// same streams, the Redis cache, and the category tree read from Catalog (refreshed periodically).
// Settings (environment): SEARCH_CACHE, SEARCH_CACHE_TTL_SECONDS, SEARCH_CACHE_TIMEOUT_MS, SEARCH_CACHE_MIN_CANDIDATES,
// SEARCH_CATEGORY_REFRESH_SECONDS, SEARCH_CONSUMER_BATCH (see domain/settings.ts).
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { SearchService } from "../../../gen/shop/search/v1/search_pb.js";
import type { DatabaseSpec } from "../../lib/db.js";
import { runIfEntry } from "../../lib/main.js";
import { consumerPlacement } from "../../lib/consumers.js";
import type { BackgroundTask, ServiceModule } from "../../lib/server.js";
import { ResultCache } from "./cache.js";
import { ResultRows } from "./result-rows.js";
import { itemsChangedConsumer } from "./consumers/items-changed.js";
import { stockChangedConsumer } from "./consumers/stock-changed.js";
import { loadSearchSettings } from "./settings.js";
import { IndexFeed } from "./feed.js";
import { searchHandlers } from "./service.js";
import { countItems } from "./store/read-model.js";
import { SearchSchema1768000000000 } from "./store/migrations/1768000000000-SearchSchema.js";
import { indexItems } from "./metrics.js";

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
    const itemsChanged = itemsChangedConsumer(settings.consumerBatch);
    const stockChanged = stockChangedConsumer(settings.consumerBatch);
    // The index follows the same streams, replaying from these durables' acknowledged floor.
    const { durableSuffix } = consumerPlacement(ctx.config.env);
    const feed = new IndexFeed({
      nats: ctx.nats, databaseUrl: ctx.config.databaseUrl, log: log.child({ component: "index" }),
      follows: [
        { stream: itemsChanged.event.stream, subject: itemsChanged.event.subject, durable: itemsChanged.durable + durableSuffix, kind: "item" },
        { stream: stockChanged.event.stream, subject: stockChanged.event.subject, durable: stockChanged.durable + durableSuffix, kind: "stock" },
      ],
      loadCategories, countItems: () => countItems(ctx.db),
    });
    const cache = new ResultCache({
      url: ctx.config.redisUrl, ttlSeconds: settings.cacheTtlSeconds, timeoutMs: settings.cacheTimeoutMs, enabled: settings.cacheEnabled,
    }, log.child({ component: "cache" }));

    let reindexed: { unsubscribe(): void } | undefined;
    const background: BackgroundTask[] = [
      { name: "search-cache", start: async () => cache.start(), stop: () => cache.stop() },
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
      indexItems.task("search", async () => feed.index?.size ?? 0),
    ];
    return {
      routes: (router) => {
        router.service(SearchService, searchHandlers({ feed, rows: new ResultRows(), cache, cacheMinCandidates: settings.cacheMinCandidates }));
      },
      // Started before `background`: the index replays from their acknowledged floor.
      consumers: [itemsChanged, stockChanged],
      background,
      jobs: [
        // Categories rarely change: re-read now and then (and at once when an item names an unknown one).
        // Every replica: each refreshes its own in-memory index.
        { name: "search-category-refresh", everyMs: settings.categoryRefreshSeconds * 1000, everyReplica: true, run: async () => { await feed.refreshCategories(); } },
        { name: "search-index-activity", everyMs: 60_000, everyReplica: true, run: async () => feed.logActivity() },
      ],
      checks: { index: async () => { if (!feed.index) throw new Error("search index still loading"); } },
    };
  },
};

runIfEntry(import.meta.url, search);
