// One query's pass over its candidates: filters, facet counts and the top-k after the page cursor.
// Facets are disjunctive (a brand's count ignores the brand filter, a price range's the price filter), so a
// shopper sees what picking another brand or range would give. Sort keys are (a, b, c) triples, bigger first.

/**
 * The per-item facts every candidate of every query reads. The hot ones are packed into one 32-bit word per
 * item (see HOT), so a candidate costs one random memory access plus its brand: a scan over 100k candidates
 * is bound by those accesses, not by arithmetic. Indexed by ordinal.
 */
export interface Columns {
  /** HOT-packed: on sale, price bucket, distinct name words, category pre-order + 1. */
  hot: Uint32Array;
  brand: Int32Array;
  stock: Int32Array;
  /** keys[2 ord] = price (minor units), keys[2 ord + 1] = creation time (ms): read only to rank or filter by them. */
  keys: Float64Array;
}

/** Layout of Columns.hot. */
export const HOT = {
  alive: 1,
  bucketShift: 1,
  bucketMask: 0xf,
  nameTermsShift: 5,
  nameTermsMask: 0xff,
  /** Category pre-order number + 1 (0: a category the tree does not know). */
  preShift: 13,
  preMask: 0xffff,
} as const;

export function packHot(alive: boolean, bucket: number, nameTerms: number, pre1: number): number {
  return ((alive ? HOT.alive : 0) | (bucket << HOT.bucketShift) | (Math.min(255, nameTerms) << HOT.nameTermsShift)
    | (pre1 << HOT.preShift)) >>> 0;
}

export enum Sort {
  Relevance = 1,
  PriceAscending = 2,
  PriceDescending = 3,
  Newest = 4,
}

/** Position in a sorted result list: the sort key of the last item shown. */
export interface Cursor {
  a: number;
  b: number;
  c: number;
}

export interface CollectorSpec {
  sort: Sort;
  limit: number;
  after?: Cursor;
  /** Pre-order interval of the category filter, or lo = -1. */
  catLo: number;
  catHi: number;
  /** Brand ordinals to keep (1), or null for all. */
  brandMask: Uint8Array | null;
  minPrice?: number;
  maxPrice?: number;
  inStockOnly: boolean;
  /** Number of brands and of categories (facet array sizes) and the bucket that means "no price range". */
  brands: number;
  categories: number;
  noBucket: number;
}

export class Collector {
  total = 0;
  afterCount = 0;
  /** Matches per category, by pre1 (pre-order number + 1; 0: unknown category). */
  readonly catCount: Int32Array;
  readonly brandCount: Int32Array;
  readonly bucketCount: Int32Array;
  readonly heap: TopK;
  private readonly cols: Columns;
  private readonly keys: Float64Array;
  /** The category filter as an interval of pre1 values, or lo1 = -1. */
  private readonly catLo: number;
  private readonly catHi: number;
  private readonly brandMask: Uint8Array | null;
  private readonly priceFilter: boolean;
  private readonly minPrice: number;
  private readonly maxPrice: number;
  private readonly inStockOnly: boolean;
  private readonly noBucket: number;
  private readonly sort: Sort;
  private readonly hasAfter: boolean;
  private readonly afterA: number;
  private readonly afterB: number;
  private readonly afterC: number;

  constructor(cols: Columns, spec: CollectorSpec) {
    this.cols = cols;
    this.keys = cols.keys;
    this.catCount = new Int32Array(spec.categories + 1);
    this.brandCount = new Int32Array(spec.brands);
    this.bucketCount = new Int32Array(spec.noBucket + 1);
    this.heap = new TopK(spec.limit);
    this.catLo = spec.catLo < 0 ? -1 : spec.catLo + 1;
    this.catHi = spec.catHi + 1;
    this.brandMask = spec.brandMask;
    this.priceFilter = spec.minPrice !== undefined || spec.maxPrice !== undefined;
    this.minPrice = spec.minPrice ?? -Infinity;
    this.maxPrice = spec.maxPrice ?? Infinity;
    this.inStockOnly = spec.inStockOnly;
    this.noBucket = spec.noBucket;
    this.sort = spec.sort;
    this.hasAfter = spec.after !== undefined;
    this.afterA = spec.after?.a ?? 0;
    this.afterB = spec.after?.b ?? 0;
    this.afterC = spec.after?.c ?? 0;
  }

  /** Whether the item is on sale (cheap pre-check before scoring). */
  isLive(ord: number): boolean {
    return (this.cols.hot[ord] & HOT.alive) !== 0;
  }

  nameTerms(ord: number): number {
    return (this.cols.hot[ord] >>> HOT.nameTermsShift) & HOT.nameTermsMask;
  }

  /**
   * The hot loop, for candidates straight from a posting block: `weights` (by field bits) scores them
   * (relevance = weights[bits] * quality, plus `nameBonus` when in the name and `exactBonus` when the name is
   * that one word), or null when browsing. Reads the small columns only, unless the sort or a price filter
   * needs the keys.
   */
  scanBlock(
    ords: Int32Array, bits: Uint8Array | null, from: number, to: number,
    weights: Float64Array | null, quality: number, nameBit: number, nameBonus: number, exactBonus: number,
  ): void {
    const { hot, brand: brandOf, stock } = this.cols;
    const keys = this.keys;
    const catLo = this.catLo;
    const catHi = this.catHi;
    const brandMask = this.brandMask;
    const priceFilter = this.priceFilter;
    const minPrice = this.minPrice;
    const maxPrice = this.maxPrice;
    const inStockOnly = this.inStockOnly;
    const noBucket = this.noBucket;
    const catCount = this.catCount;
    const brandCount = this.brandCount;
    const bucketCount = this.bucketCount;
    const byRelevance = this.sort === Sort.Relevance && weights !== null && bits !== null;
    const heap = this.heap;
    const hasAfter = this.hasAfter;
    const afterA = this.afterA;
    let total = 0;
    for (let p = from; p < to; p++) {
      const ord = ords[p];
      const h = hot[ord];
      if ((h & HOT.alive) === 0) continue;
      const pre = (h >>> HOT.preShift) & HOT.preMask;
      if (catLo >= 0 && (pre < catLo || pre >= catHi)) continue;
      if (inStockOnly && stock[ord] <= 0) continue;
      const brand = brandOf[ord];
      const bucket = (h >>> HOT.bucketShift) & HOT.bucketMask;
      let price = 0;
      let priceFails = false;
      if (priceFilter) {
        price = keys[2 * ord];
        priceFails = bucket === noBucket || price < minPrice || price > maxPrice;
      }
      const brandFails = brandMask !== null && brandMask[brand] === 0;
      if (brandFails || priceFails) {
        if (!priceFails) brandCount[brand]++;
        else if (!brandFails) bucketCount[bucket]++;
        continue;
      }
      total++;
      brandCount[brand]++;
      bucketCount[bucket]++;
      catCount[pre]++;
      if (byRelevance) {
        const b = bits![p];
        let rel = weights![b] * quality;
        if ((b & nameBit) !== 0) rel += ((h >>> HOT.nameTermsShift) & HOT.nameTermsMask) === 1 ? nameBonus + exactBonus : nameBonus;
        // Most candidates lose to the kept k on relevance alone: decided without reading their keys.
        if (hasAfter && rel > afterA) continue;
        if ((!hasAfter || rel < afterA) && heap.full() && rel < heap.worstA()) {
          this.afterCount++;
          continue;
        }
        this.rank(ord, rel, 0);
      } else {
        this.rank(ord, 0, priceFilter ? price : keys[2 * ord]);
      }
    }
    this.total += total;
  }

  /** Candidates with their relevance already computed (a word's variants merged into one list). */
  scanScored(ords: Int32Array, rels: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) this.offerScored(ords[i], rels[i]);
  }

  /** A candidate with its relevance (relevance sort): keys are read only if it can make the page. */
  offerScored(ord: number, rel: number): void {
    if (!this.hasAfter && this.sort === Sort.Relevance && this.heap.full() && rel < this.heap.worstA()) {
      if (this.count(ord)) this.afterCount++;
      return;
    }
    this.consider(ord, rel);
  }

  /** Counts a candidate (facets, total); true when it passes every filter. */
  private count(ord: number): boolean {
    const c = this.cols;
    const h = c.hot[ord];
    if ((h & HOT.alive) === 0) return false;
    const pre = (h >>> HOT.preShift) & HOT.preMask;
    if (this.catLo >= 0 && (pre < this.catLo || pre >= this.catHi)) return false;
    if (this.inStockOnly && c.stock[ord] <= 0) return false;
    const brand = c.brand[ord];
    const bucket = (h >>> HOT.bucketShift) & HOT.bucketMask;
    const brandFails = this.brandMask !== null && this.brandMask[brand] === 0;
    let priceFails = false;
    if (this.priceFilter) {
      const price = this.keys[2 * ord];
      priceFails = bucket === this.noBucket || price < this.minPrice || price > this.maxPrice;
    }
    if (brandFails || priceFails) {
      if (!priceFails) this.brandCount[brand]++;
      else if (!brandFails) this.bucketCount[bucket]++;
      return false;
    }
    this.total++;
    this.brandCount[brand]++;
    this.bucketCount[bucket]++;
    this.catCount[pre]++;
    return true;
  }

  consider(ord: number, relevance: number): void {
    if (this.count(ord)) this.rank(ord, relevance, this.keys[2 * ord]);
  }

  /** Offers a match to the top-k: it counts for paging only when it comes after the cursor. */
  rank(ord: number, relevance: number, price: number): void {
    const created = this.keys[2 * ord + 1];
    let a: number;
    let b: number;
    let c: number;
    const sort = this.sort;
    if (sort === Sort.Relevance) { a = relevance; b = created; c = ord; }
    else if (sort === Sort.PriceAscending) { a = -price; b = created; c = ord; }
    else if (sort === Sort.PriceDescending) { a = price; b = created; c = ord; }
    else { a = created; b = ord; c = 0; }
    if (this.hasAfter) {
      const x = this.afterA;
      if (!(a < x || (a === x && (b < this.afterB || (b === this.afterB && c < this.afterC))))) return;
    }
    this.afterCount++;
    if (this.heap.accepts(a, b, c)) this.heap.offer(a, b, c, ord);
  }

  /** Offers a key already known to come after the cursor (sorted views). */
  offerKey(a: number, b: number, c: number, ord: number): void {
    this.afterCount++;
    this.heap.offer(a, b, c, ord);
  }
}

/** A bounded heap keeping the k best (a, b, c) triples, bigger first. */
export class TopK {
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly c: Float64Array;
  private readonly ord: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.a = new Float64Array(k);
    this.b = new Float64Array(k);
    this.c = new Float64Array(k);
    this.ord = new Int32Array(k);
  }

  full(): boolean {
    return this.size === this.k;
  }

  /** Primary key of the worst kept entry (meaningful when full). */
  worstA(): number {
    return this.k === 0 ? Infinity : this.a[0];
  }

  /** Whether (a, b, c) would be kept: cheap enough to call for every candidate. */
  accepts(a: number, b: number, c: number): boolean {
    if (this.size < this.k) return true;
    if (this.k === 0) return false;
    const ra = this.a[0];
    return a > ra || (a === ra && (b > this.b[0] || (b === this.b[0] && c > this.c[0])));
  }

  private worse(i: number, j: number): boolean {
    const a = this.a, b = this.b, c = this.c;
    return a[i] < a[j] || (a[i] === a[j] && (b[i] < b[j] || (b[i] === b[j] && c[i] < c[j])));
  }

  private swap(i: number, j: number): void {
    const a = this.a, b = this.b, c = this.c, o = this.ord;
    let t = a[i]; a[i] = a[j]; a[j] = t;
    t = b[i]; b[i] = b[j]; b[j] = t;
    t = c[i]; c[i] = c[j]; c[j] = t;
    const u = o[i]; o[i] = o[j]; o[j] = u;
  }

  offer(a: number, b: number, c: number, ord: number): void {
    if (!this.accepts(a, b, c)) return;
    if (this.size < this.k) {
      let i = this.size++;
      this.a[i] = a; this.b[i] = b; this.c[i] = c; this.ord[i] = ord;
      // Sift up: the root is the worst kept.
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    this.a[0] = a; this.b[0] = b; this.c[0] = c; this.ord[0] = ord;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.worse(l, m)) m = l;
      if (r < this.size && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  /** Best first. */
  sorted(): { a: number; b: number; c: number; ord: number }[] {
    const out: { a: number; b: number; c: number; ord: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ a: this.a[i], b: this.b[i], c: this.c[i], ord: this.ord[i] });
    return out.sort((x, y) => y.a - x.a || y.b - x.b || y.c - x.c);
  }
}
