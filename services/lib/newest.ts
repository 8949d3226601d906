// Read models fed by events keep one row per item, written only when newer: within one batch, the newest
// document of each item is the one to write (an upsert may not touch the same row twice in one statement).

/** The newest document per item id, by `order` (an item version, a stock sequence). */
export function newestById<T extends { itemId: string }>(docs: T[], order: (d: T) => number | bigint): T[] {
  const byId = new Map<string, T>();
  for (const d of docs) {
    const seen = byId.get(d.itemId);
    if (!seen || order(d) > order(seen)) byId.set(d.itemId, d);
  }
  return [...byId.values()];
}
