// The stock view's rows: written only when newer than the stored ones (Inventory's per-item sequence), so a
// redelivered or late event changes nothing and replaying the stream converges to the same rows.
import { rows, type Db } from "../../../lib/sql.js";

/** Unassigned units of one item per warehouse id, as of Inventory's `sequence` for the item. */
export interface ItemStock {
  itemId: string;
  sequence: bigint;
  available: Map<string, number>;
}

export async function applyStock(db: Db, stock: ItemStock[]): Promise<void> {
  // One row per item per statement (ON CONFLICT cannot touch a row twice): the newest of a batch wins.
  const newest = new Map<string, ItemStock>();
  for (const s of stock) {
    const seen = newest.get(s.itemId);
    if (!seen || seen.sequence < s.sequence) newest.set(s.itemId, s);
  }
  if (newest.size === 0) return;
  const items = [...newest.values()].sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
  await rows(db,
    `INSERT INTO "assignment".stock_view AS v (item_id, sequence, warehouses)
     SELECT i, s, w FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[]) AS t(i, s, w)
     ON CONFLICT (item_id) DO UPDATE SET sequence = EXCLUDED.sequence, warehouses = EXCLUDED.warehouses, updated_at = now()
     WHERE v.sequence < EXCLUDED.sequence`,
    [items.map((s) => s.itemId), items.map((s) => s.sequence.toString()), items.map((s) => JSON.stringify(Object.fromEntries(s.available)))]);
}

/** The stored stock of the items; items the view has never heard of are absent. */
export async function readStock(db: Db, itemIds: string[]): Promise<Map<string, Map<string, number>>> {
  const found = await rows<{ item_id: string; warehouses: Record<string, number> }>(db,
    `SELECT item_id, warehouses FROM "assignment".stock_view WHERE item_id = ANY($1::uuid[])`, [itemIds]);
  return new Map(found.map((r) => [r.item_id, new Map(Object.entries(r.warehouses))]));
}
