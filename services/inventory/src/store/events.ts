// Stock events for the outbox: one StockChanged per item per transaction that changed its aggregated stock or
// a warehouse's unassigned units of it (then with every warehouse row of the item, for Assignment's stock view),
// plus LowStock when that change crossed under the threshold. An allocation leaves the aggregated count as it was
// and says so (only_warehouses_changed), so consumers of the count skip it without a transaction. Built here and written by the caller's
// transaction in bulk (one INSERT for all of them), so a busy item costs one outbox row per transaction.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LowStockSchema, StockChangedSchema, WarehouseAvailableSchema } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { EVENTS } from "../../../lib/events.js";
import { enqueueRows, outboxRow, type OutboxRow } from "../../../lib/outbox.js";
import { rows, type Db } from "../../../lib/sql.js";
import { crossedUnderThreshold, isLowStock } from "../domain/stock.js";

/** An item's aggregated stock went from `before` to `after` in a transaction; `sequence` is its new sequence. */
export interface AggregatedChange {
  itemId: string;
  before: number;
  after: number;
  sequence: bigint;
  /** The item's unassigned units per warehouse after the change; given when the change touched them. */
  warehouses?: WarehouseAvailable[];
}

export interface WarehouseAvailable {
  warehouseId: string;
  available: number;
}

export interface ItemWarehouses {
  sequence: bigint;
  warehouses: WarehouseAvailable[];
}

/**
 * Every warehouse row of the items with the items' sequences, read in one statement (one snapshot). Every
 * transaction that changes a warehouse's unassigned units also bumps the item's sequence while holding its
 * row, so the rows read belong to that sequence. Items never stocked are absent.
 */
export async function itemWarehouses(db: Db, itemIds: string[]): Promise<Map<string, ItemWarehouses>> {
  const found = await rows<{ item_id: string; sequence: string; warehouses: { w: string; a: number }[] }>(db,
    `SELECT s.item_id, s.sequence,
            coalesce(json_agg(json_build_object('w', ws.warehouse_id, 'a', ws.available) ORDER BY ws.warehouse_id)
                       FILTER (WHERE ws.warehouse_id IS NOT NULL), '[]') AS warehouses
     FROM inventory.item_stock s LEFT JOIN inventory.warehouse_stock ws ON ws.item_id = s.item_id
     WHERE s.item_id = ANY($1::uuid[]) GROUP BY s.item_id, s.sequence`,
    [[...new Set(itemIds)]]);
  return new Map(found.map((r) => [r.item_id, {
    sequence: BigInt(r.sequence), warehouses: r.warehouses.map((x) => ({ warehouseId: x.w, available: x.a })),
  }]));
}

export function stockEvents(changes: AggregatedChange[], threshold: number, at = new Date()): OutboxRow[] {
  const occurTime = timestampFromDate(at);
  const out: OutboxRow[] = [];
  for (const c of changes) {
    const changed = create(StockChangedSchema, {
      eventId: randomUUID(), itemId: c.itemId, available: c.after, lowStock: isLowStock(c.after, threshold),
      occurTime, sequence: c.sequence, warehouses: (c.warehouses ?? []).map((w) => create(WarehouseAvailableSchema, w)),
      onlyWarehousesChanged: c.before === c.after && c.warehouses !== undefined,
    });
    out.push(outboxRow(EVENTS.inventoryStockChanged, changed));
    if (crossedUnderThreshold(c.before, c.after, threshold)) {
      const low = create(LowStockSchema, { eventId: randomUUID(), itemId: c.itemId, available: c.after, threshold, occurTime });
      out.push(outboxRow(EVENTS.inventoryStockLow, low));
    }
  }
  return out;
}

/** Writes events in the caller's transaction (one statement) and wakes the relay at commit. */
export async function writeEvents(db: Db, events: OutboxRow[]): Promise<void> {
  await enqueueRows(db, "inventory", events);
}
