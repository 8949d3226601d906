// The search index's data and how items get in: per-item facts in typed arrays by ordinal, the term table and
// posting lists, facet counts kept as items change (upsert, applyStock, bulk loading). The reads are built on it
// in query-plan.ts, facets.ts and search-index.ts; search-index.ts says how the whole works.
import { CategoryTree } from "../domain/categories.js";
import { TypoDictionary } from "../domain/fuzzy.js";
import { isAlphaWord, words } from "../domain/text.js";
import { HOT, packHot, Sort, type Columns } from "./collector.js";
import { FIELD, hash32, textHash, type ItemDoc, type StockDoc } from "./documents.js";
import { grow } from "./grow.js";
import { Interner, ItemIdTable, TextColumn } from "./item-texts.js";
import { SortedView } from "./sorted-view.js";
import { PostingStore } from "./postings.js";
import { ChangeLog, TermSummary } from "./term-summaries.js";
import { TermTable, type TermSink } from "./terms.js";
import { CATEGORY_TERM, ItemView, MAX_DESCRIPTION_TERMS, NO_BUCKET, priceBucket, SUMMARY_AFTER_QUERIES, SUMMARY_MIN_POSTINGS } from "./index-types.js";

export abstract class IndexData {
  // --- items by ordinal ---
  protected n = 0;
  protected liveCount = 0;
  /** Texts per item, kept off the JS heap (see item-texts.ts). */
  protected readonly ids = new ItemIdTable();
  protected readonly names = new TextColumn();
  protected readonly imageUrls = new TextColumn();
  protected readonly categoryIds = new Interner();
  protected categoryIdOf = new Int32Array(0);
  protected readonly currencies = new Interner();
  protected currencyOf = new Int32Array(0);
  /** What every candidate of every query reads: small per-fact arrays (see Columns). */
  protected hot = new Uint32Array(0);
  protected brandOf = new Int32Array(0);

  protected stockOf = new Int32Array(0);
  protected lowStock = new Uint8Array(0);
  /** keys[2 ord] = price (minor units), keys[2 ord + 1] = creation time (ms). */
  protected keys = new Float64Array(0);
  protected categoryOf = new Int32Array(0);
  protected version = new Float64Array(0);
  protected textHashOf = new Int32Array(0);
  protected memberHash = new Int32Array(0);
  protected stockSeq = new Float64Array(0);
  /** Stock announced for items not seen yet (the two event streams are not ordered with each other). */
  protected readonly pendingStock = new Map<string, StockDoc>();

  protected readonly brands = new Interner();

  // --- terms and postings ---
  protected readonly terms = new TermTable((id, text) => this.registerTerm(id, text));
  protected df = new Int32Array(0);
  protected nameDf = new Int32Array(0);
  /** Every term with the fields it occurs in. */
  protected readonly postings = new PostingStore();
  /** Name words only: what autocomplete walks (a prefix's words occur far more often elsewhere). */
  protected readonly namePostings = new PostingStore();
  protected bulk = false;
  /** Letters-only words, sorted: prefix completion (rebuilt lazily after new words arrive). */
  protected words: string[] = [];
  /** Term id of each entry of `words`. */
  protected wordIds: number[] = [];
  protected wordsDirty = false;
  /** Completions of one- and two-letter prefixes (thousands of words each), kept for a few seconds. */
  protected readonly shortCompletions = new Map<string, { at: number; ids: number[] }>();
  protected readonly typos = new TypoDictionary((id) => this.terms.texts[id]);


  // --- per-document scratch for tokenizing ---
  protected seenAt = new Int32Array(0);
  protected slotOf = new Int32Array(0);
  protected readonly docTerms: number[] = [];
  protected readonly docBits: number[] = [];
  protected readonly categoryTermCache = new Map<string, { ids: number[]; bits: number[] }>();
  protected readonly shortTextCache = new Map<string, number[]>();

  // --- counts over every item on sale, and over those in stock, for browsing without a category or a price
  // filter (categories by pre-order + 1) ---
  protected readonly allByCategory: Int32Array;
  protected allByBrand = new Int32Array(0);
  protected readonly allByBucket = new Int32Array(NO_BUCKET + 1);
  protected readonly stockByCategory: Int32Array;
  protected stockByBrand = new Int32Array(0);
  protected readonly stockByBucket = new Int32Array(NO_BUCKET + 1);

  // --- cache fingerprints per category group (index tree.size: unknown category) ---
  protected readonly groupXor: Int32Array;
  protected readonly groupCount: Int32Array;
  protected readonly stockXor: Int32Array;
  protected readonly stockCount: Int32Array;
  protected allXor = 0;
  protected allStockXor = 0;
  protected allStockCount = 0;

  // --- the whole catalog in each sort order, for browsing without filters ---
  protected readonly views: Record<Exclude<Sort, Sort.Relevance>, SortedView>;

  // --- summaries of broad terms, and the changes they catch up with ---
  protected readonly summaries = new Map<number, TermSummary>();
  protected readonly summaryMinPostings: number;
  protected readonly summaryAfterQueries: number;
  protected readonly changes = new ChangeLog();
  protected summaryClock = 0;
  protected summaryBytes = 0;
  /** Queries of broad terms not summarized yet, in the current window. */
  protected readonly unsummarized = new Map<number, number>();
  protected windowStart = 0;

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

  protected pre1(ord: number): number {
    return (this.hot[ord] >>> HOT.preShift) & HOT.preMask;
  }

  protected bucket(ord: number): number {
    return (this.hot[ord] >>> HOT.bucketShift) & HOT.bucketMask;
  }

  protected nameTermsOf(ord: number): number {
    return (this.hot[ord] >>> HOT.nameTermsShift) & HOT.nameTermsMask;
  }

  protected columns(): Columns {
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

  protected setLive(ord: number, live: boolean): void {
    const was = this.isLive(ord);
    if (was === live) return;
    this.hot[ord] = (this.hot[ord] ^ HOT.alive) >>> 0;
    this.liveCount += live ? 1 : -1;
  }

  protected setStock(ord: number, available: number, low: boolean, sequence: number): void {
    this.stockOf[ord] = available;
    this.lowStock[ord] = low ? 1 : 0;
    this.stockSeq[ord] = sequence;
  }

  protected setPrice(ord: number, priceMinor: number, currency: string, itemId: string): void {
    if (this.keys[2 * ord] !== priceMinor) {
      this.views[Sort.PriceAscending].touched(ord);
      this.views[Sort.PriceDescending].touched(ord);
    }
    this.keys[2 * ord] = priceMinor;
    this.currencyOf[ord] = this.currencies.add(currency);
    this.hot[ord] = packHot(this.isLive(ord), priceBucket(priceMinor, currency), this.nameTermsOf(ord), this.pre1(ord));
    this.memberHash[ord] = hash32(`${priceMinor}${currency}`, hash32(itemId, this.textHashOf[ord]));
  }

  protected ensureCapacity(min: number): void {
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

  protected termId(text: string): number {
    return this.terms.add(text);
  }

  /** Called by the term table for every new term: letters-only words join typo and completion dictionaries. */
  protected registerTerm(id: number, text: string): void {
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

  protected insertWord(word: string): void {
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

  protected append(doc: ItemDoc, text: number): number {
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
  protected categoryTerms(cat: number, categoryId: string): { ids: number[]; bits: number[] } {
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
  protected shortTextTerms(text: string): number[] {
    let ids = this.shortTextCache.get(text);
    if (!ids) {
      const found: number[] = [];
      this.terms.scan(text, true, { term: (id) => found.push(id) });
      ids = found;
      if (this.shortTextCache.size < 200_000) this.shortTextCache.set(text, ids);
    }
    return ids;
  }

  protected addDocTerm(ord: number, id: number, bits: number): void {
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
  protected sinkOrd = 0;
  protected sinkField: "name" | "description" = "name";
  protected sinkNameWords = 0;
  protected readonly sink: TermSink = {
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
  protected indexText(ord: number, doc: ItemDoc, cat: number): number {
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
  protected exclude(ord: number, stockOnly = false): void {
    if (this.isLive(ord)) this.count(ord, -1, stockOnly);
  }

  protected include(ord: number, stockOnly = false): void {
    if (this.isLive(ord)) this.count(ord, 1, stockOnly);
  }

  protected count(ord: number, sign: 1 | -1, stockOnly: boolean): void {
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

  /** Re-sorts the word list completions read (query-plan.ts). */
  protected abstract refreshWords(): void;
}
