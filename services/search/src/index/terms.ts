// The term dictionary and a tokenizer that looks words up where they stand in the text: no substring is
// created for a word the dictionary already knows, which is nearly every word after the first thousand items.
// Same analysis as domain/text.ts (fold, split, drop apostrophes, stopwords, plural folding); the tests
// check the two agree.
import { fold, stem, STOPWORDS } from "../domain/text.js";

const EMPTY = 0;

export class TermTable {
  readonly texts: string[] = [];
  private hashes = new Int32Array(1024);
  private slots = new Int32Array(1 << 16);
  private mask = (1 << 16) - 1;
  private stop = new Uint8Array(1024);

  /** `onNew` hears of every term added after the stopwords (which are never indexed). */
  constructor(private readonly onNew?: (id: number, text: string) => void) {
    for (const w of STOPWORDS) this.stop[this.add(w)] = 1;
  }

  get size(): number {
    return this.texts.length;
  }

  isStopword(id: number): boolean {
    return this.stop[id] === 1;
  }

  get(text: string): number {
    return this.find(text, 0, text.length, -1, hashRange(text, 0, text.length, -1));
  }

  /** Id of text[start, end) followed by `suffix` (a char code, or -1), or -1 when unknown. */
  private find(text: string, start: number, end: number, suffix: number, h: number): number {
    const len = end - start + (suffix >= 0 ? 1 : 0);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i];
      if (slot === EMPTY) return -1;
      const id = slot - 1;
      if (this.hashes[id] !== h) continue;
      const t = this.texts[id];
      if (t.length !== len) continue;
      let same = true;
      for (let j = start; j < end; j++) {
        if (t.charCodeAt(j - start) !== lowerAt(text, j)) {
          same = false;
          break;
        }
      }
      if (same && (suffix < 0 || t.charCodeAt(len - 1) === suffix)) return id;
    }
  }

  add(text: string): number {
    const h = hashRange(text, 0, text.length, -1);
    const known = this.find(text, 0, text.length, -1, h);
    if (known >= 0) return known;
    const id = this.texts.length;
    this.texts.push(text);
    if (id >= this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
      const stop = new Uint8Array(this.stop.length * 2);
      stop.set(this.stop);
      this.stop = stop;
    }
    this.hashes[id] = h;
    if (this.texts.length * 2 > this.slots.length) this.rehash();
    else this.place(id, h);
    if (id >= STOPWORDS.size) this.onNew?.(id, text);
    return id;
  }

  private place(id: number, h: number): void {
    let i = h & this.mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = id + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.texts.length; id++) this.place(id, this.hashes[id]);
  }

  /**
   * Calls `sink.term(id, position)` for every term of the text, in order, stopwords skipped; the same terms
   * as domain/text.ts terms(). Unknown words are added when `create` is set, else reported with id -1 (and
   * their text). ASCII text (nearly all) is lower-cased on the fly, without a lower-case copy.
   */
  scan(text: string, create: boolean, sink: TermSink): void {
    // eslint-disable-next-line no-control-regex
    const s = /[^\u0000-\u007f]/.test(text) ? fold(text) : text;
    let position = 0;
    let start = -1;
    let digits = false;
    let apostrophe = false;
    const n = s.length;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? lowerAt(s, i) : 32;
      const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127;
      if (word) {
        if (start < 0) {
          start = i;
          digits = false;
          apostrophe = false;
        }
        if (c >= 48 && c <= 57) digits = true;
        continue;
      }
      if (start >= 0 && (c === 39 || c === 0x2019) && i + 1 < n) {
        const next = lowerAt(s, i + 1);
        if ((next >= 97 && next <= 122) || (next >= 48 && next <= 57) || next > 127) {
          apostrophe = true; // "women's": handled on the slow path below
          continue;
        }
      }
      if (start < 0) continue;
      let id: number;
      let text: string | undefined;
      if (apostrophe) {
        text = stem(s.slice(start, i).toLowerCase().replace(/['\u2019]/g, ""));
        id = this.get(text);
        if (id < 0 && create && !STOPWORDS.has(text)) id = this.add(text);
      } else {
        // Plural folding in place: the stem is [start, end) plus an optional one-letter suffix ("ies" -> "y").
        let end = i;
        let suffix = -1;
        const len = i - start;
        if (len >= 3 && !digits && lowerAt(s, i - 1) === 115) {
          const c2 = lowerAt(s, i - 2);
          const c3 = lowerAt(s, i - 3);
          if (len > 4 && c3 === 105 && c2 === 101) {
            end = i - 3; // ies -> y
            suffix = 121;
          } else if (len > 4 && c2 === 101 && endsEsRule(s, i)) {
            end = i - 2;
          } else if (c2 === 115 || c2 === 117 || c2 === 105) {
            end = i; // ss, us, is
          } else {
            end = i - 1;
          }
        }
        const h = hashRange(s, start, end, suffix);
        id = this.find(s, start, end, suffix, h);
        if (id < 0) {
          text = s.slice(start, end).toLowerCase() + (suffix >= 0 ? String.fromCharCode(suffix) : "");
          if (create && !STOPWORDS.has(text)) id = this.add(text);
        }
      }
      start = -1;
      if (id >= 0 && this.stop[id] === 1) continue;
      if (id < 0 && text !== undefined && STOPWORDS.has(text)) continue;
      sink.term(id, position++, text);
    }
  }
}

/** Receives the terms of a scanned text (an object, so scanning allocates no closure per text). */
export interface TermSink {
  term(id: number, position: number, text?: string): void;
}

/** The character code, lower-cased if it is A-Z (folded text has none, so this serves both). */
function lowerAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** sses, xes, ches, shes, zzes: the plural adds "es" (boxes -> box), as stem() in domain/text.ts. */
function endsEsRule(s: string, end: number): boolean {
  const c3 = lowerAt(s, end - 3);
  const c4 = lowerAt(s, end - 4);
  if (c3 === 120) return true; // xes
  if (c3 === 115 && c4 === 115) return true; // sses
  if (c3 === 104 && (c4 === 99 || c4 === 115)) return true; // ches, shes
  if (c3 === 122 && c4 === 122) return true; // zzes
  return false;
}

function hashRange(s: string, start: number, end: number, suffix: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ lowerAt(s, i), 0x01000193);
  if (suffix >= 0) h = Math.imul(h ^ suffix, 0x01000193);
  return h | 0;
}
