// Request validation and normalization at the edge of the handlers: every field is checked (InvalidArgument
// naming it), and what remains is a normalized request whose fingerprint binds page tokens to their query and
// keys the cache.
import { createHash } from "node:crypto";
import type { Money } from "../../../../gen/shop/common/v1/common_pb.js";
import type { GetItemCatalogRequest, SuggestRequest } from "../../../../gen/shop/search/v1/search_pb.js";
import { SortOrder } from "../../../../gen/shop/search/v1/search_pb.js";
import { invalidArgument } from "../../../lib/errors.js";
import { STORE_CURRENCY } from "../../../lib/money.js";
import { decodePageToken, encodePageToken, pageSize, price, text } from "../../../lib/validate.js";
import { Sort, type Cursor } from "../index/collector.js";
import { SearchIndex } from "../index/search-index.js";

export const LIMITS = { query: 200, brands: 50, brand: 100, pageSizeDefault: 24, pageSizeMax: 100, prefix: 100, suggestDefault: 8, suggestMax: 20 };

export interface CatalogRequest {
  /** The query words as the index reads them (folded, plurals folded, stopwords dropped). */
  words: string[];
  /** The query as typed, trimmed. */
  text: string;
  /** "" for no category filter. */
  categoryId: string;
  brands: string[];
  minPrice?: number;
  maxPrice?: number;
  inStockOnly: boolean;
  sort: Sort;
  pageSize: number;
  after?: Cursor;
  /** Hash of everything that decides the result order (not the page size or position). */
  fingerprint: string;
}

const SORTS: Record<number, Sort> = {
  [SortOrder.UNSPECIFIED]: Sort.Relevance,
  [SortOrder.RELEVANCE]: Sort.Relevance,
  [SortOrder.PRICE_ASCENDING]: Sort.PriceAscending,
  [SortOrder.PRICE_DESCENDING]: Sort.PriceDescending,
  [SortOrder.NEWEST]: Sort.Newest,
};

function priceBound(value: Money | undefined, field: string): number | undefined {
  if (!value) return undefined;
  const m = price(value, field);
  if (m.currencyCode !== STORE_CURRENCY) {
    throw invalidArgument(`${field}.currency_code`, `this store prices in ${STORE_CURRENCY}, not ${m.currencyCode}`);
  }
  return Number(m.minorUnits);
}

export function validateCatalogRequest(req: GetItemCatalogRequest): CatalogRequest {
  const query = text(req.query, "query", { max: LIMITS.query });
  const filter = req.filter;
  const categoryId = text(filter?.categoryId ?? "", "filter.category_id", { max: 64 });
  const rawBrands = filter?.brands ?? [];
  if (rawBrands.length > LIMITS.brands) throw invalidArgument("filter.brands", `must have at most ${LIMITS.brands} entries`);
  const brands = [...new Set(rawBrands.map((b, i) => text(b, `filter.brands[${i}]`, { min: 1, max: LIMITS.brand })))].sort();
  const minPrice = priceBound(filter?.minPrice, "filter.min_price");
  const maxPrice = priceBound(filter?.maxPrice, "filter.max_price");
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw invalidArgument("filter.max_price", "must not be below filter.min_price");
  }
  const sort = SORTS[req.sort];
  if (sort === undefined) throw invalidArgument("sort", `unknown sort order ${req.sort}`);
  const size = pageSize(req.pageSize, "page_size", LIMITS.pageSizeDefault, LIMITS.pageSizeMax);
  const words = SearchIndex.queryWords(query);
  const inStockOnly = filter?.inStockOnly ?? false;
  const fingerprint = createHash("sha1")
    .update(JSON.stringify([words, categoryId, brands, minPrice ?? null, maxPrice ?? null, inStockOnly, sort]))
    .digest("base64url").slice(0, 16);
  const token = decodePageToken<{ f: string; a: number; b: number; c: number }>(req.pageToken, "page_token", {
    f: "string", a: "number", b: "number", c: "number",
  });
  if (token && token.f !== fingerprint) throw invalidArgument("page_token", "belongs to a different query, filter or sort");
  return {
    words, text: query, categoryId, brands, minPrice, maxPrice, inStockOnly, sort, pageSize: size,
    after: token ? { a: token.a, b: token.b, c: token.c } : undefined, fingerprint,
  };
}

export function pageTokenFor(req: CatalogRequest, next: Cursor): string {
  return encodePageToken({ f: req.fingerprint, a: next.a, b: next.b, c: next.c });
}

/** The cache key's request part: everything that decides the answer. */
export function normalizedRequest(req: CatalogRequest): string {
  return JSON.stringify([req.fingerprint, req.pageSize, req.after ? [req.after.a, req.after.b, req.after.c] : null]);
}

export interface NormalizedSuggest {
  prefix: string;
  limit: number;
}

export function validateSuggestRequest(req: SuggestRequest): NormalizedSuggest {
  text(req.prefix, "prefix", { min: 1, max: LIMITS.prefix });
  // A trailing space matters here: "samsung " has finished its word, "samsung" may still be typing it.
  return { prefix: req.prefix.trimStart(), limit: pageSize(req.limit, "limit", LIMITS.suggestDefault, LIMITS.suggestMax) };
}
