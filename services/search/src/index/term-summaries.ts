// Broad one-word searches ("tv", "accessory": hundreds of thousands of matches at a million items) answered
// without a pass over their matches. A term's summary keeps
//  - the counts of its items on sale by category, brand and price bucket: the query's total and facets when
//    nothing filters them, and
//  - its postings in relevance order: for one word as typed, an item's relevance depends only on the fields
//    the word is in and the length of its name, and equal ones rank newest first, so the order is fixed and
//    a page is read off its front.
// Both stay exact. Items that changed since a summary was last used are replayed from the index's change
// log (a ring; a summary that fell behind it is recounted), items not on sale are skipped as the order is
// read, and postings added since it was built (changed items get new ordinals) are ranked at query time. A
// summary costs several passes over the matches to build, so only a term asked for again and again gets one.
import type { Collector, Cursor } from "./collector.js";
import { HOT } from "./collector.js";
import type { Source } from "./cursor.js";
import { grow } from "./grow.js";

/** Counts of items on sale, by category pre-order + 1, brand ordinal and price bucket. */
export interface Counts {
  total: number;
  byCategory: Int32Array;
  byBrand: Int32Array<ArrayBuffer>;
  byBucket: Int32Array;
}

/** What a summary reads from the index. */
export interface SummarySource {
  hot: Uint32Array;
  brand: Int32Array;
  /** keys[2 ord + 1] = creation time. */
  keys: Float64Array;
  /** The term's postings: the base block, then the delta, ascending. */
  postings(term: number, out: Source[]): void;
  contains(term: number, ord: number): boolean;
  /** Relevance of a match of the word as typed, from its field bits and the item. */
  relevance(bits: number, ord: number): number;
  /** Every ordinal, newest first (ties of equal relevance rank so). */
  newestFirst(): Int32Array;
  ordinals: number;
  categories: number;
  brands: number;
  buckets: number;
}

/** Changes to the items on sale, numbered, for summaries to catch up with. */
export class ChangeLog {
  private readonly ord: Int32Array;
  /** pre1 << 1 | (sign > 0), brand, bucket. */
  private readonly catSign: Int32Array;
  private readonly brand: Int32Array;
  private readonly bucket: Uint8Array;
  /** Entries ever written. */
  seq = 0;

  constructor(private readonly capacity = 1 << 16) {
    this.ord = new Int32Array(capacity);
    this.catSign = new Int32Array(capacity);
    this.brand = new Int32Array(capacity);
    this.bucket = new Uint8Array(capacity);
  }

  push(ord: number, sign: 1 | -1, pre1: number, brand: number, bucket: number): void {
    const i = this.seq++ % this.capacity;
    this.ord[i] = ord;
    this.catSign[i] = (pre1 << 1) | (sign > 0 ? 1 : 0);
    this.brand[i] = brand;
    this.bucket[i] = bucket;
  }

  /** Calls `apply` for entries [from, seq); false (and no calls) when some were overwritten. */
  replay(from: number, apply: (ord: number, sign: 1 | -1, pre1: number, brand: number, bucket: number) => void): boolean {
    if (this.seq - from > this.capacity) return false;
    for (let s = from; s < this.seq; s++) {
      const i = s % this.capacity;
      const cs = this.catSign[i];
      apply(this.ord[i], cs & 1 ? 1 : -1, cs >>> 1, this.brand[i], this.bucket[i]);
    }
    return true;
  }
}

/** Rebuild the order once this many postings (and a quarter of those ordered) arrived after it was built. */
const REORDER_AFTER = 2_000;

export class TermSummary implements Counts {
  total = 0;
  byCategory: Int32Array;
  byBrand: Int32Array<ArrayBuffer>;
  byBucket: Int32Array;
  /** Ordinals in relevance order, and the relevance of each (by tier). */
  private order = new Int32Array(0);
  private tierOf = new Uint8Array(0);
  private tierRel = new Float64Array(0);
  /** Postings the order covers (the first `covered` of the term's list). */
  private covered = 0;
  /** Change-log position the counts reflect. */
  private seq = 0;
  lastUsed = 0;
  private orderBytes = 0;

  /** Memory it holds (its order as last built, and its counts). */
  get bytes(): number {
    return this.orderBytes + 4 * (this.byCategory.length + this.byBrand.length + this.byBucket.length);
  }

  /** Postings of the term that are not in the order (ranked at query time). */
  unordered(postings: number): number {
    return postings - this.covered;
  }

  private constructor(private readonly term: number, src: SummarySource) {
    this.byCategory = new Int32Array(src.categories + 1);
    this.byBrand = new Int32Array(src.brands);
    this.byBucket = new Int32Array(src.buckets);
  }

  /** A summary of `term`, or undefined when the newest-first order does not hold all its postings. */
  static build(term: number, src: SummarySource, log: ChangeLog): TermSummary | undefined {
    const s = new TermSummary(term, src);
    return s.reorder(src) ? (s.recount(src, log), s) : undefined;
  }

  /** Brings the counts and the order up to date; false when the summary cannot be used (build a new one). */
  catchUp(src: SummarySource, log: ChangeLog, postings: number): boolean {
    if (postings - this.covered > Math.max(REORDER_AFTER, this.covered >>> 2) && !this.reorder(src)) return false;
    const caughtUp = log.replay(this.seq, (ord, sign, pre1, brand, bucket) => {
      if (!src.contains(this.term, ord)) return;
      this.total += sign;
      this.byCategory[pre1] += sign;
      if (brand >= this.byBrand.length) this.byBrand = grow(this.byBrand, brand + 1);
      this.byBrand[brand] += sign;
      this.byBucket[bucket] += sign;
    });
    if (caughtUp) this.seq = log.seq;
    else this.recount(src, log);
    return true;
  }

  /**
   * Offers the page after `after` to the collector: the first `limit` + 1 ordered items on sale after the
   * cursor (enough to tell whether a next page exists), and every posting added since the order was built.
   */
  collect(run: Collector, src: SummarySource, limit: number, after: Cursor | undefined): void {
    const { hot, keys } = src;
    const order = this.order;
    const isAfter = (rel: number, created: number, ord: number) =>
      !after || rel < after.a || (rel === after.a && (created < after.b || (created === after.b && ord < after.c)));
    // The order is sorted by the key itself (relevance, creation time and ordinal never change for an
    // ordinal), so the cursor's place is a binary search.
    let lo = 0;
    if (after) {
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const ord = order[mid];
        if (isAfter(this.tierRel[this.tierOf[mid]], keys[2 * ord + 1], ord)) hi = mid;
        else lo = mid + 1;
      }
    }
    let taken = 0;
    for (let i = lo; i < order.length && taken <= limit; i++) {
      const ord = order[i];
      if ((hot[ord] & HOT.alive) === 0) continue;
      run.offerKey(this.tierRel[this.tierOf[i]], keys[2 * ord + 1], ord, ord);
      taken++;
    }
    let skip = this.covered;
    const sources: Source[] = [];
    src.postings(this.term, sources);
    for (const s of sources) {
      const from = s.from + Math.min(skip, s.to - s.from);
      skip -= from - s.from;
      for (let p = from; p < s.to; p++) {
        const ord = s.ords[p];
        if ((hot[ord] & HOT.alive) !== 0) run.rank(ord, src.relevance(s.bits[p], ord), 0);
      }
    }
  }

  /** Orders the term's postings: by relevance tier, newest first within one. */
  private reorder(src: SummarySource): boolean {
    const sources: Source[] = [];
    src.postings(this.term, sources);
    let count = 0;
    for (const s of sources) count += s.to - s.from;
    // Relevance takes a few distinct values (field-bit combinations, name bonuses): one tier each, best first.
    const relOf = new Float64Array(count);
    let i = 0;
    for (const s of sources) for (let p = s.from; p < s.to; p++) relOf[i++] = src.relevance(s.bits[p], s.ords[p]);
    const rels = [...new Set(relOf)].sort((a, b) => b - a);
    if (rels.length > 254) return false;
    const tierOfRel = new Map(rels.map((r, t) => [r, t]));
    // Tier + 1 of each ordinal of the term (0: not in it).
    const mark = new Uint8Array(src.ordinals);
    i = 0;
    for (const s of sources) for (let p = s.from; p < s.to; p++) mark[s.ords[p]] = tierOfRel.get(relOf[i++])! + 1;
    // The term's ordinals newest first (one pass over the catalog's order), then stably by tier.
    const newest = src.newestFirst();
    const byAge = new Int32Array(count);
    const start = new Int32Array(rels.length + 1);
    let found = 0;
    for (let j = 0; j < newest.length && found < count; j++) {
      const m = mark[newest[j]];
      if (m === 0) continue;
      byAge[found++] = newest[j];
      start[m]++;
    }
    if (found !== count) return false;
    for (let t = 0; t < rels.length; t++) start[t + 1] += start[t];
    const order = new Int32Array(count);
    const tierOf = new Uint8Array(count);
    for (let j = 0; j < count; j++) {
      const m = mark[byAge[j]];
      const at = start[m - 1]++;
      order[at] = byAge[j];
      tierOf[at] = m - 1;
    }
    this.order = order;
    this.tierOf = tierOf;
    this.tierRel = Float64Array.from(rels);
    this.covered = count;
    this.orderBytes = order.byteLength + tierOf.byteLength;
    return true;
  }

  /** Counts the term's items on sale from scratch. */
  private recount(src: SummarySource, log: ChangeLog): void {
    const { hot, brand } = src;
    this.total = 0;
    this.byCategory.fill(0);
    this.byBrand = new Int32Array(src.brands);
    this.byBucket.fill(0);
    const sources: Source[] = [];
    src.postings(this.term, sources);
    for (const s of sources) {
      for (let p = s.from; p < s.to; p++) {
        const ord = s.ords[p];
        const h = hot[ord];
        if ((h & HOT.alive) === 0) continue;
        this.total++;
        this.byCategory[(h >>> HOT.preShift) & HOT.preMask]++;
        this.byBrand[brand[ord]]++;
        this.byBucket[(h >>> HOT.bucketShift) & HOT.bucketMask]++;
      }
    }
    this.seq = log.seq;
  }
}
