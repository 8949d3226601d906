// Search's own settings, read once from the environment (README "Configuration").
import { intFrom } from "../../lib/config.js";

export interface SearchSettings {
  /** SEARCH_CACHE=off answers every query from the index (default on). */
  cacheEnabled: boolean;
  /** Longest life of a cached answer; fingerprints invalidate earlier (SEARCH_CACHE_TTL_SECONDS, default 60). */
  cacheTtlSeconds: number;
  /** A Redis lookup slower than this is a miss (SEARCH_CACHE_TIMEOUT_MS, default 50). */
  cacheTimeoutMs: number;
  /**
   * Queries that examine fewer candidates than this are answered from the index without the cache: that is
   * faster than a Redis round trip (SEARCH_CACHE_MIN_CANDIDATES, default 10000; 0 caches everything).
   */
  cacheMinCandidates: number;
  /** How often the category tree is re-read from Catalog (SEARCH_CATEGORY_REFRESH_SECONDS, default 300). */
  categoryRefreshSeconds: number;
  /** Most events the read-model consumers apply in one transaction (SEARCH_CONSUMER_BATCH, default 500). */
  consumerBatch: number;
}

export function loadSearchSettings(env: Record<string, string | undefined>): SearchSettings {
  const s: SearchSettings = {
    cacheEnabled: (env.SEARCH_CACHE ?? "on") !== "off",
    cacheTtlSeconds: intFrom(env, "SEARCH_CACHE_TTL_SECONDS", 60),
    cacheTimeoutMs: intFrom(env, "SEARCH_CACHE_TIMEOUT_MS", 50),
    cacheMinCandidates: intFrom(env, "SEARCH_CACHE_MIN_CANDIDATES", 10_000),
    categoryRefreshSeconds: intFrom(env, "SEARCH_CATEGORY_REFRESH_SECONDS", 300),
    consumerBatch: intFrom(env, "SEARCH_CONSUMER_BATCH", 500),
  };
  if (s.cacheTtlSeconds < 1) throw new Error("SEARCH_CACHE_TTL_SECONDS must be at least 1");
  if (s.cacheTimeoutMs < 1) throw new Error("SEARCH_CACHE_TIMEOUT_MS must be at least 1");
  if (s.cacheMinCandidates < 0) throw new Error("SEARCH_CACHE_MIN_CANDIDATES must not be negative");
  if (s.categoryRefreshSeconds < 1) throw new Error("SEARCH_CATEGORY_REFRESH_SECONDS must be at least 1");
  if (s.consumerBatch < 1 || s.consumerBatch > 5000) throw new Error("SEARCH_CONSUMER_BATCH must be between 1 and 5000");
  return s;
}
