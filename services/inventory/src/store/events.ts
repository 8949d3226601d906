// Stock events for the outbox: one StockChanged per item per transaction that changed its aggregated stock,
// plus LowStock when that change crossed under the threshold. Built here and written by the caller's
// transaction in bulk (one INSERT for all of them), so a busy item costs one outbox row per transaction.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LowStockSchema, StockChangedSchema } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { EVENTS } from "../../../lib/events.js";
import { enqueueRows, outboxRow, type OutboxRow } from "../../../lib/outbox.js";
import type { Db } from "../../../lib/sql.js";
import { crossedUnderThreshold, isLowStock } from "../domain/stock.js";

/** An item's aggregated stock went from `before` to `after` in a transaction; `sequence` is its new sequence. */
export interface AggregatedChange {
  itemId: string;
  before: number;
  after: number;
  sequence: bigint;
}

export function stockEvents(changes: AggregatedChange[], threshold: number, at = new Date()): OutboxRow[] {
  const occurTime = timestampFromDate(at);
  const out: OutboxRow[] = [];
  for (const c of changes) {
    const changed = create(StockChangedSchema, {
      eventId: randomUUID(), itemId: c.itemId, available: c.after, lowStock: isLowStock(c.after, threshold),
      occurTime, sequence: c.sequence,
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
