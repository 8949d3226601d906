// SQL for the shipments view: one row per warehouse order, written only by the event handlers (and by CancelOrder
// from Assignment's own answer), never moved backwards.
import { SHIPMENT_RANK, type ShipmentStatus } from "../domain/shipments.js";
import { rows, type Db } from "../../../lib/sql.js";

export interface ShipmentRow {
  warehouseOrderId: string;
  orderId: string;
  warehouseId: string;
  warehouseCode: string;
  status: ShipmentStatus;
  lines: { itemId: string; quantity: number }[];
  carrier: string;
  trackingNumber: string;
  updatedAt: Date;
}

const T = `"order".shipments`;

const COLUMNS = `warehouse_order_id AS "warehouseOrderId", order_id AS "orderId", warehouse_id AS "warehouseId",
  warehouse_code AS "warehouseCode", status, lines, carrier, tracking_number AS "trackingNumber", updated_at AS "updatedAt"`;

/**
 * Records what events say about one order's warehouse orders, where it is news: a status further along than the
 * stored one (or a shipment not seen yet). One statement for any number of shipments; returns how many changed
 * and the status of every shipment of the order after it. The caller holds the order's row lock, which every
 * writer of its shipments takes first, so the statement's snapshot of the rows it did not change is current.
 */
export async function recordShipments(q: Db, orderId: string, shipments: ShipmentRow[]): Promise<{ changed: number; statuses: ShipmentStatus[] }> {
  // One row per warehouse order (the furthest along), as one INSERT may not touch a row twice.
  const latest = new Map<string, ShipmentRow>();
  for (const s of shipments) {
    const seen = latest.get(s.warehouseOrderId);
    if (!seen || SHIPMENT_RANK[s.status] > SHIPMENT_RANK[seen.status]) latest.set(s.warehouseOrderId, s);
  }
  const list = [...latest.values()];
  const [r] = await rows<{ changed: number; statuses: ShipmentStatus[] }>(
    q,
    `WITH changed AS (
       INSERT INTO ${T} AS s (warehouse_order_id, order_id, warehouse_id, warehouse_code, status, rank, lines, carrier, tracking_number, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::smallint[], $7::jsonb[], $8::text[], $9::text[], $10::timestamptz[])
       ON CONFLICT (warehouse_order_id) DO UPDATE SET
         status = EXCLUDED.status, rank = EXCLUDED.rank, lines = EXCLUDED.lines,
         carrier = CASE WHEN EXCLUDED.carrier <> '' THEN EXCLUDED.carrier ELSE s.carrier END,
         tracking_number = CASE WHEN EXCLUDED.tracking_number <> '' THEN EXCLUDED.tracking_number ELSE s.tracking_number END,
         updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at), received_at = now()
       WHERE s.rank < EXCLUDED.rank
       RETURNING s.warehouse_order_id, s.status
     )
     SELECT (SELECT count(*)::int FROM changed) AS changed,
            ARRAY(SELECT status FROM changed
                  UNION ALL
                  SELECT status FROM ${T} WHERE order_id = $11 AND warehouse_order_id NOT IN (SELECT warehouse_order_id FROM changed)) AS statuses`,
    [list.map((s) => s.warehouseOrderId), list.map((s) => s.orderId), list.map((s) => s.warehouseId), list.map((s) => s.warehouseCode),
      list.map((s) => s.status), list.map((s) => SHIPMENT_RANK[s.status]), list.map((s) => JSON.stringify(s.lines)),
      list.map((s) => s.carrier), list.map((s) => s.trackingNumber), list.map((s) => s.updatedAt), orderId],
  );
  return r;
}

/** The shipments of some orders, by order id; each order's in warehouse-code order. */
export async function shipmentsOf(q: Db, orderIds: string[]): Promise<Map<string, ShipmentRow[]>> {
  const byOrder = new Map<string, ShipmentRow[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const found = await rows<ShipmentRow>(
    q, `SELECT ${COLUMNS} FROM ${T} WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, warehouse_code, warehouse_order_id`, [orderIds],
  );
  for (const s of found) byOrder.get(s.orderId)?.push(s);
  return byOrder;
}
