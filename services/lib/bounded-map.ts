// A map that keeps at most about `2 × perGeneration` entries, for per-process caches (verified tokens, encoded
// search rows). Entries live in two generations: when the current one is full it becomes the previous one and
// the old previous one is dropped whole; an entry read from the previous generation moves to the current one,
// so what is still in use stays.
//
// Not "delete the oldest key of one Map": V8's Map leaves a deleted slot at the front of its table until it
// rehashes, so `keys().next()` after many front deletions walks all of them. That eviction took 15% of
// Search's CPU under an uncached query load (a 24-row page: 0.3 ms, then 1-3 ms once the cache was full).
export class BoundedMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly perGeneration: number) {}

  get(key: K): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.perGeneration && !this.current.has(key)) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }

  delete(key: K): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }

  /** Entries kept (an entry moved to the current generation may count twice until the previous is dropped). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
