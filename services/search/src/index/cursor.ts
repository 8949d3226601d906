// Document-at-a-time matching: a cursor walks the union of a query word's posting lists (the word itself,
// its synonyms, typo neighbours, completions), all sorted by ordinal; a conjunction leapfrogs the words'
// cursors with galloping search. Reads are sequential in the posting lists and nothing is written per
// posting, which is what keeps a broad two-word query at a million items within a few milliseconds.

export const END = 0x7fffffff;

export interface Source {
  ords: Int32Array;
  bits: Uint8Array;
  from: number;
  to: number;
  quality: number;
}

export class WordCursor {
  private readonly ords: Int32Array[];
  private readonly bits: Uint8Array[];
  private readonly pos: Int32Array;
  private readonly end: Int32Array;
  private readonly quality: Float64Array;
  private readonly n: number;
  /** Current ordinal (END when exhausted). */
  doc = END;

  constructor(sources: Source[], readonly size: number) {
    this.n = sources.length;
    this.ords = sources.map((s) => s.ords);
    this.bits = sources.map((s) => s.bits);
    this.pos = Int32Array.from(sources.map((s) => s.from));
    this.end = Int32Array.from(sources.map((s) => s.to));
    this.quality = Float64Array.from(sources.map((s) => s.quality));
    this.doc = this.current();
  }

  private current(): number {
    let min = END;
    for (let i = 0; i < this.n; i++) {
      if (this.pos[i] < this.end[i]) {
        const o = this.ords[i][this.pos[i]];
        if (o < min) min = o;
      }
    }
    return min;
  }

  /** Moves past the current ordinal. */
  next(): number {
    const d = this.doc;
    for (let i = 0; i < this.n; i++) {
      if (this.pos[i] < this.end[i] && this.ords[i][this.pos[i]] === d) this.pos[i]++;
    }
    this.doc = this.current();
    return this.doc;
  }

  /** Moves to the first ordinal >= target (galloping, then binary search, in every source). */
  advance(target: number): number {
    if (this.doc >= target) return this.doc;
    for (let i = 0; i < this.n; i++) {
      const ords = this.ords[i];
      let lo = this.pos[i];
      const hi = this.end[i];
      if (lo >= hi || ords[lo] >= target) continue;
      let step = 1;
      let probe = lo + 1;
      while (probe < hi && ords[probe] < target) {
        lo = probe;
        step <<= 1;
        probe = lo + step;
      }
      let top = Math.min(probe, hi);
      // ords[lo] < target; the answer is in (lo, top].
      let left = lo + 1;
      while (left < top) {
        const mid = (left + top) >>> 1;
        if (ords[mid] < target) left = mid + 1;
        else top = mid;
      }
      this.pos[i] = left;
    }
    this.doc = this.current();
    return this.doc;
  }

  /**
   * Weight of the current ordinal for this word: the best variant's field weight times its quality; and
   * whether any variant has it in the name. Returns -1 when `nameOnly` and no variant is in the name.
   */
  weight(table: Float64Array, nameBit: number, nameOnly: boolean): number {
    const d = this.doc;
    let best = 0;
    let inName = 0;
    for (let i = 0; i < this.n; i++) {
      const p = this.pos[i];
      if (p < this.end[i] && this.ords[i][p] === d) {
        const b = this.bits[i][p];
        if (b & nameBit) inName = 1;
        else if (nameOnly) continue;
        const w = table[b] * this.quality[i];
        if (w > best) best = w;
      }
    }
    if (nameOnly && inName === 0) return -1;
    this.inName = inName;
    return best;
  }

  /** Set by weight(): the current ordinal has the word in its name. */
  inName = 0;
}

/**
 * Calls `emit(ord)` for every ordinal present in all cursors (ascending), leading with the smallest list,
 * for at most `maxLead` positions of the lead. `emit` returns false to stop early.
 */
export function intersect(cursors: WordCursor[], maxLead: number, emit: (ord: number) => boolean): void {
  if (cursors.length === 0) return;
  const sorted = [...cursors].sort((a, b) => a.size - b.size);
  const lead = sorted[0];
  let d = lead.doc;
  let steps = 0;
  while (d !== END && steps++ < maxLead) {
    let aligned = true;
    for (let i = 1; i < sorted.length; i++) {
      const c = sorted[i].advance(d);
      if (c !== d) {
        aligned = false;
        d = c === END ? END : lead.advance(c);
        break;
      }
    }
    if (d === END) return;
    if (!aligned) continue;
    if (!emit(d)) return;
    d = lead.next();
  }
}
