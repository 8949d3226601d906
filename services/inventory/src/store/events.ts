// Stock events for the outbox: one StockChanged per item per transaction that changed its aggregated stock,
// plus LowStock when that change crossed under the threshold. Built here and written by the caller's
// transaction in bulk (one INSERT for all of them), so a busy item costs one outbox row per transaction.
import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LowStockSchema, StockChangedSchema } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { SUBJECTS } from "../../../lib/nats.js";
import { crossedUnderThreshold, isLowStock } from "../domain/stock.js";
import { rows, type Db } from "../../../lib/sql.js";

export interface OutboxRow {
  eventId: string;
  subject: string;
  messageType: string;
  payload: Buffer;
}

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
    out.push({ eventId: changed.eventId, subject: SUBJECTS.inventoryStockChanged, messageType: StockChangedSchema.typeName,
      payload: Buffer.from(toBinary(StockChangedSchema, changed)) });
    if (crossedUnderThreshold(c.before, c.after, threshold)) {
      const low = create(LowStockSchema, { eventId: randomUUID(), itemId: c.itemId, available: c.after, threshold, occurTime });
      out.push({ eventId: low.eventId, subject: SUBJECTS.inventoryStockLow, messageType: LowStockSchema.typeName,
        payload: Buffer.from(toBinary(LowStockSchema, low)) });
    }
  }
  return out;
}

/** Columns of outbox rows as parallel arrays, for `unnest($a::uuid[], $b::text[], $c::text[], $d::bytea[])`. */
export function outboxArrays(events: OutboxRow[]): [string[], string[], string[], Buffer[]] {
  return [events.map((e) => e.eventId), events.map((e) => e.subject), events.map((e) => e.messageType), events.map((e) => e.payload)];
}

/** Writes events in the caller's transaction (one statement) and wakes the relay at commit. */
export async function writeEvents(db: Db, events: OutboxRow[]): Promise<void> {
  if (events.length === 0) return;
  await rows(db,
    `WITH ins AS (
       INSERT INTO inventory.outbox (event_id, subject, message_type, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[])
     )
     SELECT pg_notify('inventory_outbox', '')`,
    outboxArrays(events));
}
