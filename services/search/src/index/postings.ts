// Posting lists: per term, the ordinals of the items that have it (ascending) with the fields it occurs in.
// Two tiers: a compact base (one CSR block built in bulk at start-up) and, per term, a growable delta for
// what arrived since. Ordinals only ever grow (a changed item gets a new one), so appends keep lists sorted
// and every delta ordinal is larger than every base ordinal: base then delta is one sorted list.
import type { Source } from "./cursor.js";
import { grow } from "./grow.js";

interface Delta {
  ord: Int32Array<ArrayBuffer>;
  bits: Uint8Array<ArrayBuffer>;
  len: number;
}

export class PostingStore {
  private baseTerms = 0;
  private baseOff = new Int32Array(1);
  private baseOrd = new Int32Array(0);
  private baseBits = new Uint8Array(0);
  private readonly delta = new Map<number, Delta>();
  private bulk?: { term: Int32Array<ArrayBuffer>; ord: Int32Array<ArrayBuffer>; bits: Uint8Array<ArrayBuffer>; len: number };

  /** Start-up: postings are collected flat and compacted by endBulk(). */
  beginBulk(expectedPostings: number): void {
    const cap = Math.max(1024, expectedPostings);
    this.bulk = { term: new Int32Array(cap), ord: new Int32Array(cap), bits: new Uint8Array(cap), len: 0 };
  }

  /** Counting sort by term; ordinals arrived in increasing order, so each list stays sorted. */
  endBulk(terms: number): void {
    const bulk = this.bulk;
    if (!bulk) return;
    this.bulk = undefined;
    const off = new Int32Array(terms + 1);
    for (let i = 0; i < bulk.len; i++) off[bulk.term[i] + 1]++;
    for (let t = 0; t < terms; t++) off[t + 1] += off[t];
    const fill = off.slice(0, terms);
    const ord = new Int32Array(bulk.len);
    const bits = new Uint8Array(bulk.len);
    for (let i = 0; i < bulk.len; i++) {
      const p = fill[bulk.term[i]]++;
      ord[p] = bulk.ord[i];
      bits[p] = bulk.bits[i];
    }
    this.baseTerms = terms;
    this.baseOff = off;
    this.baseOrd = ord;
    this.baseBits = bits;
    this.delta.clear();
  }

  /** Appends (term, ord, bits); `ord` must be the largest ordinal written so far. */
  add(term: number, ord: number, bits: number): void {
    const b = this.bulk;
    if (b) {
      if (b.len === b.term.length) {
        b.term = grow(b.term, b.len + 1);
        b.ord = grow(b.ord, b.len + 1);
        b.bits = grow(b.bits, b.len + 1);
      }
      b.term[b.len] = term;
      b.ord[b.len] = ord;
      b.bits[b.len] = bits;
      b.len++;
      return;
    }
    let d = this.delta.get(term);
    if (!d) {
      d = { ord: new Int32Array(4), bits: new Uint8Array(4), len: 0 };
      this.delta.set(term, d);
    }
    if (d.len === d.ord.length) {
      d.ord = grow(d.ord, d.len + 1);
      d.bits = grow(d.bits, d.len + 1);
    }
    d.ord[d.len] = ord;
    d.bits[d.len] = bits;
    d.len++;
  }

  length(term: number): number {
    if (term < 0) return 0;
    const base = term < this.baseTerms ? this.baseOff[term + 1] - this.baseOff[term] : 0;
    return base + (this.delta.get(term)?.len ?? 0);
  }

  /** Whether the term's list has the ordinal (binary search). */
  contains(term: number, ord: number): boolean {
    if (term < 0) return false;
    const d = this.delta.get(term);
    if (d && d.len && ord >= d.ord[0]) return sortedHas(d.ord, 0, d.len, ord);
    return term < this.baseTerms && sortedHas(this.baseOrd, this.baseOff[term], this.baseOff[term + 1], ord);
  }

  /** A term's postings as cursor sources: the base block, then the delta. */
  sources(term: number, quality: number, out: Source[]): void {
    if (term < 0) return;
    if (term < this.baseTerms && this.baseOff[term + 1] > this.baseOff[term]) {
      out.push({ ords: this.baseOrd, bits: this.baseBits, from: this.baseOff[term], to: this.baseOff[term + 1], quality });
    }
    const d = this.delta.get(term);
    if (d && d.len) out.push({ ords: d.ord, bits: d.bits, from: 0, to: d.len, quality });
  }
}

function sortedHas(a: Int32Array, from: number, to: number, x: number): boolean {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < to && a[lo] === x;
}
