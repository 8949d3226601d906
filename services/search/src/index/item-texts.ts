// Per-item texts without a JS string per item. Held as strings (id, name, image address, category id, currency,
// plus the id -> ordinal Map), a million items were most of the index's heap, and every full garbage collection
// had to mark each of them, stalling the replica. Texts that differ per item live as UTF-8 in one growing buffer
// (one object to the collector); texts that repeat are numbered once.
import { hash32 } from "./documents.js";
import { grow } from "./grow.js";

/** Texts by ordinal, as UTF-8 in one buffer. Replacing a text leaves its old bytes as garbage until compaction. */
export class TextColumn {
  private bytes = Buffer.alloc(1 << 16);
  private used = 0;
  /** Bytes still referenced by some ordinal (the rest is garbage). */
  private live = 0;
  private start = new Uint32Array(1024);
  private size = new Uint32Array(1024);
  private count = 0;

  get(ord: number): string {
    return ord < this.count ? this.bytes.toString("utf8", this.start[ord], this.start[ord] + this.size[ord]) : "";
  }

  /** Length in UTF-8 bytes (the characters, for ASCII texts) without decoding. */
  byteLength(ord: number): number {
    return ord < this.count ? this.size[ord] : 0;
  }

  set(ord: number, text: string): void {
    this.start = grow(this.start, ord + 1);
    this.size = grow(this.size, ord + 1);
    // Skipped ordinals hold the empty text (their entries are still zero).
    if (ord < this.count) this.live -= this.size[ord];
    else this.count = ord + 1;
    // The old text is garbage now: a compaction while making room must not keep it.
    this.size[ord] = 0;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(3 * text.length);
    const n = this.bytes.write(text, this.used, "utf8");
    this.start[ord] = this.used;
    this.size[ord] = n;
    this.used += n;
    this.live += n;
  }

  /** Whether the ordinal holds exactly `text`, decoding only when it has non-ASCII characters. */
  equals(ord: number, text: string): boolean {
    if (ord >= this.count) return text === "";
    const s = this.start[ord];
    const n = this.size[ord];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return this.get(ord) === text;
      if (i >= n || this.bytes[s + i] !== c) return false;
    }
    return n === text.length;
  }

  /** Room for `extra` more bytes: compacts when at least half of what is written is garbage, else doubles. */
  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const compact = 2 * (this.used - this.live) >= this.used;
    const next = Buffer.alloc(Math.max(2 * (this.live + extra), compact ? this.bytes.length : 2 * this.bytes.length));
    let at = 0;
    if (compact) {
      for (let o = 0; o < this.count; o++) {
        const n = this.size[o];
        this.bytes.copy(next, at, this.start[o], this.start[o] + n);
        this.start[o] = at;
        at += n;
      }
    } else {
      this.bytes.copy(next, 0, 0, this.used);
      at = this.used;
    }
    this.bytes = next;
    this.used = at;
  }
}

/**
 * Item ids and the ordinal each one is indexed under now: the ids in a TextColumn by ordinal, and an
 * open-addressing table from an id's hash to its current ordinal (an item re-indexed under a new ordinal
 * keeps its id, so the slot simply moves to the new one).
 */
export class ItemIdTable {
  private readonly ids = new TextColumn();
  /** Ordinal + 1 per slot; 0 is empty. */
  private slots = new Int32Array(1 << 16);
  /** Each ordinal's id hash, so a resize re-slots without decoding every id. */
  private hashOf = new Int32Array(1024);
  private entries = 0;

  /** The id indexed under this ordinal (current or retired). */
  idOf(ord: number): string {
    return this.ids.get(ord);
  }

  /** The ordinal the item is indexed under now, or -1. */
  ordOf(itemId: string): number {
    const mask = this.slots.length - 1;
    for (let i = hash32(itemId) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot === 0) return -1;
      if (this.ids.equals(slot - 1, itemId)) return slot - 1;
    }
  }

  /** Indexes the item under `ord` from now on (a new ordinal: the largest so far). */
  assign(itemId: string, ord: number): void {
    this.ids.set(ord, itemId);
    const h = hash32(itemId);
    this.hashOf = grow(this.hashOf, ord + 1);
    this.hashOf[ord] = h;
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot === 0) {
        this.slots[i] = ord + 1;
        if (++this.entries * 2 > this.slots.length) this.resize();
        return;
      }
      if (this.ids.equals(slot - 1, itemId)) {
        this.slots[i] = ord + 1;
        return;
      }
    }
  }

  private resize(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const slot of old) {
      if (slot === 0) continue;
      let i = this.hashOf[slot - 1] & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = slot;
    }
  }
}

/** Distinct strings numbered in order of arrival: a column of repeated values (brands, categories) as small numbers. */
export class Interner {
  readonly texts: string[] = [];
  private readonly numbers = new Map<string, number>();

  /** The text's number, or -1 when it was never seen. */
  get(text: string): number {
    return this.numbers.get(text) ?? -1;
  }

  /** The text's number, numbering it when new. */
  add(text: string): number {
    let n = this.numbers.get(text);
    if (n === undefined) {
      n = this.texts.length;
      this.texts.push(text);
      this.numbers.set(text, n);
    }
    return n;
  }

  get size(): number {
    return this.texts.length;
  }
}
