// An order's stock after Commit: committed-unassigned units, their allocation to warehouses, shipping, and
// cancellation. Every call locks the order's row first, so calls on one order are serialized; then
// warehouse_stock rows (by item, warehouse), then item_stock rows (by item).
import type { DataSource } from "typeorm";
import { inTransaction } from "../../../lib/db.js";
import { failedPrecondition, invalidArgument, notFound } from "../../../lib/errors.js";
import { checkAllocationPlan, samePlan, unitsPerWarehouseRow, type AllocationLine, type Shortage } from "../domain/stock.js";
import { announceShelves, returnToAggregated, type Return } from "./aggregated.js";
import { itemWarehouses, type ItemWarehouses } from "./events.js";
import { writeLedger } from "./ledger.js";
import { one, rows, type Db } from "../../../lib/sql.js";
import type { WarehouseStockRow } from "./stock.js";

type OrderStatus = "COMMITTED" | "ALLOCATED" | "DEALLOCATED";

export interface WarehouseShortage extends Shortage {
  warehouseId: string;
}

export interface Allocated {
  allocated: boolean;
  shortages: WarehouseShortage[];
  /** When refused: every warehouse row of each short item, for the caller's next plan. */
  shortItems: (ItemWarehouses & { itemId: string })[];
}

async function lockOrder(tx: Db, orderId: string): Promise<OrderStatus> {
  const o = await one<{ status: OrderStatus }>(tx, `SELECT status FROM inventory.orders WHERE order_id = $1 FOR UPDATE`, [orderId]);
  if (!o) throw notFound("order", orderId);
  return o.status;
}

async function allocationsOf(tx: Db, orderId: string): Promise<(AllocationLine & { state: string })[]> {
  return rows(tx,
    `SELECT warehouse_order_id AS "warehouseOrderId", warehouse_id AS "warehouseId", item_id AS "itemId", quantity, state
     FROM inventory.order_allocations WHERE order_id = $1 ORDER BY item_id, warehouse_id`, [orderId]);
}

/** Locks warehouse_stock rows in (item, warehouse) order and returns available per "item/warehouse". */
async function lockShelves(tx: Db, keys: { itemId: string; warehouseId: string }[]): Promise<Map<string, { physical: number; available: number }>> {
  const locked = await rows<{ item_id: string; warehouse_id: string; physical: number; available: number }>(tx,
    `SELECT ws.item_id, ws.warehouse_id, ws.physical, ws.available
     FROM inventory.warehouse_stock ws
     JOIN unnest($1::uuid[], $2::uuid[]) AS k(item_id, warehouse_id) ON k.item_id = ws.item_id AND k.warehouse_id = ws.warehouse_id
     ORDER BY ws.item_id, ws.warehouse_id FOR UPDATE OF ws`,
    [keys.map((k) => k.itemId), keys.map((k) => k.warehouseId)]);
  return new Map(locked.map((r) => [`${r.item_id}/${r.warehouse_id}`, { physical: r.physical, available: r.available }]));
}

/**
 * Assigns an order's committed units to warehouses: available(W) -= n per (item, W), each conditional, all
 * or nothing, announced by a StockChanged per item (its warehouse rows). Short rows come back with what they
 * hold now, with every warehouse row of the short items, and nothing changes. A retry with the same split
 * answers allocated again; a different split for an allocated order is refused.
 */
export async function allocateOrder(ds: DataSource, orderId: string, plan: AllocationLine[], threshold: number): Promise<Allocated> {
  return inTransaction(ds, async (tx) => {
    // The order's row locked, with what the checks need, in one round trip. The sub-selects read the statement's
    // snapshot, taken before any wait for the lock: order_stock changes only under this order's lock, with its
    // status (which the lock re-reads); warehouses and the taken check were never locked (the primary key of
    // order_allocations backs the latter).
    const o = await one<{ status: OrderStatus; committed: { i: string; u: number }[] | null; warehouses: { id: string; active: boolean }[] | null; taken: string | null }>(tx,
      `SELECT o.status,
              (SELECT json_agg(json_build_object('i', item_id, 'u', unassigned)) FROM inventory.order_stock WHERE order_id = $1) AS committed,
              (SELECT json_agg(json_build_object('id', id, 'active', active)) FROM inventory.warehouses WHERE id = ANY($2::uuid[])) AS warehouses,
              (SELECT warehouse_order_id::text FROM inventory.order_allocations WHERE warehouse_order_id = ANY($3::uuid[]) LIMIT 1) AS taken
       FROM inventory.orders o WHERE o.order_id = $1 FOR UPDATE OF o`,
      [orderId, [...new Set(plan.map((a) => a.warehouseId))], [...new Set(plan.map((a) => a.warehouseOrderId))]]);
    if (!o) throw notFound("order", orderId);
    if (o.status === "DEALLOCATED") throw failedPrecondition("ORDER_CANCELLED", `order ${orderId} was cancelled; its stock has been returned`);
    if (o.status === "ALLOCATED") {
      if (samePlan(await allocationsOf(tx, orderId), plan)) return { allocated: true, shortages: [], shortItems: [] };
      throw failedPrecondition("ALLOCATION_MISMATCH", `order ${orderId} is already allocated with a different split`);
    }

    const problem = checkAllocationPlan(plan, new Map((o.committed ?? []).map((c) => [c.i, c.u])));
    if (problem) throw invalidArgument(problem.field, problem.problem);
    const known = new Map((o.warehouses ?? []).map((w) => [w.id, w.active]));
    for (const id of new Set(plan.map((a) => a.warehouseId))) {
      if (!known.has(id)) throw notFound("warehouse", id);
      if (!known.get(id)) throw failedPrecondition("WAREHOUSE_INACTIVE", `warehouse ${id} is inactive and takes no new orders`);
    }
    if (o.taken) throw failedPrecondition("WAREHOUSE_ORDER_TAKEN", `warehouse order ${o.taken} belongs to another order`);

    const need = unitsPerWarehouseRow(plan);
    const shelves = await lockShelves(tx, need);
    const shortages = need
      .filter((n) => (shelves.get(`${n.itemId}/${n.warehouseId}`)?.available ?? 0) < n.quantity)
      .map((n) => ({ itemId: n.itemId, warehouseId: n.warehouseId, requested: n.quantity, available: shelves.get(`${n.itemId}/${n.warehouseId}`)?.available ?? 0 }));
    if (shortages.length) {
      const short = await itemWarehouses(tx, shortages.map((x) => x.itemId));
      return { allocated: false, shortages, shortItems: [...short].map(([itemId, w]) => ({ itemId, ...w })) };
    }

    // Every write of the allocation in one statement: the shelves (conditional, on the rows locked above), their
    // ledger rows, the allocations, and the order's state.
    const [{ updated }] = await rows<{ updated: number }>(tx,
      `WITH shelves AS (
         UPDATE inventory.warehouse_stock ws SET available = ws.available - d.n, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS d(item_id, warehouse_id, n)
         WHERE ws.item_id = d.item_id AND ws.warehouse_id = d.warehouse_id AND ws.available >= d.n
         RETURNING 1
       ), plan AS (
         SELECT * FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::int[]) AS t(w, i, wh, q)
       ), ledger AS (
         INSERT INTO inventory.stock_ledger (item_id, warehouse_id, counter, delta, reason, reference)
         SELECT i, wh, 'available', -q, 'allocate', w::text FROM plan
       ), allocations AS (
         INSERT INTO inventory.order_allocations (warehouse_order_id, item_id, order_id, warehouse_id, quantity, state)
         SELECT w, i, $4, wh, q, 'ALLOCATED' FROM plan
       ), order_stock AS (
         UPDATE inventory.order_stock SET unassigned = 0 WHERE order_id = $4
       ), orders AS (
         UPDATE inventory.orders SET status = 'ALLOCATED', updated_at = now() WHERE order_id = $4
       )
       SELECT count(*)::int AS updated FROM shelves`,
      [need.map((n) => n.itemId), need.map((n) => n.warehouseId), need.map((n) => n.quantity), orderId,
        plan.map((a) => a.warehouseOrderId), plan.map((a) => a.itemId), plan.map((a) => a.warehouseId), plan.map((a) => a.quantity)]);
    if (updated !== need.length) throw new Error("allocate: a conditional stock update did not apply on locked rows");
    await announceShelves(tx, need.map((n) => n.itemId), threshold);
    return { allocated: true, shortages: [], shortItems: [] };
  });
}

/**
 * Returns a cancelled order's stock. Before allocation: its committed-unassigned units go back to aggregated.
 * After (nothing shipped): available(W) += n and aggregated += n. Refused once any unit has shipped.
 * Idempotent: a repeat returns 0 units.
 */
export async function deallocateOrder(ds: DataSource, orderId: string, threshold: number): Promise<number> {
  return inTransaction(ds, async (tx) => {
    const status = await lockOrder(tx, orderId);
    if (status === "DEALLOCATED") return 0;
    let returns: Return[];
    if (status === "COMMITTED") {
      const lines = await rows<{ item_id: string; unassigned: number }>(tx,
        `SELECT item_id, unassigned FROM inventory.order_stock WHERE order_id = $1 AND unassigned > 0 ORDER BY item_id`, [orderId]);
      await rows(tx, `UPDATE inventory.order_stock SET unassigned = 0 WHERE order_id = $1`, [orderId]);
      returns = lines.map((l) => ({ itemId: l.item_id, quantity: l.unassigned, reference: orderId }));
    } else {
      const allocations = await allocationsOf(tx, orderId);
      const shipped = allocations.find((a) => a.state === "SHIPPED");
      if (shipped) throw failedPrecondition("ORDER_SHIPPED", `order ${orderId} has shipped units (warehouse order ${shipped.warehouseOrderId}); it can no longer be cancelled`);
      const open = allocations.filter((a) => a.state === "ALLOCATED");
      const back = unitsPerWarehouseRow(open);
      await lockShelves(tx, back);
      const updated = await rows(tx,
        `UPDATE inventory.warehouse_stock ws SET available = ws.available + d.n, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS d(item_id, warehouse_id, n)
         WHERE ws.item_id = d.item_id AND ws.warehouse_id = d.warehouse_id AND ws.available + d.n <= ws.physical
         RETURNING ws.item_id`,
        [back.map((n) => n.itemId), back.map((n) => n.warehouseId), back.map((n) => n.quantity)]);
      if (updated.length !== back.length) throw new Error("deallocate: allocated units are missing from a warehouse's physical stock");
      await writeLedger(tx, open.map((a) => ({
        itemId: a.itemId, warehouseId: a.warehouseId, counter: "available" as const, delta: a.quantity, reason: "deallocate" as const, reference: a.warehouseOrderId,
      })));
      await rows(tx, `UPDATE inventory.order_allocations SET state = 'DEALLOCATED', updated_at = now() WHERE order_id = $1`, [orderId]);
      returns = open.map((a) => ({ itemId: a.itemId, quantity: a.quantity, reference: a.warehouseOrderId }));
    }
    await returnToAggregated(tx, returns, "deallocate", threshold, status === "ALLOCATED");
    await rows(tx, `UPDATE inventory.orders SET status = 'DEALLOCATED', updated_at = now() WHERE order_id = $1`, [orderId]);
    return returns.reduce((sum, r) => sum + r.quantity, 0);
  });
}

/**
 * A warehouse order left the building: physical(W) -= n for each of its lines (conditional: never below the
 * units still unassigned). Idempotent: a repeat answers the current stock.
 */
export async function recordShipment(ds: DataSource, orderId: string, warehouseOrderId: string): Promise<WarehouseStockRow[]> {
  return inTransaction(ds, async (tx) => {
    await lockOrder(tx, orderId);
    const lines = (await allocationsOf(tx, orderId)).filter((a) => a.warehouseOrderId === warehouseOrderId);
    if (lines.length === 0) throw notFound("warehouse order", warehouseOrderId);
    if (lines.some((l) => l.state === "DEALLOCATED")) throw failedPrecondition("ORDER_CANCELLED", `order ${orderId} was cancelled; warehouse order ${warehouseOrderId} cannot ship`);
    const pending = lines.filter((l) => l.state === "ALLOCATED");
    const keys = unitsPerWarehouseRow(lines);
    if (pending.length > 0) {
      const out = unitsPerWarehouseRow(pending);
      await lockShelves(tx, out);
      const updated = await rows(tx,
        `UPDATE inventory.warehouse_stock ws SET physical = ws.physical - d.n, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS d(item_id, warehouse_id, n)
         WHERE ws.item_id = d.item_id AND ws.warehouse_id = d.warehouse_id AND ws.physical - d.n >= ws.available
         RETURNING ws.item_id`,
        [out.map((n) => n.itemId), out.map((n) => n.warehouseId), out.map((n) => n.quantity)]);
      if (updated.length !== out.length) throw failedPrecondition("STOCK_SHORT", `warehouse order ${warehouseOrderId}: the warehouse's physical stock does not cover its allocated units`);
      await writeLedger(tx, pending.map((a) => ({
        itemId: a.itemId, warehouseId: a.warehouseId, counter: "physical" as const, delta: -a.quantity, reason: "ship" as const, reference: a.warehouseOrderId,
      })));
      await rows(tx,
        `UPDATE inventory.order_allocations SET state = 'SHIPPED', updated_at = now() WHERE warehouse_order_id = $1 AND state = 'ALLOCATED'`,
        [warehouseOrderId]);
    }
    return rows<WarehouseStockRow>(tx,
      `SELECT ws.item_id AS "itemId", ws.warehouse_id AS "warehouseId", ws.physical, ws.available
       FROM inventory.warehouse_stock ws
       JOIN unnest($1::uuid[], $2::uuid[]) AS k(item_id, warehouse_id) ON k.item_id = ws.item_id AND k.warehouse_id = ws.warehouse_id
       ORDER BY ws.item_id, ws.warehouse_id`,
      [keys.map((k) => k.itemId), keys.map((k) => k.warehouseId)]);
  });
}
