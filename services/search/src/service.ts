// SearchService handlers: validate at the edge; for an expensive query look in the Redis cache (keyed by the
// request and its scope's fingerprint), else query the in-memory index; answer with each item's facts (stock
// left, price, image) as the index holds them now. Public RPCs: no token needed.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  GetItemCatalogResponseSchema, SearchService, SuggestionKind, SuggestionSchema,
  type GetItemCatalogResponse, type Suggestion,
} from "../../../gen/shop/search/v1/search_pb.js";
import { notFound, unavailable } from "../../lib/errors.js";
import { ResultCache } from "./cache.js";
import { normalizedRequest, pageTokenFor, validateCatalogRequest, validateSuggestRequest, type CatalogRequest } from "./domain/request.js";
import type { IndexFeed } from "./feed.js";
import { PRICE_BUCKET_FLOORS, type SearchHits, type SearchIndex } from "./index/search-index.js";
import type { ResultRows } from "./result-rows.js";

export interface SearchDeps {
  feed: IndexFeed;
  rows: ResultRows;
  cache: ResultCache;
  /** Queries examining fewer candidates are answered from the index without asking Redis (faster). */
  cacheMinCandidates: number;
}

function readyIndex(feed: IndexFeed): SearchIndex {
  const index = feed.index;
  if (!index) throw unavailable("INDEX_LOADING", "the search index is still loading; retry shortly");
  return index;
}

export function searchHandlers({ feed, rows, cache, cacheMinCandidates }: SearchDeps): ServiceImpl<typeof SearchService> {
  return {
    async getItemCatalog(req) {
      const r = validateCatalogRequest(req);
      const index = readyIndex(feed);
      let category = -1;
      if (r.categoryId) {
        category = index.tree.indexOf(r.categoryId);
        if (category < 0) throw notFound("category", r.categoryId, "filter.category_id");
      }
      const query = {
        text: r.text, category, brands: r.brands, minPrice: r.minPrice, maxPrice: r.maxPrice,
        inStockOnly: r.inStockOnly, sort: r.sort, limit: r.pageSize, after: r.after,
      };
      const prepared = index.prepare(query);
      // A narrow query costs less than a Redis round trip: only the expensive ones are worth caching.
      if (prepared.candidates < cacheMinCandidates) {
        const hits = index.search(query, prepared);
        return catalogResponse(index, rows, hits.ords, answerOf(index, r, hits));
      }
      const key = ResultCache.key(`${normalizedRequest(r)}|${index.scopeFingerprint(category, r.inStockOnly)}`);
      const cached = await cache.get(key);
      if (cached) {
        try {
          const answer = JSON.parse(cached) as Answer;
          const ords = answer.i.map((id) => index.ordOf(id)).filter((ord) => ord >= 0);
          return catalogResponse(index, rows, ords, answer);
        } catch {
          // An entry we cannot read (another version wrote it): answer from the index and overwrite it.
        }
      }
      const hits = index.search(query, prepared);
      const answer = answerOf(index, r, hits);
      cache.set(key, JSON.stringify({ ...answer, i: hits.ords.map((ord) => index.idOf(ord)) } satisfies Answer));
      return catalogResponse(index, rows, hits.ords, answer);
    },

    async suggest(req) {
      const { prefix, limit } = validateSuggestRequest(req);
      const index = readyIndex(feed);
      const found = index.suggest(prefix, limit);
      // A few categories first (they narrow the whole search), then item names; either fills what the other leaves.
      const categoryShare = found.items.length ? Math.min(found.categories.length, Math.max(1, Math.floor(limit / 4))) : limit;
      const suggestions: Suggestion[] = [];
      const category = (c: { category: number; text: string }) =>
        create(SuggestionSchema, { text: c.text, kind: SuggestionKind.CATEGORY, categoryId: index.tree.ids[c.category] });
      for (const c of found.categories.slice(0, categoryShare)) suggestions.push(category(c));
      for (const i of found.items) {
        if (suggestions.length >= limit) break;
        suggestions.push(create(SuggestionSchema, { text: i.text, kind: SuggestionKind.ITEM, itemId: index.view(i.ord).itemId }));
      }
      for (const c of found.categories.slice(categoryShare)) {
        if (suggestions.length >= limit) break;
        suggestions.push(category(c));
      }
      return { suggestions };
    },
  };
}

/** What a query found, independent of the items' current facts: what the cache keeps (as JSON). */
interface Answer extends PageFacts {
  /** Item ids, in order. */
  i: string[];
}

/** A page's total, next page token and facets. */
interface PageFacts {
  total: number;
  next: string;
  /** [category id, count], [brand, count], [price bucket, count]. */
  c: [string, number][];
  b: [string, number][];
  p: [number, number][];
}

function answerOf(index: SearchIndex, r: CatalogRequest, hits: SearchHits): PageFacts {
  const tree = index.tree;
  return {
    total: hits.total,
    next: hits.next ? pageTokenFor(r, hits.next) : "",
    c: hits.categories.map((f) => [tree.ids[f.value], f.count]),
    b: hits.brands.map((f) => [f.value, f.count]),
    p: hits.priceRanges.map((f) => [f.value, f.count]),
  };
}

/**
 * The response, with each item's facts as the index holds them now (stock left moves without changing the
 * cache key, except for in-stock listings): a cached answer is never staler than the index. An item no longer
 * on sale is left out. The items and facets are pre-encoded bytes (see result-rows.ts): Search speaks gRPC only,
 * and the gateway decodes them with the real types when a browser asks for JSON.
 */
function catalogResponse(index: SearchIndex, rows: ResultRows, ords: number[], a: PageFacts): GetItemCatalogResponse {
  const tree = index.tree;
  const last = PRICE_BUCKET_FLOORS.length - 1;
  const response = create(GetItemCatalogResponseSchema, {
    totalSize: BigInt(a.total),
    totalIsEstimate: false,
    nextPageToken: a.next,
  });
  const facets = rows.facets({
    categories: a.c.map(([id, count]) => [id, tree.names[tree.indexOf(id)] ?? id, count]),
    brands: a.b,
    priceRanges: a.p.map(([bucket, count]) => [
      bucket > 0 ? PRICE_BUCKET_FLOORS[bucket] : undefined, bucket < last ? PRICE_BUCKET_FLOORS[bucket + 1] : undefined, count,
    ]),
  });
  response.$unknown = [...rows.encoded(index, ords.filter((ord) => index.isLive(ord))), facets];
  return response;
}
