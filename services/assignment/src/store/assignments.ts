// Each order's assignment state, the split last sent to Inventory, the planner's round-robin counter, and
// events that can never be applied.
import type { Line } from "../domain/planner.js";
import { one, rows, type Db } from "../../../lib/sql.js";

/** One warehouse order of a split, as sent to Inventory.AllocateOrder. */
export interface PlannedShipment {
  warehouseOrderId: string;
  warehouseId: string;
  warehouseCode: string;
  lines: Line[];
}

export type AssignmentStatus = "PLANNED" | "ASSIGNED" | "CANCELLED";

export interface AssignmentRow {
  status: AssignmentStatus;
  plan: PlannedShipment[] | null;
  attempts: number;
}

/**
 * Serializes all work on one order (its assignment, its cancellation) across processes until the caller's
 * transaction ends. A hash collision only makes two unrelated orders wait for each other.
 */
export async function lockOrder(tx: Db, orderId: string): Promise<void> {
  await rows(tx, `SELECT pg_advisory_xact_lock(hashtext('assignment:order'), hashtext($1))`, [orderId]);
}

export async function findAssignment(db: Db, orderId: string): Promise<AssignmentRow | undefined> {
  return one<AssignmentRow>(db, `SELECT status, plan, attempts FROM assignment.order_assignments WHERE order_id = $1`, [orderId]);
}

/**
 * Remembers the split about to be sent to Inventory, committed on its own connection BEFORE the call: if the
 * process dies after Inventory applied it, the redelivery finds the split and re-sends exactly it (a re-plan
 * would see the stock it took as gone and choose differently, which Inventory would refuse).
 * The caller holds the order's lock, and its transaction must not have touched this row (it would wait on itself).
 */
export async function recordPlannedSplit(db: Db, orderId: string, plan: PlannedShipment[]): Promise<void> {
  const r = await one(db,
    `INSERT INTO assignment.order_assignments AS a (order_id, status, plan, attempts) VALUES ($1, 'PLANNED', $2, 1)
     ON CONFLICT (order_id) DO UPDATE SET plan = EXCLUDED.plan, attempts = a.attempts + 1, updated_at = now()
       WHERE a.status = 'PLANNED'
     RETURNING 1 AS ok`,
    [orderId, JSON.stringify(plan)]);
  if (!r) throw new Error(`order ${orderId}: assignment state changed while planning under the order's lock`);
}

export async function setAssignment(tx: Db, orderId: string, status: AssignmentStatus, plan?: PlannedShipment[]): Promise<void> {
  await rows(tx,
    `INSERT INTO assignment.order_assignments AS a (order_id, status, plan) VALUES ($1, $2, $3)
     ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, plan = coalesce(EXCLUDED.plan, a.plan), updated_at = now()`,
    [orderId, status, plan ? JSON.stringify(plan) : null]);
}

/** The next value of the planner's round-robin counter. */
export async function nextRotation(db: Db): Promise<number> {
  const r = await one<{ n: string }>(db, `SELECT nextval('assignment.planner_rotation')::text AS n`);
  return Number(BigInt(r!.n) % 1_000_000_007n);
}

/** Keeps an event that can never be applied (undecodable, invalid) for a person to look at; never dropped. */
export async function rejectEvent(tx: Db, e: { consumer: string; eventId: string; subject: string; payload: Uint8Array; reason: string }): Promise<void> {
  await rows(tx,
    `INSERT INTO assignment.rejected_events (consumer, event_id, subject, payload, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [e.consumer, e.eventId, e.subject, Buffer.from(e.payload), e.reason.slice(0, 1000)]);
}
