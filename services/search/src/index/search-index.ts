// The in-memory search index over the read model: every item gets an ordinal; per-item facts live in typed
// arrays by ordinal; every term has a posting list of (ordinal, field bits), sorted by ordinal.
//
// Posting lists come in two tiers: a compact base (one CSR block built in bulk at start-up) and, per term, a
// growable delta for what arrived since. An item is never edited inside a posting list: a new item, or an
// item whose text changed, gets a fresh ordinal (always the largest so far), so every append keeps the lists
// sorted; the old ordinal is simply marked dead. Price, stock, image and status changes update the columns in
// place. This is Lucene's "delete + add", without segments to merge at our sizes.
//
// A query leapfrogs the posting lists of its words (document at a time, galloping), then one tight pass over
// the matches applies filters, counts facets and keeps a bounded top-k. Browsing the whole catalog without
// filters reads facet counts that are maintained as items change, and so does one broad word asked for often
// (term-summaries.ts).
import { CategoryTree } from "../domain/categories.js";
import { TypoDictionary } from "../domain/fuzzy.js";
import { fold, isAlphaWord, stem, STOPWORDS, SYNONYMS, words } from "../domain/text.js";
import { Collector, HOT, packHot, Sort, TopK, type Columns, type Cursor } from "./collector.js";
import { intersect, WordCursor, type Source } from "./cursor.js";
import { FIELD, hash32, textHash, type ItemDoc, type StockDoc } from "./documents.js";
import { grow } from "./grow.js";
import { Interner, ItemIdTable, TextColumn } from "./item-texts.js";
import { SortedView } from "./sorted-view.js";
import { PostingStore } from "./postings.js";
import { ChangeLog, TermSummary, type SummarySource } from "./term-summaries.js";
import { TermTable, type TermSink } from "./terms.js";

export { Sort, type Cursor };

/** Lower bounds of the price-range facet buckets, in minor units of the store currency (USD cents). */
export const PRICE_BUCKET_FLOORS = [0, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000] as const;
/** Bucket of an item priced in another currency: in no price range, never within a price filter. */
const NO_BUCKET = PRICE_BUCKET_FLOORS.length;
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
const FIELD_WEIGHT = (() => {
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
const QUALITY = { exact: 1, synonym: 0.9, prefix: 0.75, typo1: 0.6, typo2: 0.45 } as const;
/** Every query word is in the name. */
const ALL_IN_NAME_BONUS = 5;
/** The query is the name (the same words). */
const EXACT_NAME_BONUS = 25;
/** Descriptions are long and weigh little: their first words are enough to find an item by. */
const MAX_DESCRIPTION_TERMS = 300;
/** Membership of a category (and its ancestors) is indexed as a term: browsing a category walks its list. */
const CATEGORY_TERM = "\u0001";
/** A word found in more items than this is not expanded with its synonyms. */
const SYNONYMS_UP_TO_DF = 1_000;
/** Query words beyond this are ignored (a pasted paragraph must not cost a pass per word). */
const MAX_QUERY_WORDS = 16;
/** How long the completions of a one- or two-letter prefix are reused. */
const SHORT_COMPLETIONS_MS = 10_000;
/** Autocomplete examines at most this many items of its rarest word. */
const SUGGEST_LEAD_LIMIT = 4_000;
/** Autocomplete ranks at most this many name matches (a one-letter prefix matches half the catalog). */
const SUGGEST_SCAN_LIMIT = 1_500;
/** One-word searches of a term in at least this many items are answered from its summary (term-summaries.ts). */
const SUMMARY_MIN_POSTINGS = 5_000;
/** Memory the summaries may take (the least recently used go first): ~5 bytes per posting, ~30 KB of counts each. */
const SUMMARY_BUDGET_BYTES = 96 << 20;
/**
 * A term is summarized once asked for this many times within SUMMARY_WINDOW_MS: building one costs about ten
 * passes over its matches, worth it for the words shoppers keep asking for, not for a broad word asked once.
 */
const SUMMARY_AFTER_QUERIES = 8;
const SUMMARY_WINDOW_MS = 60_000;

interface Variant {
  term: number;
  quality: number;
}

interface WordPlan {
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

export class SearchIndex {
  // --- items by ordinal ---
  private n = 0;
  private liveCount = 0;
  /** Texts per item, kept off the JS heap (see item-texts.ts). */
  private readonly ids = new ItemIdTable();
  private readonly names = new TextColumn();
  private readonly imageUrls = new TextColumn();
  private readonly categoryIds = new Interner();
  private categoryIdOf = new Int32Array(0);
  private readonly currencies = new Interner();
  private currencyOf = new Int32Array(0);
  /** What every candidate of every query reads: small per-fact arrays (see Columns). */
  private hot = new Uint32Array(0);
  private brandOf = new Int32Array(0);

  private stockOf = new Int32Array(0);
  private lowStock = new Uint8Array(0);
  /** keys[2 ord] = price (minor units), keys[2 ord + 1] = creation time (ms). */
  private keys = new Float64Array(0);
  private categoryOf = new Int32Array(0);
  private version = new Float64Array(0);
  private textHashOf = new Int32Array(0);
  private memberHash = new Int32Array(0);
  private stockSeq = new Float64Array(0);
  /** Stock announced for items not seen yet (the two event streams are not ordered with each other). */
  private readonly pendingStock = new Map<string, StockDoc>();

  private readonly brands = new Interner();

  // --- terms and postings ---
  private readonly terms = new TermTable((id, text) => this.registerTerm(id, text));
  private df = new Int32Array(0);
  private nameDf = new Int32Array(0);
  /** Every term with the fields it occurs in. */
  private readonly postings = new PostingStore();
  /** Name words only: what autocomplete walks (a prefix's words occur far more often elsewhere). */
  private readonly namePostings = new PostingStore();
  private bulk = false;
  /** Letters-only words, sorted: prefix completion (rebuilt lazily after new words arrive). */
  private words: string[] = [];
  /** Term id of each entry of `words`. */
  private wordIds: number[] = [];
  private wordsDirty = false;
  /** Completions of one- and two-letter prefixes (thousands of words each), kept for a few seconds. */
  private readonly shortCompletions = new Map<string, { at: number; ids: number[] }>();
  private readonly typos = new TypoDictionary((id) => this.terms.texts[id]);


  // --- per-document scratch for tokenizing ---
  private seenAt = new Int32Array(0);
  private slotOf = new Int32Array(0);
  private readonly docTerms: number[] = [];
  private readonly docBits: number[] = [];
  private readonly categoryTermCache = new Map<string, { ids: number[]; bits: number[] }>();
  private readonly shortTextCache = new Map<string, number[]>();

  // --- counts over every item on sale, and over those in stock, for browsing without a category or a price
  // filter (categories by pre-order + 1) ---
  private readonly allByCategory: Int32Array;
  private allByBrand = new Int32Array(0);
  private readonly allByBucket = new Int32Array(NO_BUCKET + 1);
  private readonly stockByCategory: Int32Array;
  private stockByBrand = new Int32Array(0);
  private readonly stockByBucket = new Int32Array(NO_BUCKET + 1);

  // --- cache fingerprints per category group (index tree.size: unknown category) ---
  private readonly groupXor: Int32Array;
  private readonly groupCount: Int32Array;
  private readonly stockXor: Int32Array;
  private readonly stockCount: Int32Array;
  private allXor = 0;
  private allStockXor = 0;
  private allStockCount = 0;

  // --- the whole catalog in each sort order, for browsing without filters ---
  private readonly views: Record<Exclude<Sort, Sort.Relevance>, SortedView>;

  // --- summaries of broad terms, and the changes they catch up with ---
  private readonly summaries = new Map<number, TermSummary>();
  private readonly summaryMinPostings: number;
  private readonly summaryAfterQueries: number;
  private readonly changes = new ChangeLog();
  private summaryClock = 0;
  private summaryBytes = 0;
  /** Queries of broad terms not summarized yet, in the current window. */
  private readonly unsummarized = new Map<number, number>();
  private windowStart = 0;

  /** The summary settings are for tests: summarizing small terms at once exercises summaries on small catalogs. */
  constructor(
    readonly tree: CategoryTree,
    { summaryMinPostings = SUMMARY_MIN_POSTINGS, summaryAfterQueries = SUMMARY_AFTER_QUERIES } = {},
  ) {
    this.summaryMinPostings = summaryMinPostings;
    this.summaryAfterQueries = summaryAfterQueries;
    if (tree.size >= 0xffff) throw new Error(`the index handles up to 65,534 categories, not ${tree.size}`);
    const live = (ord: number) => this.isLive(ord);
    this.views = {
      [Sort.Newest]: new SortedView((ord, k) => { k[0] = this.keys[2 * ord + 1]; k[1] = ord; k[2] = 0; }, live),
      [Sort.PriceAscending]: new SortedView((ord, k) => { k[0] = -this.keys[2 * ord]; k[1] = this.keys[2 * ord + 1]; k[2] = ord; }, live),
      [Sort.PriceDescending]: new SortedView((ord, k) => { k[0] = this.keys[2 * ord]; k[1] = this.keys[2 * ord + 1]; k[2] = ord; }, live),
    };
    this.groupXor = new Int32Array(tree.size + 1);
    this.groupCount = new Int32Array(tree.size + 1);
    this.stockXor = new Int32Array(tree.size + 1);
    this.stockCount = new Int32Array(tree.size + 1);
    this.allByCategory = new Int32Array(tree.size + 1);
    this.stockByCategory = new Int32Array(tree.size + 1);
  }

  /** Items on sale. */
  get size(): number {
    return this.liveCount;
  }

  /** Ordinals in use, dead ones included. */
  get ordinals(): number {
    return this.n;
  }

  get vocabulary(): number {
    return this.terms.size;
  }

  view(ord: number): ItemView {
    return {
      itemId: this.ids.idOf(ord),
      name: this.names.get(ord),
      brand: this.brands.texts[this.brandOf[ord]],
      priceMinor: this.keys[2 * ord],
      currency: this.currencies.texts[this.currencyOf[ord]],
      imageUrl: this.imageUrls.get(ord),
      categoryId: this.categoryIds.texts[this.categoryIdOf[ord]],
      category: this.categoryOf[ord],
      stock: this.stockOf[ord],
      lowStock: this.lowStock[ord] === 1,
      live: this.isLive(ord),
    };
  }

  /** The item's current view by id, if the index has it. */
  viewById(itemId: string): ItemView | undefined {
    const ord = this.ids.ordOf(itemId);
    return ord < 0 ? undefined : this.view(ord);
  }

  /** The item's current ordinal, or -1 when the index does not know it. */
  ordOf(itemId: string): number {
    return this.ids.ordOf(itemId);
  }

  /** The item id at an ordinal, without reading the rest of its view. */
  idOf(ord: number): string {
    return this.ids.idOf(ord);
  }

  /**
   * What view(ord) shows changes only with these two: an ordinal's item facts change in place only with a newer
   * version (upsert; a new text takes a new ordinal), its stock only with a newer sequence (applyStock). A caller
   * can keep what it made of a view (an encoded result row) while both hold, without reading the view again.
   */
  versionOf(ord: number): number {
    return this.version[ord];
  }

  stockSequenceOf(ord: number): number {
    return this.stockSeq[ord];
  }

  isLive(ord: number): boolean {
    return (this.hot[ord] & HOT.alive) !== 0;
  }

  private pre1(ord: number): number {
    return (this.hot[ord] >>> HOT.preShift) & HOT.preMask;
  }

  private bucket(ord: number): number {
    return (this.hot[ord] >>> HOT.bucketShift) & HOT.bucketMask;
  }

  private nameTermsOf(ord: number): number {
    return (this.hot[ord] >>> HOT.nameTermsShift) & HOT.nameTermsMask;
  }

  private columns(): Columns {
    return {
      hot: this.hot, brand: this.brandOf, stock: this.stockOf, keys: this.keys,
    };
  }

  // ------------------------------------------------------------------------------------------ writes

  /** Start-up: postings are collected flat and compacted by endBulk(). */
  beginBulk(expectedItems = 1024): void {
    this.bulk = true;
    this.postings.beginBulk(expectedItems * 48);
    this.namePostings.beginBulk(expectedItems * 10);
    this.ensureCapacity(expectedItems);
  }

  endBulk(): void {
    if (!this.bulk) return;
    this.bulk = false;
    this.postings.endBulk(this.terms.size);
    this.namePostings.endBulk(this.terms.size);
    this.summaries.clear();
    this.summaryBytes = 0;
    this.wordsDirty = true;
  }

  /**
   * Builds now what the first queries would otherwise build while a shopper waits: the whole catalog in each
   * sort order (1.2-1.7 s per order at 1M items) and the sorted word list for completions. For start-up, before
   * the index answers.
   */
  warm(): void {
    for (const view of Object.values(this.views)) view.refresh(this.n);
    this.refreshWords();
  }

  /**
   * Applies an item as of its version. Returns false when the index already holds that version or a newer
   * one (replays and redeliveries change nothing).
   */
  upsert(doc: ItemDoc): boolean {
    const found = this.ids.ordOf(doc.itemId);
    const old = found < 0 ? undefined : found;
    if (old !== undefined && this.version[old] >= doc.version) return false;
    const text = textHash(doc) | 0;
    if (old !== undefined && this.textHashOf[old] === text) {
      this.exclude(old);
      this.version[old] = doc.version;
      if (!this.imageUrls.equals(old, doc.imageUrl)) this.imageUrls.set(old, doc.imageUrl);
      this.setPrice(old, doc.priceMinor, doc.currency, doc.itemId);
      this.setLive(old, doc.active);
      this.include(old);
      return true;
    }
    const ord = this.append(doc, text);
    if (old !== undefined) {
      // Re-indexed under a new ordinal: carry the stock over, retire the old one.
      this.setStock(ord, this.stockOf[old], this.lowStock[old] === 1, this.stockSeq[old]);
      this.exclude(old);
      this.setLive(old, false);
      this.version[old] = -1;
    } else {
      const pending = this.pendingStock.get(doc.itemId);
      if (pending) {
        this.pendingStock.delete(doc.itemId);
        this.setStock(ord, pending.available, pending.lowStock, pending.sequence);
      }
    }
    this.ids.assign(doc.itemId, ord);
    this.include(ord);
    return true;
  }

  /** Applies stock as of its sequence; false when an equal or newer sequence is already known. */
  applyStock(s: StockDoc): boolean {
    const ord = this.ids.ordOf(s.itemId);
    if (ord < 0) {
      const known = this.pendingStock.get(s.itemId);
      if (known && known.sequence >= s.sequence) return false;
      this.pendingStock.set(s.itemId, s);
      return true;
    }
    if (this.stockSeq[ord] >= s.sequence) return false;
    this.exclude(ord, true);
    this.setStock(ord, s.available, s.lowStock, s.sequence);
    this.include(ord, true);
    return true;
  }

  private setLive(ord: number, live: boolean): void {
    const was = this.isLive(ord);
    if (was === live) return;
    this.hot[ord] = (this.hot[ord] ^ HOT.alive) >>> 0;
    this.liveCount += live ? 1 : -1;
  }

  private setStock(ord: number, available: number, low: boolean, sequence: number): void {
    this.stockOf[ord] = available;
    this.lowStock[ord] = low ? 1 : 0;
    this.stockSeq[ord] = sequence;
  }

  private setPrice(ord: number, priceMinor: number, currency: string, itemId: string): void {
    if (this.keys[2 * ord] !== priceMinor) {
      this.views[Sort.PriceAscending].touched(ord);
      this.views[Sort.PriceDescending].touched(ord);
    }
    this.keys[2 * ord] = priceMinor;
    this.currencyOf[ord] = this.currencies.add(currency);
    this.hot[ord] = packHot(this.isLive(ord), priceBucket(priceMinor, currency), this.nameTermsOf(ord), this.pre1(ord));
    this.memberHash[ord] = hash32(`${priceMinor}${currency}`, hash32(itemId, this.textHashOf[ord]));
  }

  private ensureCapacity(min: number): void {
    if (this.version.length >= min) return;
    const cap = Math.max(min, this.version.length * 2, 1024);
    this.hot = grow(this.hot, cap);
    this.brandOf = grow(this.brandOf, cap);

    this.stockOf = grow(this.stockOf, cap);
    this.lowStock = grow(this.lowStock, cap);
    this.keys = grow(this.keys, cap * 2);
    this.categoryOf = grow(this.categoryOf, cap);
    this.categoryIdOf = grow(this.categoryIdOf, cap);
    this.currencyOf = grow(this.currencyOf, cap);
    this.version = grow(this.version, cap);
    this.textHashOf = grow(this.textHashOf, cap);
    this.memberHash = grow(this.memberHash, cap);
    this.stockSeq = grow(this.stockSeq, cap);
  }

  private termId(text: string): number {
    return this.terms.add(text);
  }

  /** Called by the term table for every new term: letters-only words join typo and completion dictionaries. */
  private registerTerm(id: number, text: string): void {
    this.df = grow(this.df, id + 1);
    this.nameDf = grow(this.nameDf, id + 1);
    this.seenAt = grow(this.seenAt, id + 1);
    this.slotOf = grow(this.slotOf, id + 1);
    this.seenAt[id] = -1;
    if (text.charCodeAt(0) !== 1 && isAlphaWord(text)) {
      this.typos.add(id, text);
      // In bulk the sorted list is built once at the end; afterwards a new word is inserted in place.
      if (this.bulk || this.wordsDirty) this.wordsDirty = true;
      else this.insertWord(text);
    }
  }

  private insertWord(word: string): void {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid] < word) lo = mid + 1;
      else hi = mid;
    }
    this.words.splice(lo, 0, word);
    this.wordIds.splice(lo, 0, this.terms.get(word));
  }

  private append(doc: ItemDoc, text: number): number {
    const ord = this.n++;
    this.ensureCapacity(this.n);
    const cat = this.tree.indexOf(doc.categoryId);
    const brand = this.brands.add(doc.brand);
    this.allByBrand = grow(this.allByBrand, brand + 1);
    this.stockByBrand = grow(this.stockByBrand, brand + 1);
    this.names.set(ord, doc.name);
    this.imageUrls.set(ord, doc.imageUrl);
    this.categoryIdOf[ord] = this.categoryIds.add(doc.categoryId);
    this.categoryOf[ord] = cat;
    this.hot[ord] = packHot(false, 0, 0, cat >= 0 ? this.tree.pre[cat] + 1 : 0);
    this.brandOf[ord] = brand;
    this.keys[2 * ord + 1] = doc.createdMs;
    this.version[ord] = doc.version;
    this.textHashOf[ord] = text;
    this.setPrice(ord, doc.priceMinor, doc.currency, doc.itemId);
    this.setStock(ord, 0, false, -1);
    this.setLive(ord, doc.active);
    const nameWords = this.indexText(ord, doc, cat);
    this.hot[ord] = packHot(this.isLive(ord), this.bucket(ord), nameWords, this.pre1(ord));
    return ord;
  }

  /** Term ids (and field bits) of a category's path names and memberships: the same for all its items. */
  private categoryTerms(cat: number, categoryId: string): { ids: number[]; bits: number[] } {
    let hit = this.categoryTermCache.get(categoryId);
    if (!hit) {
      hit = { ids: [], bits: [] };
      if (cat >= 0) {
        const heads = this.tree.headTerms[cat];
        for (const t of this.tree.pathTerms[cat]) {
          hit.ids.push(this.termId(t));
          hit.bits.push(FIELD.category | (heads.includes(t) ? FIELD.categoryHead : 0));
        }
        for (const c of this.tree.paths[cat]) {
          hit.ids.push(this.termId(CATEGORY_TERM + this.tree.ids[c]));
          hit.bits.push(0);
        }
      } else {
        hit.ids.push(this.termId(CATEGORY_TERM + categoryId));
        hit.bits.push(0);
      }
      this.categoryTermCache.set(categoryId, hit);
    }
    return hit;
  }

  /** Term ids of short repeated texts (brands). */
  private shortTextTerms(text: string): number[] {
    let ids = this.shortTextCache.get(text);
    if (!ids) {
      const found: number[] = [];
      this.terms.scan(text, true, { term: (id) => found.push(id) });
      ids = found;
      if (this.shortTextCache.size < 200_000) this.shortTextCache.set(text, ids);
    }
    return ids;
  }

  private addDocTerm(ord: number, id: number, bits: number): void {
    if (this.seenAt[id] === ord) {
      this.docBits[this.slotOf[id]] |= bits;
    } else {
      this.seenAt[id] = ord;
      this.slotOf[id] = this.docTerms.length;
      this.docTerms.push(id);
      this.docBits.push(bits);
    }
  }

  // What the term sink is collecting: the item and the field of the text being scanned.
  private sinkOrd = 0;
  private sinkField: "name" | "description" = "name";
  private sinkNameWords = 0;
  private readonly sink: TermSink = {
    term: (id, position) => {
      const ord = this.sinkOrd;
      if (this.sinkField === "name") {
        if (this.seenAt[id] !== ord) this.sinkNameWords++;
        this.addDocTerm(ord, id, position === 0 ? FIELD.name | FIELD.nameFirst : FIELD.name);
      } else if (position < MAX_DESCRIPTION_TERMS) {
        this.addDocTerm(ord, id, FIELD.description);
      }
    },
  };

  /** Writes the item's terms (with the fields they occur in) to the postings; returns its distinct name words. */
  private indexText(ord: number, doc: ItemDoc, cat: number): number {
    const docTerms = this.docTerms;
    const docBits = this.docBits;
    docTerms.length = 0;
    docBits.length = 0;
    this.sinkOrd = ord;
    this.sinkField = "name";
    this.sinkNameWords = 0;
    this.terms.scan(doc.name, true, this.sink);
    const nameWords = this.sinkNameWords;
    for (const id of this.shortTextTerms(doc.brand)) this.addDocTerm(ord, id, FIELD.brand);
    const ct = this.categoryTerms(cat, doc.categoryId);
    for (let i = 0; i < ct.ids.length; i++) this.addDocTerm(ord, ct.ids[i], ct.bits[i]);
    this.sinkField = "description";
    this.terms.scan(doc.description, true, this.sink);
    this.terms.scan(doc.attributeText, true, this.sink);

    for (let i = 0; i < docTerms.length; i++) {
      const id = docTerms[i];
      const bits = docBits[i];
      this.df[id]++;
      this.postings.add(id, ord, bits);
      if (bits & FIELD.name) {
        this.nameDf[id]++;
        this.namePostings.add(id, ord, bits);
      }
    }
    return nameWords;
  }

  /**
   * Removes a live item's contribution from the counts and fingerprints (before it changes). `stockOnly`:
   * only its stock changes, which no summary counts.
   */
  private exclude(ord: number, stockOnly = false): void {
    if (this.isLive(ord)) this.count(ord, -1, stockOnly);
  }

  private include(ord: number, stockOnly = false): void {
    if (this.isLive(ord)) this.count(ord, 1, stockOnly);
  }

  private count(ord: number, sign: 1 | -1, stockOnly: boolean): void {
    if (!stockOnly && this.summaries.size) this.changes.push(ord, sign, this.pre1(ord), this.brandOf[ord], this.bucket(ord));
    const cat = this.categoryOf[ord];
    const g = cat >= 0 ? this.tree.group[cat] : this.tree.size;
    this.groupXor[g] ^= this.memberHash[ord];
    this.groupCount[g] += sign;
    this.allXor ^= this.memberHash[ord];
    if (this.stockOf[ord] > 0) {
      this.stockXor[g] ^= this.memberHash[ord];
      this.stockCount[g] += sign;
      this.allStockXor ^= this.memberHash[ord];
      this.allStockCount += sign;
      this.stockByCategory[this.pre1(ord)] += sign;
      this.stockByBrand[this.brandOf[ord]] += sign;
      this.stockByBucket[this.bucket(ord)] += sign;
    }
    this.allByCategory[this.pre1(ord)] += sign;
    this.allByBrand[this.brandOf[ord]] += sign;
    this.allByBucket[this.bucket(ord)] += sign;
  }

  /**
   * Fingerprint of everything a listing scoped to `category` (-1: all) can show: which items, their text
   * and price, and (for in-stock listings) which have stock. Equal fingerprints, equal results; so it is part
   * of the cache key, and a change invalidates exactly the cached listings whose scope it touched.
   */
  scopeFingerprint(category: number, inStockOnly: boolean): string {
    let x = 0;
    let c = 0;
    let sx = 0;
    let sc = 0;
    const visit = (g: number) => {
      x ^= this.groupXor[g];
      c += this.groupCount[g];
      sx ^= this.stockXor[g];
      sc += this.stockCount[g];
    };
    if (category >= 0) {
      this.tree.scopeGroups(category).forEach(visit);
    } else {
      x = this.allXor;
      c = this.liveCount;
      sx = this.allStockXor;
      sc = this.allStockCount;
    }
    const base = `${(x >>> 0).toString(36)}.${c.toString(36)}`;
    return inStockOnly ? `${base}.${(sx >>> 0).toString(36)}.${sc.toString(36)}` : base;
  }

  // ------------------------------------------------------------------------------------------ reads

  private postingLength(term: number): number {
    return this.postings.length(term);
  }

  private sources(term: number, quality: number, out: Source[]): void {
    this.postings.sources(term, quality, out);
  }

  private cursor(plan: WordPlan, store: PostingStore = this.postings): WordCursor {
    const sources: Source[] = [];
    for (const v of plan.variants) store.sources(v.term, v.quality, sources);
    return new WordCursor(sources, plan.variants.reduce((n, v) => n + store.length(v.term), 0));
  }

  /** The union of a word's variants, ascending, with the relevance of the best variant per item. */
  private mergeVariants(plan: WordPlan): { ords: Int32Array; rels: Float64Array; count: number } {
    const sources: Source[] = [];
    for (const v of plan.variants) this.sources(v.term, v.quality, sources);
    const relOf = (bits: number, quality: number, ord: number) => {
      let rel = FIELD_WEIGHT[bits] * quality;
      if (bits & FIELD.name) {
        const words = this.nameTermsOf(ord);
        rel += ALL_IN_NAME_BONUS + (words === 1 ? EXACT_NAME_BONUS : 0);
      }
      return rel;
    };
    let ords = new Int32Array(0);
    let rels = new Float64Array(0);
    let count = 0;
    // Pairwise linear merges: the union so far with the next source.
    for (const s of sources) {
      const nextOrds = new Int32Array(count + (s.to - s.from));
      const nextRels = new Float64Array(nextOrds.length);
      let i = 0;
      let j = s.from;
      let o = 0;
      while (i < count || j < s.to) {
        if (j >= s.to || (i < count && ords[i] < s.ords[j])) {
          nextOrds[o] = ords[i];
          nextRels[o++] = rels[i++];
        } else {
          const ord = s.ords[j];
          const rel = relOf(s.bits[j], s.quality, ord);
          j++;
          if (i < count && ords[i] === ord) {
            nextOrds[o] = ord;
            nextRels[o++] = Math.max(rels[i++], rel);
          } else {
            nextOrds[o] = ord;
            nextRels[o++] = rel;
          }
        }
      }
      ords = nextOrds;
      rels = nextRels;
      count = o;
    }
    return { ords, rels, count };
  }

  /** Sorts the letters-only words again after a bulk load added many. */
  private refreshWords(): void {
    if (!this.wordsDirty) return;
    const ids: number[] = [];
    this.terms.texts.forEach((t, id) => {
      if (t.charCodeAt(0) !== 1 && !this.terms.isStopword(id) && isAlphaWord(t)) ids.push(id);
    });
    ids.sort((a, b) => (this.terms.texts[a] < this.terms.texts[b] ? -1 : 1));
    this.wordIds = ids;
    this.words = ids.map((id) => this.terms.texts[id]);
    this.wordsDirty = false;
    this.shortCompletions.clear();
  }

  /** Prefix completions among letters-only words, the most frequent (in names, for autocomplete) first. */
  private completions(prefix: string, max: number, byName: boolean): number[] {
    this.refreshWords();
    const short = prefix.length <= 2;
    const key = `${byName ? "n" : "a"}${max}:${prefix}`;
    if (short) {
      const hit = this.shortCompletions.get(key);
      if (hit && Date.now() - hit.at < SHORT_COMPLETIONS_MS) return hit.ids;
    }
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const counts = byName ? this.nameDf : this.df;
    const top = new TopK(max);
    for (let i = lo; i < this.words.length && this.words[i].startsWith(prefix); i++) {
      const id = this.wordIds[i];
      if (counts[id] > 0) top.offer(counts[id], -id, 0, id);
    }
    const ids = top.sorted().map((e) => e.ord);
    if (short) this.shortCompletions.set(key, { at: Date.now(), ids });
    return ids;
  }

  /** The variants a query word is matched through: itself, synonyms, typo neighbours, completions. */
  private planWord(word: string, last: boolean): WordPlan {
    const variants = new Map<number, number>();
    const put = (term: number, quality: number) => {
      if ((variants.get(term) ?? 0) < quality) variants.set(term, quality);
    };
    const exact = this.terms.get(word);
    const exactDf = exact < 0 ? 0 : this.df[exact];
    if (exactDf > 0) put(exact, QUALITY.exact);
    // Synonyms help a word that finds little; a common word ("tv") finds plenty as typed, and merging in
    // another large list would cost more than it adds.
    if (exactDf < SYNONYMS_UP_TO_DF) {
      for (const s of SYNONYMS[word] ?? []) {
        const id = this.terms.get(s);
        if (id >= 0 && this.df[id] > 0) put(id, QUALITY.synonym);
      }
    }
    const alpha = isAlphaWord(word);
    if (alpha && exactDf < 3) {
      // Unknown or very rare as typed: most likely a typo of a common word ("samsnug").
      let taken = 0;
      for (const hit of this.typos.lookup(word)) {
        // A known but rare word is kept as typed unless a neighbour is far more common.
        if (this.df[hit.id] < (exactDf === 0 ? 1 : exactDf * 20)) continue;
        put(hit.id, hit.edits === 1 ? QUALITY.typo1 : QUALITY.typo2);
        if (++taken === 3) break;
      }
    }
    if (alpha && last && word.length >= 2 && exactDf === 0) {
      for (const id of this.completions(word, word.length < 3 ? 5 : 12, false)) put(id, QUALITY.prefix);
    }
    const list = [...variants].map(([term, quality]) => ({ term, quality }));
    return { word, variants: list, size: list.reduce((s, v) => s + this.postingLength(v.term), 0) };
  }

  /** Query words as the index sees them: folded, plurals folded, stopwords dropped. */
  static queryWords(text: string): string[] {
    const out: string[] = [];
    for (const w of words(fold(text))) {
      const s = stem(w);
      if (!STOPWORDS.has(s)) out.push(s);
    }
    return out;
  }

  /**
   * Plans a query: the variants of each word, and an upper bound of the candidates it will examine (what
   * it costs). search() accepts the plan back, so a caller can decide on the cost before paying it.
   */
  prepare(q: Pick<SearchQuery, "text" | "category"> & Partial<SearchQuery>): PreparedQuery {
    const ws = [...new Set(SearchIndex.queryWords(q.text))].slice(0, MAX_QUERY_WORDS);
    const plans: WordPlan[] = [];
    const ignored: string[] = [];
    ws.forEach((w, i) => {
      const p = this.planWord(w, i === ws.length - 1);
      if (p.variants.length) plans.push(p);
      else ignored.push(w);
    });
    const summarized = this.summarizedTerm(q, plans);
    const summary = summarized >= 0 ? this.summaries.get(summarized) : undefined;
    let candidates: number;
    if (summary) candidates = (q.limit ?? 0) + 1 + summary.unordered(this.postingLength(summarized));
    else if (plans.length) candidates = Math.min(...plans.map((p) => p.size));
    else if (ws.length) candidates = 0;
    else if (q.category >= 0) candidates = this.postingLength(this.terms.get(CATEGORY_TERM + this.tree.ids[q.category]));
    else candidates = this.liveCount;
    return { text: q.text, plans, ignored, hadWords: ws.length > 0, candidates };
  }

  search(q: SearchQuery, prepared?: PreparedQuery): SearchHits {
    const { plans, ignored, hadWords } = prepared && prepared.text === q.text ? prepared : this.prepare(q);
    const k = plans.length;
    const sort = q.sort === Sort.Relevance && k === 0 ? Sort.Newest : q.sort;
    const hasFilters = q.brands.length > 0 || q.minPrice !== undefined || q.maxPrice !== undefined || q.inStockOnly;
    let brandMask: Uint8Array | null = null;
    if (q.brands.length) {
      brandMask = new Uint8Array(this.brands.size);
      for (const b of q.brands) {
        const i = this.brands.get(b);
        if (i >= 0) brandMask[i] = 1;
      }
    }
    const run = new Collector(this.columns(), {
      sort, limit: q.limit, after: q.after,
      catLo: q.category >= 0 ? this.tree.pre[q.category] : -1,
      catHi: q.category >= 0 ? this.tree.end[q.category] : -1,
      brandMask, minPrice: q.minPrice, maxPrice: q.maxPrice, inStockOnly: q.inStockOnly,
      brands: this.brands.size, categories: this.tree.size, noBucket: NO_BUCKET,
    });

    const summarized = this.summarizedTerm(q, plans);
    const src = summarized >= 0 ? this.summarySource() : undefined;
    const summary = src ? this.summary(summarized, src) : undefined;
    if (summary) {
      // One broad word, nothing filtered, by relevance: the page off the front of the term's summary.
      summary.collect(run, src!, q.limit, q.after);
      return this.result(run, q, ignored, summary);
    } else if (k === 1 && plans[0].variants.length === 1) {
      // One word through one term: its posting list is the candidate list, scored from the field bits.
      const sources: Source[] = [];
      this.sources(plans[0].variants[0].term, plans[0].variants[0].quality, sources);
      for (const s of sources) {
        run.scanBlock(s.ords, s.bits, s.from, s.to, FIELD_WEIGHT, s.quality, FIELD.name, ALL_IN_NAME_BONUS, EXACT_NAME_BONUS);
      }
    } else if (k === 1) {
      // One word through several terms (synonyms, typo neighbours, completions): merge them into one list,
      // each item once with its best variant, then one tight pass.
      const merged = this.mergeVariants(plans[0]);
      run.scanScored(merged.ords, merged.rels, merged.count);
    } else if (k > 0) {
      const exactPossible = ignored.length === 0;
      const single = plans.map((p) => {
        if (p.variants.length !== 1) return undefined;
        const sources: Source[] = [];
        this.sources(p.variants[0].term, p.variants[0].quality, sources);
        return sources.length === 1 ? sources[0] : undefined;
      });
      if (single.every((x) => x !== undefined)) {
        // Every word through one posting block (the usual case): a tight leapfrog over the arrays.
        this.leapfrog(single as Source[], run, exactPossible);
      } else {
        const cursors = plans.map((p) => this.cursor(p));
        intersect(cursors, Infinity, (ord) => {
          if (!run.isLive(ord)) return true;
          let rel = 0;
          let inName = 0;
          for (let i = 0; i < k; i++) {
            rel += cursors[i].weight(FIELD_WEIGHT, FIELD.name, false);
            inName += cursors[i].inName;
          }
          if (inName === k) rel += ALL_IN_NAME_BONUS + (exactPossible && run.nameTerms(ord) === k ? EXACT_NAME_BONUS : 0);
          run.offerScored(ord, rel);
          return true;
        });
      }
    } else if (!hadWords) {
      if (q.category >= 0) {
        // Browsing a category: walk its membership list instead of the whole catalog.
        const term = this.terms.get(CATEGORY_TERM + this.tree.ids[q.category]);
        const sources: Source[] = [];
        if (term >= 0) this.sources(term, 1, sources);
        for (const s of sources) run.scanBlock(s.ords, null, s.from, s.to, null, 1, 0, 0, 0);
      } else if (!hasFilters) {
        this.views[sort as Exclude<Sort, Sort.Relevance>].collect(run, this.n, q.limit, q.after);
        return this.result(run, q, ignored, { total: this.liveCount, byCategory: this.allByCategory, byBrand: this.allByBrand, byBucket: this.allByBucket });
      } else if (q.brands.length === 0 && q.minPrice === undefined && q.maxPrice === undefined) {
        // In stock only: the sorted view, passing over items without stock; counts kept as stock moves.
        const stock = this.stockOf;
        this.views[sort as Exclude<Sort, Sort.Relevance>].collect(run, this.n, q.limit, q.after, (ord) => stock[ord] > 0);
        return this.result(run, q, ignored, { total: this.allStockCount, byCategory: this.stockByCategory, byBrand: this.stockByBrand, byBucket: this.stockByBucket });
      } else {
        const brandTerm = q.minPrice === undefined && q.maxPrice === undefined ? this.brandWordTerm(q.brands) : -1;
        if (brandTerm >= 0) {
          // One brand: every item of it has the brand's words (as brand words), so the postings of its rarest
          // word hold them all; the collector keeps the brand's. Its facet, which ignores the brand filter, is
          // the kept count over the whole catalog.
          const sources: Source[] = [];
          this.sources(brandTerm, 1, sources);
          for (const s of sources) run.scanBlock(s.ords, null, s.from, s.to, null, 1, 0, 0, 0);
          return { ...this.result(run, q, ignored), brands: this.brandFacet(q.inStockOnly ? this.stockByBrand : this.allByBrand, q.brands) };
        }
        for (let ord = 0; ord < this.n; ord++) run.consider(ord, 0);
      }
    }
    return this.result(run, q, ignored);
  }

  /** The term whose summary answers the query (one broad word as typed, no filter, by relevance), or -1. */
  private summarizedTerm(q: Pick<SearchQuery, "category"> & Partial<SearchQuery>, plans: WordPlan[]): number {
    if (plans.length !== 1 || plans[0].variants.length !== 1 || q.sort !== Sort.Relevance || q.category >= 0) return -1;
    if (q.brands?.length || q.minPrice !== undefined || q.maxPrice !== undefined || q.inStockOnly) return -1;
    const v = plans[0].variants[0];
    return v.quality === QUALITY.exact && this.postingLength(v.term) >= this.summaryMinPostings ? v.term : -1;
  }

  /** The term's summary, up to date; undefined until the term was asked for often enough (or if it cannot be built). */
  private summary(term: number, src: SummarySource): TermSummary | undefined {
    let s = this.summaries.get(term);
    if (s) {
      const bytes = s.bytes;
      const current = s.catchUp(src, this.changes, this.postingLength(term));
      this.summaryBytes += (current ? s.bytes : 0) - bytes;
      if (!current) {
        this.summaries.delete(term);
        s = undefined;
      }
    }
    if (!s) {
      const now = Date.now();
      if (now - this.windowStart > SUMMARY_WINDOW_MS) {
        this.unsummarized.clear();
        this.windowStart = now;
      }
      const asked = (this.unsummarized.get(term) ?? 0) + 1;
      if (asked < this.summaryAfterQueries) {
        this.unsummarized.set(term, asked);
        return undefined;
      }
      this.unsummarized.delete(term);
      s = TermSummary.build(term, src, this.changes);
      if (!s) return undefined;
      this.summaryBytes += s.bytes;
      while (this.summaryBytes > SUMMARY_BUDGET_BYTES && this.summaries.size) {
        let oldest: number | undefined;
        for (const [t, x] of this.summaries) if (oldest === undefined || x.lastUsed < this.summaries.get(oldest)!.lastUsed) oldest = t;
        this.summaryBytes -= this.summaries.get(oldest!)!.bytes;
        this.summaries.delete(oldest!);
      }
      this.summaries.set(term, s);
    }
    s.lastUsed = ++this.summaryClock;
    return s;
  }

  private summarySource(): SummarySource {
    return {
      hot: this.hot, brand: this.brandOf, keys: this.keys,
      postings: (term, out) => this.postings.sources(term, QUALITY.exact, out),
      contains: (term, ord) => this.postings.contains(term, ord),
      relevance: (bits, ord) => FIELD_WEIGHT[bits]
        + (bits & FIELD.name ? ALL_IN_NAME_BONUS + (this.nameTermsOf(ord) === 1 ? EXACT_NAME_BONUS : 0) : 0),
      newestFirst: () => this.views[Sort.Newest].ordered(this.n),
      ordinals: this.n, categories: this.tree.size, brands: this.brands.size, buckets: NO_BUCKET + 1,
    };
  }

  /** The rarest word of the one brand asked for (a known one), or -1. */
  private brandWordTerm(brands: readonly string[]): number {
    if (brands.length !== 1 || this.brands.get(brands[0]) < 0) return -1;
    let best = -1;
    for (const id of this.shortTextTerms(brands[0])) if (best < 0 || this.postingLength(id) < this.postingLength(best)) best = id;
    return best;
  }

  /**
   * Items in every block (ascending ordinals, galloping search), each scored from its field bits in every
   * word: the shortest block leads.
   */
  private leapfrog(blocks: Source[], run: Collector, exactPossible: boolean): void {
    const k = blocks.length;
    const sorted = [...blocks].sort((a, b) => (a.to - a.from) - (b.to - b.from));
    const ords = sorted.map((b) => b.ords);
    const bits = sorted.map((b) => b.bits);
    const quality = Float64Array.from(sorted.map((b) => b.quality));
    const pos = Int32Array.from(sorted.map((b) => b.from));
    const end = Int32Array.from(sorted.map((b) => b.to));
    const lead = ords[0];
    const leadEnd = end[0];
    // A list not much longer than the lead is walked linearly; a much longer one is galloped through.
    const leadLength = leadEnd - pos[0];
    const linear = Uint8Array.from(sorted.map((b) => (b.to - b.from <= 8 * leadLength ? 1 : 0)));
    outer: for (let p = pos[0]; p < leadEnd; p++) {
      const d = lead[p];
      for (let j = 1; j < k; j++) {
        const o = ords[j];
        let lo = pos[j];
        const hi = end[j];
        if (linear[j] === 1) {
          while (lo < hi && o[lo] < d) lo++;
        } else if (lo < hi && o[lo] < d) {
          // Gallop, then binary search in (lo, probe].
          let step = 1;
          let probe = lo + 1;
          while (probe < hi && o[probe] < d) {
            lo = probe;
            step <<= 1;
            probe = lo + step;
          }
          let top = probe < hi ? probe : hi;
          let left = lo + 1;
          while (left < top) {
            const mid = (left + top) >>> 1;
            if (o[mid] < d) left = mid + 1;
            else top = mid;
          }
          lo = left;
        }
        pos[j] = lo;
        if (lo >= hi) break outer;
        if (o[lo] !== d) continue outer;
      }
      if (!run.isLive(d)) continue;
      let rel = FIELD_WEIGHT[bits[0][p]] * quality[0];
      let inName = bits[0][p] & FIELD.name;
      for (let j = 1; j < k; j++) {
        const b = bits[j][pos[j]];
        rel += FIELD_WEIGHT[b] * quality[j];
        inName += b & FIELD.name;
      }
      if (inName === k) rel += ALL_IN_NAME_BONUS + (exactPossible && run.nameTerms(d) === k ? EXACT_NAME_BONUS : 0);
      run.offerScored(d, rel);
    }
  }

  private result(
    run: Collector, q: SearchQuery, ignored: string[],
    all?: { total: number; byCategory: Int32Array; byBrand: Int32Array; byBucket: Int32Array },
  ): SearchHits {
    const entries = run.heap.sorted();
    const last = entries[entries.length - 1];
    const bucketCount = all ? all.byBucket : run.bucketCount;
    return {
      ords: entries.map((e) => e.ord),
      total: all ? all.total : run.total,
      next: run.afterCount > q.limit && last ? { a: last.a, b: last.b, c: last.c } : undefined,
      categories: this.categoryFacet(all ? all.byCategory : run.catCount, q.category),
      brands: this.brandFacet(all ? all.byBrand : run.brandCount, q.brands),
      priceRanges: PRICE_BUCKET_FLOORS.map((_, value) => ({ value, count: bucketCount[value] })).filter((f) => f.count > 0),
      ignoredWords: ignored,
    };
  }

  /** Counts per child of the filtered category (per root without one), subtrees included. */
  private categoryFacet(byPre: Int32Array, filter: number): FacetCount<number>[] {
    const tree = this.tree;
    const level = filter >= 0 ? tree.depth[filter] + 1 : 0;
    const from = filter >= 0 ? tree.pre[filter] : 0;
    const to = filter >= 0 ? tree.end[filter] : tree.size;
    const agg = new Map<number, number>();
    for (let pre = from; pre < to; pre++) {
      const n = byPre[pre + 1];
      if (n <= 0) continue;
      const a = tree.ancestorAt(tree.byPre[pre], level);
      if (a >= 0) agg.set(a, (agg.get(a) ?? 0) + n);
    }
    return [...agg].map(([value, count]) => ({ value, count }))
      .sort((x, y) => y.count - x.count || (tree.names[x.value] < tree.names[y.value] ? -1 : 1))
      .slice(0, 30);
  }

  private brandFacet(brandCount: Int32Array, selected: readonly string[]): FacetCount<string>[] {
    const top = new TopK(20);
    for (let b = 0; b < this.brands.size; b++) if (brandCount[b] > 0) top.offer(brandCount[b], -b, 0, b);
    const out = top.sorted().map((e) => ({ value: this.brands.texts[e.ord], count: brandCount[e.ord] }));
    for (const s of selected) {
      if (out.some((f) => f.value === s)) continue;
      const i = this.brands.get(s);
      out.push({ value: s, count: i < 0 ? 0 : brandCount[i] });
    }
    return out;
  }

  /**
   * Autocomplete: items whose name has every word typed (the last one as a prefix, with a one-edit slip
   * allowed when nothing starts that way) and categories whose name does. Names starting with what was typed
   * come first.
   */
  suggest(prefixText: string, limit: number): Suggestions {
    const typed = fold(prefixText).replace(/\s+/g, " ").trimStart();
    const rawWords = words(typed);
    if (rawWords.length === 0) return { items: [], categories: [] };
    const endsWord = !/[a-z0-9\u0080-\uffff]$/.test(typed);
    const partial = endsWord ? undefined : rawWords[rawWords.length - 1];
    const complete = SearchIndex.queryWords((endsWord ? rawWords : rawWords.slice(0, -1)).join(" "));

    const plans: WordPlan[] = [];
    let itemsPossible = true;
    for (const w of complete) {
      const p = this.planWord(w, false);
      if (!p.variants.length) itemsPossible = false;
      plans.push(p);
    }
    let partialWords: string[] = [];
    if (partial !== undefined) {
      const p = this.planPartial(partial);
      partialWords = p.variants.map((v) => this.terms.texts[v.term]);
      if (!p.variants.length) itemsPossible = false;
      plans.push(p);
    }
    const categories = this.suggestCategories(complete, partial, partialWords, limit);
    if (!itemsPossible || plans.length === 0) return { items: [], categories };

    // Rank by how well the words match (the first name word counts extra), then re-rank the best few by
    // whether the name starts with what was typed (too costly to check on every match).
    const cursors = plans.map((p) => this.cursor(p, this.namePostings));
    const top = new TopK(limit * 8);
    let scanned = 0;
    intersect(cursors, SUGGEST_LEAD_LIMIT, (ord) => {
      if (!this.isLive(ord)) return true;
      let s = 0;
      for (const c of cursors) {
        const w = c.weight(FIELD_WEIGHT, FIELD.name, true);
        if (w < 0) return true;
        s += w;
      }
      s += (this.stockOf[ord] > 0 ? 1 : 0) - this.names.byteLength(ord) / 200;
      top.offer(s, this.keys[2 * ord + 1], ord, ord);
      return ++scanned < SUGGEST_SCAN_LIMIT;
    });
    const phrase = typed.trim();
    const ranked = top.sorted()
      .map((e) => ({ ...e, a: e.a + (fold(this.names.get(e.ord)).startsWith(phrase) ? 50 : 0) }))
      .sort((x, y) => y.a - x.a || y.b - x.b || y.c - x.c);
    const seen = new Set<string>();
    const items: { ord: number; text: string }[] = [];
    for (const e of ranked) {
      const text = this.names.get(e.ord);
      if (seen.has(text)) continue;
      seen.add(text);
      items.push({ ord: e.ord, text });
      if (items.length === limit) break;
    }
    return { items, categories };
  }

  /** The last, unfinished word: itself, its completions, or completions of a one-edit variant of it. */
  private planPartial(partial: string): WordPlan {
    const variants = new Map<number, number>();
    const exact = this.terms.get(stem(partial));
    if (exact >= 0 && this.nameDf[exact] > 0) variants.set(exact, QUALITY.exact);
    const max = partial.length < 3 ? 5 : 15;
    for (const id of this.completions(partial, max, true)) if (!variants.has(id)) variants.set(id, QUALITY.prefix);
    if (variants.size === 0 && partial.length >= 3) {
      const found = new Map<number, number>();
      for (const v of oneEditVariants(partial)) for (const id of this.completions(v, 3, true)) found.set(id, this.nameDf[id]);
      [...found].sort((a, b) => b[1] - a[1]).slice(0, 8).forEach(([id]) => variants.set(id, QUALITY.typo1));
    }
    const list = [...variants].map(([term, quality]) => ({ term, quality }));
    return { word: partial, variants: list, size: list.reduce((s, v) => s + this.postingLength(v.term), 0) };
  }

  /** Category names by word: sorted words (raw and plural-folded) for prefixes, and term -> categories. */
  private catIndex?: { words: string[]; cats: number[][]; byTerm: Map<string, number[]>; folded: string[] };

  private categoryIndex() {
    if (this.catIndex) return this.catIndex;
    const byWord = new Map<string, Set<number>>();
    const byTerm = new Map<string, number[]>();
    const folded: string[] = [];
    this.tree.names.forEach((name, c) => {
      folded.push(fold(name));
      for (const w of words(folded[c])) {
        if (!byWord.has(w)) byWord.set(w, new Set());
        byWord.get(w)!.add(c);
      }
      for (const t of new Set(SearchIndex.queryWords(name))) {
        if (!byTerm.has(t)) byTerm.set(t, []);
        byTerm.get(t)!.push(c);
        if (!byWord.has(t)) byWord.set(t, new Set());
        byWord.get(t)!.add(c);
      }
    });
    const sorted = [...byWord.keys()].sort();
    this.catIndex = { words: sorted, cats: sorted.map((w) => [...byWord.get(w)!]), byTerm, folded };
    return this.catIndex;
  }

  /** Categories whose name has every complete word and a word starting with the partial one (or a correction). */
  private suggestCategories(complete: string[], partial: string | undefined, partialWords: string[], limit: number) {
    const tree = this.tree;
    const idx = this.categoryIndex();
    let found: Set<number> | undefined;
    for (const w of complete) {
      const cats = new Set(idx.byTerm.get(w) ?? []);
      found = found ? new Set([...found].filter((c) => cats.has(c))) : cats;
      if (found.size === 0) return [];
    }
    if (partial !== undefined) {
      const matching = new Set<number>();
      let lo = 0;
      let hi = idx.words.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (idx.words[mid] < partial) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < idx.words.length && idx.words[i].startsWith(partial); i++) for (const c of idx.cats[i]) matching.add(c);
      for (const w of partialWords) for (const c of idx.byTerm.get(w) ?? []) matching.add(c);
      found = found ? new Set([...found].filter((c) => matching.has(c))) : matching;
    }
    if (!found) return [];
    const typed = [...complete, ...(partial !== undefined ? [partial] : [])].join(" ");
    const ranked = [...found].map((c) => ({ category: c, text: tree.names[c], rank: (idx.folded[c].startsWith(typed) ? 0 : 100) + tree.depth[c] }));
    ranked.sort((a, b) => a.rank - b.rank || a.text.length - b.text.length || (a.text < b.text ? -1 : 1));
    const seen = new Set<string>();
    return ranked.filter((f) => (seen.has(f.text) ? false : (seen.add(f.text), true))).slice(0, limit)
      .map(({ category, text }) => ({ category, text }));
  }
}

/** Strings one edit (deletion, transposition, substitution, insertion of a letter) away from `w`. */
export function oneEditVariants(w: string): Set<string> {
  const out = new Set<string>();
  const letters = "abcdefghijklmnopqrstuvwxyz";
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
  for (let i = 0; i + 1 < w.length; i++) out.add(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
  for (let i = 0; i < w.length; i++) for (const ch of letters) if (ch !== w[i]) out.add(w.slice(0, i) + ch + w.slice(i + 1));
  for (let i = 0; i <= w.length; i++) for (const ch of letters) out.add(w.slice(0, i) + ch + w.slice(i));
  out.delete(w);
  return out;
}
