// Warehouse orders and their history: written when an order is assigned, advanced by warehouse reports,
// cancelled with their order. Row locks are taken by id order, so two calls on one order cannot deadlock.
import type { Line } from "../domain/planner.js";
import { WAREHOUSE_ORDER_STATES, type Status } from "../domain/status.js";
import { IllegalTransition } from "../../../lib/state-machine.js";
import type { StoredAddress } from "../../../lib/address.js";

export type { StoredAddress };
import { one, rows, type Db } from "../../../lib/sql.js";


export interface WarehouseOrderRow {
  id: string;
  seq: string;
  orderId: string;
  warehouseId: string;
  warehouseCode: string;
  lines: Line[];
  shippingAddress: StoredAddress;
  status: Status;
  carrier: string | null;
  trackingNumber: string | null;
  shipRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWarehouseOrder {
  id: string;
  orderId: string;
  warehouseId: string;
  warehouseCode: string;
  lines: Line[];
  shippingAddress: StoredAddress;
}

const COLUMNS = `id, seq::text AS seq, order_id AS "orderId", warehouse_id AS "warehouseId", warehouse_code AS "warehouseCode",
  lines, shipping_address AS "shippingAddress", status, carrier, tracking_number AS "trackingNumber",
  ship_requested_at AS "shipRequestedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Inserts an order's warehouse orders (status ASSIGNED) with their first history rows. */
export async function insertWarehouseOrders(tx: Db, orders: NewWarehouseOrder[], actor: string): Promise<WarehouseOrderRow[]> {
  if (orders.length === 0) return [];
  // One statement for the rows and their history; seq follows the given order (nearest warehouse first).
  const inserted = await rows<WarehouseOrderRow>(tx,
    `WITH ins AS (
       INSERT INTO assignment.warehouse_orders (id, order_id, warehouse_id, warehouse_code, lines, shipping_address, status)
       SELECT id, order_id, warehouse_id, warehouse_code, lines, shipping_address, 'ASSIGNED'
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY
            AS t(id, order_id, warehouse_id, warehouse_code, lines, shipping_address, n)
       ORDER BY n
       RETURNING ${COLUMNS}
     ), history AS (
       INSERT INTO assignment.warehouse_order_history (warehouse_order_id, status, actor) SELECT id, 'ASSIGNED', $7 FROM ins
     )
     SELECT * FROM ins`,
    [orders.map((o) => o.id), orders.map((o) => o.orderId), orders.map((o) => o.warehouseId), orders.map((o) => o.warehouseCode),
      orders.map((o) => JSON.stringify(o.lines)), orders.map((o) => JSON.stringify(o.shippingAddress)), actor]);
  const position = new Map(orders.map((o, i) => [o.id, i]));
  return inserted.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

export async function addHistory(tx: Db, ids: string[], status: Status, actor: string): Promise<void> {
  if (ids.length === 0) return;
  await rows(tx,
    `INSERT INTO assignment.warehouse_order_history (warehouse_order_id, status, actor) SELECT unnest($1::uuid[]), $2, $3`,
    [ids, status, actor]);
}

export async function findWarehouseOrder(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<WarehouseOrderRow | undefined> {
  return one<WarehouseOrderRow>(db,
    `SELECT ${COLUMNS} FROM assignment.warehouse_orders WHERE id = $1${opts.lock ? " FOR UPDATE" : ""}`, [id]);
}

/** An order's warehouse orders, in the order they were written (nearest warehouse first). */
export async function warehouseOrdersOf(db: Db, orderId: string, opts: { lock?: boolean } = {}): Promise<WarehouseOrderRow[]> {
  if (opts.lock) {
    // Lock by id (the fixed order), then answer in seq order.
    await rows(db, `SELECT id FROM assignment.warehouse_orders WHERE order_id = $1 ORDER BY id FOR UPDATE`, [orderId]);
  }
  return rows<WarehouseOrderRow>(db, `SELECT ${COLUMNS} FROM assignment.warehouse_orders WHERE order_id = $1 ORDER BY seq`, [orderId]);
}

export interface ListQuery {
  warehouseId: string;
  status?: Status;
  /** Exclusive: rows after this seq. */
  afterSeq?: number;
  limit: number;
}

/** A warehouse's orders, oldest first. */
export async function listWarehouseOrders(db: Db, q: ListQuery): Promise<WarehouseOrderRow[]> {
  return rows<WarehouseOrderRow>(db,
    `SELECT ${COLUMNS} FROM assignment.warehouse_orders
     WHERE warehouse_id = $1 AND ($2::text IS NULL OR status = $2) AND seq > $3
     ORDER BY seq LIMIT $4`,
    [q.warehouseId, q.status ?? null, q.afterSeq ?? 0, q.limit]);
}

/** Moves a warehouse order found in `from` to `to`; refused (IllegalTransition) when the table has no such edge or the row is not in `from`. */
export async function setStatus(tx: Db, id: string, from: Status, to: Status): Promise<WarehouseOrderRow> {
  const row = await one<WarehouseOrderRow>(tx,
    `UPDATE assignment.warehouse_orders SET status = $2, updated_at = now() WHERE id = $1 AND status = $3 RETURNING ${COLUMNS}`,
    [id, to, WAREHOUSE_ORDER_STATES.check(from, to)[0]]);
  if (!row) throw new IllegalTransition(`warehouse order ${id} is no longer ${from}: not moved to ${to}`);
  return row;
}

/** Records a SHIPPED report before Inventory is told: carrier, tracking number and the time of the report. */
export async function requestShipment(tx: Db, id: string, carrier: string, trackingNumber: string): Promise<WarehouseOrderRow> {
  return (await one<WarehouseOrderRow>(tx,
    `UPDATE assignment.warehouse_orders SET carrier = $2, tracking_number = $3, ship_requested_at = now(), updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`, [id, carrier, trackingNumber]))!;
}

/** SHIPPED reports whose recording was interrupted: reported at least `olderThanMs` ago, still PACKED. */
export async function interruptedShipments(db: Db, olderThanMs: number, limit: number): Promise<string[]> {
  const found = await rows<{ id: string }>(db,
    `SELECT id FROM assignment.warehouse_orders
     WHERE status = 'PACKED' AND ship_requested_at IS NOT NULL AND ship_requested_at < now() - $1::interval
     ORDER BY ship_requested_at LIMIT $2`,
    [`${Math.floor(olderThanMs)} milliseconds`, limit]);
  return found.map((r) => r.id);
}
