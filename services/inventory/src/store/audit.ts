// AuditStock: every invariant of docs/design.md "The stock model", checked in SQL on one consistent snapshot.
import type { DataSource } from "typeorm";
import { rows } from "../../../lib/sql.js";

export interface Violation {
  invariant: string;
  itemId: string;
  warehouseId: string;
  detail: string;
}

export const INVARIANTS = {
  nonNegative: "counters >= 0 and available <= physical",
  balance: "aggregated + reserved + committed-unassigned == sum(available)",
  assigned: "physical - available == allocated-unshipped",
  ledger: "sum(ledger deltas) == counter",
  orderSplit: "allocated order: allocations cover its committed units",
} as const;

/**
 * Every check runs and compares in SQL and returns only violations, so a store of a million items is audited
 * in seconds. `itemIds` scopes every check to those items (undefined: all).
 */
export async function auditStock(ds: DataSource, itemIds?: string[]): Promise<{ violations: Violation[]; itemsChecked: number }> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    // REPEATABLE READ: every check below sees the same moment, so concurrent traffic cannot fake a violation.
    await runner.startTransaction("REPEATABLE READ");
    const violations: Violation[] = [];
    const q = async <T>(sql: string) => rows<T>(runner.manager, sql, [itemIds ?? null]);
    // The item scope, as a condition on an item id column ($1 is the id list, or NULL for every item).
    const inScope = (column: string) => `($1::uuid[] IS NULL OR ${column} = ANY($1::uuid[]))`;

    for (const r of await q<{ item_id: string; warehouse_id: string; physical: number; available: number }>(
      `SELECT item_id, warehouse_id, physical, available FROM inventory.warehouse_stock
       WHERE (physical < 0 OR available < 0 OR available > physical) AND ${inScope("item_id")}`)) {
      violations.push({ invariant: INVARIANTS.nonNegative, itemId: r.item_id, warehouseId: r.warehouse_id, detail: `physical=${r.physical} available=${r.available}` });
    }
    for (const r of await q<{ item_id: string; aggregated: number }>(
      `SELECT item_id, aggregated FROM inventory.item_stock WHERE aggregated < 0 AND ${inScope("item_id")}`)) {
      violations.push({ invariant: INVARIANTS.nonNegative, itemId: r.item_id, warehouseId: "", detail: `aggregated=${r.aggregated}` });
    }

    // Reserved counts every ACTIVE hold, expired or not: an unswept expired hold still has its units out of aggregated.
    const balance = await q<{ item_id: string | null; aggregated: number; reserved: number; committed: number; available: number; checked: string }>(
      `WITH agg AS (SELECT item_id, aggregated FROM inventory.item_stock WHERE ${inScope("item_id")}),
            res AS (SELECT l.item_id, sum(l.quantity)::bigint AS reserved
                    FROM inventory.reservation_lines l JOIN inventory.reservations r USING (checkout_id)
                    WHERE r.status = 'ACTIVE' AND ${inScope("l.item_id")} GROUP BY l.item_id),
            com AS (SELECT item_id, sum(unassigned)::bigint AS committed FROM inventory.order_stock WHERE ${inScope("item_id")} GROUP BY item_id),
            av AS (SELECT item_id, sum(available)::bigint AS available FROM inventory.warehouse_stock WHERE ${inScope("item_id")} GROUP BY item_id),
            items AS (SELECT item_id FROM agg UNION SELECT item_id FROM res UNION SELECT item_id FROM com UNION SELECT item_id FROM av),
            checked AS (
              SELECT i.item_id, coalesce(agg.aggregated, 0)::int AS aggregated, coalesce(res.reserved, 0)::int AS reserved,
                     coalesce(com.committed, 0)::int AS committed, coalesce(av.available, 0)::int AS available
              FROM items i LEFT JOIN agg USING (item_id) LEFT JOIN res USING (item_id) LEFT JOIN com USING (item_id) LEFT JOIN av USING (item_id))
       -- One row per violation, plus one (item_id NULL) carrying how many items were checked.
       SELECT item_id, aggregated, reserved, committed, available, NULL AS checked FROM checked
       WHERE aggregated + reserved + committed <> available
       UNION ALL SELECT NULL, 0, 0, 0, 0, count(*)::text FROM checked`);
    let itemsChecked = 0;
    for (const r of balance) {
      if (r.item_id === null) {
        itemsChecked = Number(r.checked);
        continue;
      }
      violations.push({ invariant: INVARIANTS.balance, itemId: r.item_id, warehouseId: "",
        detail: `aggregated=${r.aggregated} reserved=${r.reserved} committed_unassigned=${r.committed} sum_available=${r.available}` });
    }

    for (const r of await q<{ item_id: string; warehouse_id: string; physical: number; available: number; assigned: number }>(
      `WITH a AS (SELECT item_id, warehouse_id, sum(quantity)::bigint AS assigned FROM inventory.order_allocations
                  WHERE state = 'ALLOCATED' AND ${inScope("item_id")} GROUP BY item_id, warehouse_id),
            ws AS (SELECT * FROM inventory.warehouse_stock WHERE ${inScope("item_id")})
       SELECT coalesce(ws.item_id, a.item_id) AS item_id, coalesce(ws.warehouse_id, a.warehouse_id) AS warehouse_id,
              coalesce(ws.physical, 0) AS physical, coalesce(ws.available, 0) AS available, coalesce(a.assigned, 0)::int AS assigned
       FROM ws FULL JOIN a ON a.item_id = ws.item_id AND a.warehouse_id = ws.warehouse_id
       WHERE coalesce(ws.physical, 0) - coalesce(ws.available, 0) <> coalesce(a.assigned, 0)`)) {
      violations.push({ invariant: INVARIANTS.assigned, itemId: r.item_id, warehouseId: r.warehouse_id,
        detail: `physical=${r.physical} available=${r.available} allocated_unshipped=${r.assigned}` });
    }

    for (const r of await q<{ item_id: string; warehouse_id: string | null; counter: string; value: string; ledger: string }>(
      `WITH counters AS (
         SELECT item_id, warehouse_id, 'physical' AS counter, physical::bigint AS value FROM inventory.warehouse_stock WHERE ${inScope("item_id")}
         UNION ALL SELECT item_id, warehouse_id, 'available', available::bigint FROM inventory.warehouse_stock WHERE ${inScope("item_id")}
         UNION ALL SELECT item_id, NULL::uuid, 'aggregated', aggregated::bigint FROM inventory.item_stock WHERE ${inScope("item_id")}
       ), sums AS (
         SELECT item_id, warehouse_id, counter, sum(delta)::bigint AS ledger FROM inventory.stock_ledger WHERE ${inScope("item_id")} GROUP BY 1, 2, 3
       )
       SELECT coalesce(c.item_id, s.item_id) AS item_id, coalesce(c.warehouse_id, s.warehouse_id) AS warehouse_id,
              coalesce(c.counter, s.counter) AS counter, coalesce(c.value, 0) AS value, coalesce(s.ledger, 0) AS ledger
       FROM counters c FULL JOIN sums s
         -- FULL JOIN needs hashable keys: a nil uuid stands for "no warehouse" (the aggregated counter).
         ON s.item_id = c.item_id AND s.counter = c.counter
        AND coalesce(s.warehouse_id, '00000000-0000-0000-0000-000000000000') = coalesce(c.warehouse_id, '00000000-0000-0000-0000-000000000000')
       WHERE coalesce(c.value, 0) <> coalesce(s.ledger, 0)`)) {
      violations.push({ invariant: INVARIANTS.ledger, itemId: r.item_id, warehouseId: r.warehouse_id ?? "",
        detail: `${r.counter}=${r.value} ledger_sum=${r.ledger}` });
    }

    for (const r of await q<{ order_id: string; item_id: string; quantity: number; allocated: number }>(
      `SELECT o.order_id, os.item_id, os.quantity, coalesce(sum(a.quantity), 0)::int AS allocated
       FROM inventory.orders o JOIN inventory.order_stock os USING (order_id)
       LEFT JOIN inventory.order_allocations a ON a.order_id = o.order_id AND a.item_id = os.item_id
       WHERE o.status = 'ALLOCATED' AND ${inScope("os.item_id")}
       GROUP BY o.order_id, os.item_id, os.quantity, os.unassigned
       HAVING coalesce(sum(a.quantity), 0) <> os.quantity OR os.unassigned <> 0`)) {
      violations.push({ invariant: INVARIANTS.orderSplit, itemId: r.item_id, warehouseId: "",
        detail: `order ${r.order_id}: committed=${r.quantity} allocated=${r.allocated}` });
    }

    await runner.commitTransaction();
    return { violations, itemsChecked };
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
    throw err;
  } finally {
    await runner.release();
  }
}
