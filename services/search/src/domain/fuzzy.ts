// Typo tolerance: a symmetric-delete dictionary (SymSpell's idea) over the index's words. Every word is
// stored with the variants obtained by deleting up to d letters; a misspelt query word finds its neighbours
// by looking up its own deletions, and candidates are confirmed with the optimal-string-alignment distance
// (Levenshtein plus adjacent transposition, so "samsnug" is one edit from "samsung").

/** Edits allowed for a word of this length: none under 4 letters, 1 up to 7, 2 from 8. */
export function maxEditsFor(length: number): number {
  return length < 4 ? 0 : length < 8 ? 1 : 2;
}

/** Optimal string alignment distance, or max + 1 as soon as it is certain to exceed max. */
export function osaDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  let prev2 = new Array<number>(lb + 1).fill(0);
  let prev = Array.from({ length: lb + 1 }, (_, j) => j);
  let cur = new Array<number>(lb + 1).fill(0);
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[lb];
}

/** Every string obtained from `w` by deleting exactly one letter (distinct). */
function deletes1(w: string, out: Set<string>): void {
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
}

/** Deletions of up to `d` letters, the word itself included. */
export function deletions(w: string, d: number): Set<string> {
  const out = new Set<string>([w]);
  let frontier = [w];
  for (let k = 0; k < d; k++) {
    const next = new Set<string>();
    for (const f of frontier) deletes1(f, next);
    for (const n of next) out.add(n);
    frontier = [...next];
  }
  return out;
}

/**
 * Words of the index, with their deletion variants. Word ids are the caller's (the index's term ids), so a
 * correction maps straight to a posting list.
 */
export class TypoDictionary {
  private readonly byDeletion = new Map<string, number[]>();
  private readonly known = new Set<number>();

  constructor(private readonly wordOf: (id: number) => string) {}

  get size(): number {
    return this.known.size;
  }

  add(id: number, word: string): void {
    if (this.known.has(id)) return;
    const d = maxEditsFor(word.length);
    if (d === 0) return;
    this.known.add(id);
    for (const v of deletions(word, d)) {
      const list = this.byDeletion.get(v);
      if (list) list.push(id);
      else this.byDeletion.set(v, [id]);
    }
  }

  /** Words within the allowed edits of `query` (the query itself excluded), closest first. */
  lookup(query: string, maxEdits = maxEditsFor(query.length)): { id: number; word: string; edits: number }[] {
    if (maxEdits === 0) return [];
    const seen = new Set<number>();
    const found: { id: number; word: string; edits: number }[] = [];
    for (const v of deletions(query, maxEdits)) {
      const ids = this.byDeletion.get(v);
      if (!ids) continue;
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const word = this.wordOf(id);
        if (word === query) continue;
        const edits = osaDistance(query, word, maxEdits);
        if (edits <= maxEdits) found.push({ id, word, edits });
      }
    }
    return found.sort((a, b) => a.edits - b.edits);
  }
}
