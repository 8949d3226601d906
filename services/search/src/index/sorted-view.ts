// The whole catalog in one sort order, for browsing without a query or filters: a page is read off the front
// of a sorted array instead of ranking a million items (and the newest order is the tie order of term summaries). Items that arrived or changed their sort key since
// the array was built are kept aside and merged in at query time; once there are many, they are merged into
// the array (sorting only them, then one linear merge).
import type { Collector, Cursor } from "./collector.js";

/** Sort key of an ordinal, bigger first; the same triple the collector ranks by. */
export type KeyOf = (ord: number, out: Float64Array) => void;

const MERGE_AFTER = 20_000;

export class SortedView {
  private order = new Int32Array(0);
  /** Keys of `order` as they were when placed: always sorted, so the cursor's position is a binary search. */
  private orderKeys = new Float64Array(0);
  private readonly key = new Float64Array(3);
  private readonly other = new Float64Array(3);
  /** Ordinals >= builtUpTo were not there when the array was built. */
  private builtUpTo = 0;
  /** Ordinals in the array whose key changed since (their array entry is stale). */
  private readonly changed = new Set<number>();
  private built = false;

  constructor(private readonly keyOf: KeyOf, private readonly isLive: (ord: number) => boolean) {}

  /** An item's key changed in place (a price change for the price orders). */
  touched(ord: number): void {
    if (this.built && ord < this.builtUpTo) this.changed.add(ord);
  }

  private compare(x: number, y: number): number {
    const a = this.key;
    const b = this.other;
    this.keyOf(x, a);
    this.keyOf(y, b);
    return b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
  }

  private sortOrds(ords: Int32Array): Int32Array {
    // Keys precomputed once: the comparator then reads three numbers per side.
    const n = ords.length;
    const k = new Float64Array(3 * n);
    const tmp = new Float64Array(3);
    for (let i = 0; i < n; i++) {
      this.keyOf(ords[i], tmp);
      k[3 * i] = tmp[0];
      k[3 * i + 1] = tmp[1];
      k[3 * i + 2] = tmp[2];
    }
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    idx.sort((x, y) => k[3 * y] - k[3 * x] || k[3 * y + 1] - k[3 * x + 1] || k[3 * y + 2] - k[3 * x + 2]);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = ords[idx[i]];
    return out;
  }

  /**
   * Brings the array up to date when it is missing or the set-aside items are many (or any, with `all`).
   * Every ordinal is placed, those not on sale too: an archived item may come back unchanged, and it is
   * skipped while it is not on sale.
   */
  refresh(n: number, all = false): void {
    const aside = n - this.builtUpTo + this.changed.size;
    if (this.built && (all ? aside === 0 : aside < MERGE_AFTER)) return;
    const extra: number[] = [];
    for (let ord = this.built ? this.builtUpTo : 0; ord < n; ord++) extra.push(ord);
    for (const ord of this.changed) extra.push(ord);
    const added = this.sortOrds(Int32Array.from(extra));
    const kept = this.changed.size ? this.order.filter((ord) => !this.changed.has(ord)) : this.order;
    const merged = new Int32Array(kept.length + added.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < kept.length && j < added.length) merged[o++] = this.compare(kept[i], added[j]) <= 0 ? kept[i++] : added[j++];
    while (i < kept.length) merged[o++] = kept[i++];
    while (j < added.length) merged[o++] = added[j++];
    this.order = merged;
    this.orderKeys = new Float64Array(3 * merged.length);
    for (let p = 0; p < merged.length; p++) {
      this.keyOf(merged[p], this.key);
      this.orderKeys.set(this.key, 3 * p);
    }
    this.changed.clear();
    this.builtUpTo = n;
    this.built = true;
  }

  /** Every ordinal below `n` in this order, those not on sale included. */
  ordered(n: number): Int32Array {
    this.refresh(n, true);
    return this.order;
  }

  /**
   * Offers the page after `after` (limit + 1 entries, to tell whether a next page exists) to the collector,
   * of the items `keep` accepts (all when absent).
   */
  collect(run: Collector, n: number, limit: number, after: Cursor | undefined, keep?: (ord: number) => boolean): void {
    this.refresh(n);
    const key = this.key;
    const isAfter = (k: Float64Array) => !after || k[0] < after.a || (k[0] === after.a && (k[1] < after.b || (k[1] === after.b && k[2] < after.c)));
    // First array position after the cursor: binary search on the keys as placed (stale entries, whose key
    // changed since, are skipped below and come from the set-aside list instead).
    let lo = 0;
    if (after) {
      let hi = this.order.length;
      const k = this.orderKeys;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        key[0] = k[3 * mid];
        key[1] = k[3 * mid + 1];
        key[2] = k[3 * mid + 2];
        if (isAfter(key)) hi = mid;
        else lo = mid + 1;
      }
    }
    let taken = 0;
    for (let i = lo; i < this.order.length && taken <= limit; i++) {
      const ord = this.order[i];
      if (!this.isLive(ord) || this.changed.has(ord) || (keep && !keep(ord))) continue;
      this.keyOf(ord, key);
      if (!isAfter(key)) continue;
      run.offerKey(key[0], key[1], key[2], ord);
      taken++;
    }
    const aside = (ord: number) => {
      if (!this.isLive(ord) || (keep && !keep(ord))) return;
      this.keyOf(ord, key);
      if (isAfter(key)) run.offerKey(key[0], key[1], key[2], ord);
    };
    for (let ord = this.builtUpTo; ord < n; ord++) aside(ord);
    for (const ord of this.changed) aside(ord);
  }
}
