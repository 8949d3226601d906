// The stock ledger: one row per counter change, written in the same transaction as the change.
import { rows, type Db } from "../../../lib/sql.js";

export type Counter = "physical" | "available" | "aggregated";
export type LedgerReason = "receive" | "write_off" | "reserve" | "release" | "expire" | "allocate" | "deallocate" | "ship";

export interface LedgerEntry {
  itemId: string;
  /** Null for the per-item aggregated counter. */
  warehouseId: string | null;
  counter: Counter;
  delta: number;
  reason: LedgerReason;
  reference: string;
}

export async function writeLedger(db: Db, entries: LedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await rows(db,
    `INSERT INTO inventory.stock_ledger (item_id, warehouse_id, counter, delta, reason, reference)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[])`,
    [entries.map((e) => e.itemId), entries.map((e) => e.warehouseId), entries.map((e) => e.counter),
      entries.map((e) => e.delta), entries.map((e) => e.reason), entries.map((e) => e.reference)]);
}

/** Ledger rows for units arriving at (n > 0) or leaving (n < 0) a warehouse shelf unassigned: all three counters. */
export function shelfEntries(itemId: string, warehouseId: string, n: number, reason: LedgerReason, reference: string): LedgerEntry[] {
  return [
    { itemId, warehouseId, counter: "physical", delta: n, reason, reference },
    { itemId, warehouseId, counter: "available", delta: n, reason, reference },
    { itemId, warehouseId: null, counter: "aggregated", delta: n, reason, reference },
  ];
}
