// Growable typed arrays: the index keeps per-item and per-term facts in typed arrays that double when full.

type Typed = Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

/** `a` if it holds `min` entries, else a copy of the same type at least twice as long. */
export function grow<T extends Typed>(a: T, min: number): T {
  if (a.length >= min) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2, 16));
  b.set(a as never);
  return b;
}
