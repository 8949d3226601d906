// Giving units back to the aggregated stock (release, expiry, order cancellation), shared by every path that
// does it: item rows locked in item order, one UPDATE, a ledger row per entry, one event per item.
import type { LedgerReason } from "./ledger.js";
import { outboxArrays } from "../../../lib/outbox.js";
import { itemWarehouses, stockEvents, writeEvents } from "./events.js";
import { rows, type Db } from "../../../lib/sql.js";

export interface Return {
  itemId: string;
  quantity: number;
  /** Ledger reference: the checkout, order or warehouse order the units came back from. */
  reference: string;
}

/** Locks item_stock rows in item order (the fixed lock order) and returns their current values. */
export async function lockItems(tx: Db, itemIds: string[]): Promise<Map<string, { aggregated: number; sequence: bigint }>> {
  const sorted = [...new Set(itemIds)].sort();
  const locked = await rows<{ item_id: string; aggregated: number; sequence: string }>(tx,
    `SELECT item_id, aggregated, sequence FROM inventory.item_stock
     WHERE item_id = ANY($1::uuid[]) ORDER BY item_id FOR UPDATE`,
    [sorted]);
  return new Map(locked.map((r) => [r.item_id, { aggregated: r.aggregated, sequence: BigInt(r.sequence) }]));
}

/**
 * `shelvesChanged`: the caller changed warehouse rows of these items (an allocated order's cancellation), so the
 * events carry the items' warehouse rows.
 */
export async function returnToAggregated(tx: Db, entries: Return[], reason: LedgerReason, threshold: number, shelvesChanged = false): Promise<void> {
  const totals = new Map<string, number>();
  for (const e of entries) totals.set(e.itemId, (totals.get(e.itemId) ?? 0) + e.quantity);
  if (totals.size === 0) return;
  const locked = await lockItems(tx, [...totals.keys()]);
  const missing = [...totals.keys()].filter((id) => !locked.has(id));
  // Units can only come back to an item they were taken from; a missing row is a broken database, not bad input.
  if (missing.length) throw new Error(`item_stock rows missing for items ${missing.join(", ")} while returning units`);
  const items = [...totals.keys()].sort();
  const shelves = shelvesChanged ? await itemWarehouses(tx, items) : undefined;
  const events = stockEvents(items.map((itemId) => {
    const { aggregated, sequence } = locked.get(itemId)!;
    return { itemId, before: aggregated, after: aggregated + totals.get(itemId)!, sequence: sequence + 1n, warehouses: shelves?.get(itemId)?.warehouses };
  }), threshold);
  await rows(tx,
    `WITH items AS (
       UPDATE inventory.item_stock s SET aggregated = s.aggregated + d.n, sequence = s.sequence + 1, updated_at = now()
       FROM unnest($1::uuid[], $2::int[]) AS d(item_id, n) WHERE s.item_id = d.item_id
     ), ledger AS (
       INSERT INTO inventory.stock_ledger (item_id, counter, delta, reason, reference)
       SELECT i, 'aggregated', n, $3, r FROM unnest($4::uuid[], $5::int[], $6::text[]) AS t(i, n, r)
     ), outbox AS (
       INSERT INTO inventory.outbox (event_id, subject, message_type, payload)
       SELECT * FROM unnest($7::uuid[], $8::text[], $9::text[], $10::bytea[])
     )
     SELECT pg_notify('inventory_outbox', '')`,
    [items, items.map((i) => totals.get(i)!), reason,
      entries.map((e) => e.itemId), entries.map((e) => e.quantity), entries.map((e) => e.reference),
      ...outboxArrays(events)]);
}

/**
 * Warehouse rows of the items changed without their aggregated count (allocation): bumps each item's sequence
 * (locking the rows in item order, and updating them, in one statement) and writes a StockChanged carrying the
 * warehouse rows.
 */
export async function announceShelves(tx: Db, itemIds: string[], threshold: number): Promise<void> {
  const bumped = await rows<{ item_id: string; aggregated: number; sequence: string }>(tx,
    `UPDATE inventory.item_stock s SET sequence = s.sequence + 1, updated_at = now()
     FROM (SELECT item_id FROM inventory.item_stock WHERE item_id = ANY($1::uuid[]) ORDER BY item_id FOR UPDATE) AS locked
     WHERE s.item_id = locked.item_id
     RETURNING s.item_id, s.aggregated, s.sequence`,
    [[...new Set(itemIds)]]);
  if (bumped.length === 0) return;
  const shelves = await itemWarehouses(tx, bumped.map((b) => b.item_id));
  await writeEvents(tx, stockEvents(bumped.map((b) => ({
    itemId: b.item_id, before: b.aggregated, after: b.aggregated, sequence: BigInt(b.sequence), warehouses: shelves.get(b.item_id)?.warehouses,
  })), threshold));
}
