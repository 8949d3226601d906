// Units arriving and leaving warehouse shelves outside orders (receive, write-off), and stock reads.
// Lock order everywhere: warehouse_stock rows (by item, warehouse) before item_stock rows (by item).
import { failedPrecondition, notFound, PG, pgCode } from "../../../lib/errors.js";
import { itemWarehouses, stockEvents, writeEvents } from "./events.js";
import { shelfEntries, writeLedger } from "./ledger.js";
import { one, rows, type Db } from "../../../lib/sql.js";

export interface WarehouseStockRow {
  itemId: string;
  warehouseId: string;
  physical: number;
  available: number;
}

export interface ShelfChange {
  warehouseId: string;
  itemId: string;
  quantity: number;
  reference: string;
}

export interface ShelfResult {
  stock: WarehouseStockRow;
  aggregated: number;
}

/** Units arrive: physical, available and aggregated all grow by quantity. */
export async function receiveStock(tx: Db, c: ShelfChange, threshold: number): Promise<ShelfResult> {
  let shelf: { physical: number; available: number };
  let item: { aggregated: number; sequence: string };
  try {
    shelf = (await one(tx,
      `INSERT INTO inventory.warehouse_stock AS ws (item_id, warehouse_id, physical, available) VALUES ($1, $2, $3, $3)
       ON CONFLICT (item_id, warehouse_id) DO UPDATE
         SET physical = ws.physical + EXCLUDED.physical, available = ws.available + EXCLUDED.available, updated_at = now()
       RETURNING physical, available`,
      [c.itemId, c.warehouseId, c.quantity]))!;
    item = (await one(tx,
      `INSERT INTO inventory.item_stock AS s (item_id, aggregated, sequence) VALUES ($1, $2, 1)
       ON CONFLICT (item_id) DO UPDATE SET aggregated = s.aggregated + EXCLUDED.aggregated, sequence = s.sequence + 1, updated_at = now()
       RETURNING aggregated, sequence`,
      [c.itemId, c.quantity]))!;
  } catch (err) {
    if (pgCode(err) === PG.foreignKeyViolation) throw notFound("warehouse", c.warehouseId);
    if (pgCode(err) === "22003") throw failedPrecondition("STOCK_LIMIT", "receiving this many units would exceed the largest stock count (2^31-1)");
    throw err;
  }
  await writeLedger(tx, shelfEntries(c.itemId, c.warehouseId, c.quantity, "receive", c.reference));
  await writeEvents(tx, stockEvents(
    [{ itemId: c.itemId, before: item.aggregated - c.quantity, after: item.aggregated, sequence: BigInt(item.sequence), warehouses: await shelvesOf(tx, c.itemId) }], threshold));
  return { stock: { itemId: c.itemId, warehouseId: c.warehouseId, ...shelf }, aggregated: item.aggregated };
}

/**
 * Units lost: physical and available shrink at the warehouse, and aggregated with them. Each decrement is
 * conditional; when aggregated is short because units are held by reservations or orders, the whole
 * write-off is refused rather than breaking "aggregated + held = sum(available)".
 */
export async function writeOff(tx: Db, c: ShelfChange, threshold: number): Promise<ShelfResult> {
  const shelf = await one<{ physical: number; available: number }>(tx,
    `UPDATE inventory.warehouse_stock SET physical = physical - $3, available = available - $3, updated_at = now()
     WHERE item_id = $1 AND warehouse_id = $2 AND available >= $3
     RETURNING physical, available`,
    [c.itemId, c.warehouseId, c.quantity]);
  if (!shelf) {
    const now = await one<{ available: number }>(tx,
      `SELECT available FROM inventory.warehouse_stock WHERE item_id = $1 AND warehouse_id = $2`, [c.itemId, c.warehouseId]);
    throw failedPrecondition("STOCK_SHORT", `cannot write off ${c.quantity} units: the warehouse has ${now?.available ?? 0} unassigned units of this item`);
  }
  const item = await one<{ aggregated: number; sequence: string }>(tx,
    `UPDATE inventory.item_stock SET aggregated = aggregated - $2, sequence = sequence + 1, updated_at = now()
     WHERE item_id = $1 AND aggregated >= $2
     RETURNING aggregated, sequence`,
    [c.itemId, c.quantity]);
  if (!item) {
    const now = await one<{ aggregated: number }>(tx, `SELECT aggregated FROM inventory.item_stock WHERE item_id = $1`, [c.itemId]);
    throw failedPrecondition(
      "STOCK_SHORT", `cannot write off ${c.quantity} units: only ${now?.aggregated ?? 0} are not held by reservations or orders; release them first`);
  }
  await writeLedger(tx, shelfEntries(c.itemId, c.warehouseId, -c.quantity, "write_off", c.reference));
  await writeEvents(tx, stockEvents(
    [{ itemId: c.itemId, before: item.aggregated + c.quantity, after: item.aggregated, sequence: BigInt(item.sequence), warehouses: await shelvesOf(tx, c.itemId) }], threshold));
  return { stock: { itemId: c.itemId, warehouseId: c.warehouseId, ...shelf }, aggregated: item.aggregated };
}

/** The item's warehouse rows as this transaction leaves them (it holds the item's row). */
async function shelvesOf(tx: Db, itemId: string) {
  return (await itemWarehouses(tx, [itemId])).get(itemId)?.warehouses ?? [];
}

/** Aggregated stock per item; items never stocked are absent (callers report 0). */
export async function aggregatedStock(db: Db, itemIds: string[]): Promise<Map<string, number>> {
  const found = await rows<{ item_id: string; aggregated: number }>(db,
    `SELECT item_id, aggregated FROM inventory.item_stock WHERE item_id = ANY($1::uuid[])`, [itemIds]);
  return new Map(found.map((r) => [r.item_id, r.aggregated]));
}

/** Per-warehouse rows of one item, optionally of one warehouse, ordered like the warehouse list. */
export async function warehouseStock(db: Db, itemId: string, onlyWarehouseId?: string): Promise<WarehouseStockRow[]> {
  return rows<WarehouseStockRow>(db,
    `SELECT ws.item_id AS "itemId", ws.warehouse_id AS "warehouseId", ws.physical, ws.available
     FROM inventory.warehouse_stock ws JOIN inventory.warehouses w ON w.id = ws.warehouse_id
     WHERE ws.item_id = $1 AND ($2::uuid IS NULL OR ws.warehouse_id = $2)
     ORDER BY w.priority, w.code`,
    [itemId, onlyWarehouseId ?? null]);
}
