// What the index stores about an item, as read from events or from the read model, and the pieces of its
// text the index turns into terms.

/** An item as Search last saw it (ItemChanged event or search.items row). */
export interface ItemDoc {
  itemId: string;
  version: number;
  /** False once archived: kept (a late older event must not resurrect it) but never shown. */
  active: boolean;
  name: string;
  description: string;
  brand: string;
  categoryId: string;
  priceMinor: number;
  currency: string;
  imageUrl: string;
  /** Milliseconds since the epoch. */
  createdMs: number;
  /** Attribute values as one text (see attributeText): searchable, weighed like the description. */
  attributeText: string;
}

/** Stock left of an item as Inventory last announced it. */
export interface StockDoc {
  itemId: string;
  available: number;
  lowStock: boolean;
  /** Per-item ledger sequence: a lower one is an older state. */
  sequence: number;
}

/** Field bits of a (term, item) posting. */
export const FIELD = {
  name: 1,
  /** The term is the first word of the name ("Samsung ..."). */
  nameFirst: 2,
  brand: 4,
  category: 8,
  /** Description and attribute values. */
  description: 16,
  /** The term is a head noun of the item's category name ("tv" for "TVs", "case" for "Cases & Covers"). */
  categoryHead: 32,
} as const;

/** Attribute values in key order, one per line: the same text whichever order the map lists them in. */
export function attributeText(attributes: Record<string, string>): string {
  return Object.keys(attributes).sort().map((k) => attributes[k]).join("\n");
}

/** 32-bit FNV-1a, for change detection and cache fingerprints. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Fingerprint of everything that decides which terms an item has: equal means no re-indexing needed. */
export function textHash(doc: ItemDoc): number {
  let h = hash32(doc.name);
  h = hash32(doc.brand, h ^ 0x1f);
  h = hash32(doc.categoryId, h ^ 0x2f);
  h = hash32(doc.description, h ^ 0x3f);
  return hash32(doc.attributeText, h ^ 0x4f);
}
