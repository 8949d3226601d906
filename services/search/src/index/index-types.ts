// What the parts of the search index share: the query and result shapes, the price buckets and the tuning
// constants of ranking, planning and summaries.
import { words } from "../domain/text.js";
import { Sort, type Cursor } from "./collector.js";
import { FIELD } from "./documents.js";

/** Lower bounds of the price-range facet buckets, in minor units of the store currency (USD cents). */
export const PRICE_BUCKET_FLOORS = [0, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000] as const;
/** Bucket of an item priced in another currency: in no price range, never within a price filter. */
export const NO_BUCKET = PRICE_BUCKET_FLOORS.length;
export const STORE_CURRENCY = "USD";

export interface SearchQuery {
  /** Raw query text (may be empty: browsing). */
  text: string;
  /** Category index in the tree, or -1. */
  category: number;
  /** Brand names to keep (exact, as facets report them); empty keeps all. */
  brands: readonly string[];
  /** Inclusive bounds in minor units of the store currency; undefined is unbounded. */
  minPrice?: number;
  maxPrice?: number;
  inStockOnly: boolean;
  sort: Sort;
  limit: number;
  after?: Cursor;
}

export interface FacetCount<T> {
  value: T;
  count: number;
}

export interface SearchHits {
  ords: number[];
  total: number;
  next?: Cursor;
  categories: FacetCount<number>[];
  brands: FacetCount<string>[];
  /** Bucket index into PRICE_BUCKET_FLOORS. */
  priceRanges: FacetCount<number>[];
  /** Query words that matched nothing, even with typo tolerance (they were left out). */
  ignoredWords: string[];
}

export interface PreparedQuery {
  text: string;
  plans: WordPlan[];
  ignored: string[];
  hadWords: boolean;
  /** Upper bound of the candidates the query examines: its cost. */
  candidates: number;
}

export interface Suggestions {
  items: { ord: number; text: string }[];
  categories: { category: number; text: string }[];
}

/** An item as a result page shows it. */
export interface ItemView {
  itemId: string;
  name: string;
  brand: string;
  priceMinor: number;
  currency: string;
  imageUrl: string;
  categoryId: string;
  /** -1 when the tree does not know the category. */
  category: number;
  stock: number;
  lowStock: boolean;
  live: boolean;
}

/** Weight of a word found in these fields: the best field counts fully, the others a little. */
export const FIELD_WEIGHT = (() => {
  const table = new Float64Array(64);
  for (let bits = 0; bits < 64; bits++) {
    const ws: number[] = [];
    if (bits & FIELD.name) ws.push(10 + (bits & FIELD.nameFirst ? 2 : 0));
    if (bits & FIELD.brand) ws.push(6);
    if (bits & FIELD.category) ws.push(4);
    if (bits & FIELD.description) ws.push(1);
    ws.sort((x, y) => y - x);
    table[bits] = ws.length ? ws[0] + 0.25 * ws.slice(1).reduce((s, w) => s + w, 0) : 0;
    // The word names what the item is (a head noun of its category: "TVs", "Cases"): a TV, not a TV mount.
    if (bits & FIELD.categoryHead) table[bits] += 5;
  }
  return table;
})();

/** How much a match through a variant counts against the word as typed. */
export const QUALITY = { exact: 1, synonym: 0.9, prefix: 0.75, typo1: 0.6, typo2: 0.45 } as const;
/** Every query word is in the name. */
export const ALL_IN_NAME_BONUS = 5;
/** The query is the name (the same words). */
export const EXACT_NAME_BONUS = 25;
/** Descriptions are long and weigh little: their first words are enough to find an item by. */
export const MAX_DESCRIPTION_TERMS = 300;
/** Membership of a category (and its ancestors) is indexed as a term: browsing a category walks its list. */
export const CATEGORY_TERM = "\u0001";
/** A word found in more items than this is not expanded with its synonyms. */
export const SYNONYMS_UP_TO_DF = 1_000;
/** Query words beyond this are ignored (a pasted paragraph must not cost a pass per word). */
export const MAX_QUERY_WORDS = 16;
/** How long the completions of a one- or two-letter prefix are reused. */
export const SHORT_COMPLETIONS_MS = 10_000;
/** Autocomplete examines at most this many items of its rarest word. */
export const SUGGEST_LEAD_LIMIT = 4_000;
/** Autocomplete ranks at most this many name matches (a one-letter prefix matches half the catalog). */
export const SUGGEST_SCAN_LIMIT = 1_500;
/** One-word searches of a term in at least this many items are answered from its summary (term-summaries.ts). */
export const SUMMARY_MIN_POSTINGS = 5_000;
/** Memory the summaries may take (the least recently used go first): ~5 bytes per posting, ~30 KB of counts each. */
export const SUMMARY_BUDGET_BYTES = 96 << 20;
/**
 * A term is summarized once asked for this many times within SUMMARY_WINDOW_MS: building one costs about ten
 * passes over its matches, worth it for the words shoppers keep asking for, not for a broad word asked once.
 */
export const SUMMARY_AFTER_QUERIES = 8;
export const SUMMARY_WINDOW_MS = 60_000;

export interface Variant {
  term: number;
  quality: number;
}

export interface WordPlan {
  word: string;
  variants: Variant[];
  /** Upper bound of the matches (sum of the variants' posting lengths). */
  size: number;
}

export function priceBucket(priceMinor: number, currency = STORE_CURRENCY): number {
  if (currency !== STORE_CURRENCY) return NO_BUCKET;
  let b = 0;
  while (b + 1 < PRICE_BUCKET_FLOORS.length && priceMinor >= PRICE_BUCKET_FLOORS[b + 1]) b++;
  return b;
}
