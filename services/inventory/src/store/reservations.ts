// Reservations: holding aggregated stock for a checkout (docs/design.md "The stock model": reserve, release, commit).
//
// Lock order (deadlock freedom): existing reservation rows (by checkout id) before item_stock rows (by item
// id). A reserve batch locks every item it touches up front, in item order, before deciding anything; the
// reservation rows it then inserts are new keys, which no other transaction holds while waiting for items.
import type { DataSource } from "typeorm";
import { inTransaction } from "../../../lib/db.js";
import { failedPrecondition, notFound } from "../../../lib/errors.js";
import { planReservations, sortLines, type Line, type ReserveInput, type Shortage } from "../domain/stock.js";
import { returnToAggregated } from "./aggregated.js";
import { outboxArrays } from "../../../lib/outbox.js";
import { stockEvents } from "./events.js";
import { one, rows, type Db } from "../../../lib/sql.js";
import { aggregatedStock } from "./stock.js";

export type ReservationStatusName = "ACTIVE" | "RELEASED" | "EXPIRED" | "COMMITTED";

export interface ReservationRow {
  checkoutId: string;
  status: ReservationStatusName;
  expiresAt: Date;
  orderId: string | null;
  lines: Line[];
}

export type ReserveOutcome =
  /** Held now, or held before (a retry answers with the stored reservation, whatever its status). */
  | { kind: "reserved"; reservation: ReservationRow }
  /** The checkout id already holds different lines. */
  | { kind: "conflict"; existing: ReservationRow }
  | { kind: "short"; shortages: Shortage[] };

interface StoredJson {
  checkout_id: string;
  status: ReservationStatusName;
  expires_at: string;
  order_id: string | null;
  lines: [string, number][];
}

function fromJson(r: StoredJson): ReservationRow {
  return {
    checkoutId: r.checkout_id, status: r.status, expiresAt: new Date(r.expires_at), orderId: r.order_id,
    lines: sortLines(r.lines.map(([itemId, quantity]) => ({ itemId, quantity }))),
  };
}

/**
 * Decides a batch of reservations in ONE transaction of two statements: (1) lock the items' stock rows in
 * item order and read them with the checkouts already stored; (2) write every hold at once (reservations,
 * lines, one conditional UPDATE per item, ledger rows, one event per item). Planning in between is the pure
 * planReservations: each request all-or-nothing, in arrival order, as if run alone.
 * A concurrent insert of the same checkout id by another process surfaces as a unique violation; the
 * caller retries the batch, which then sees that reservation.
 */
export async function reserveBatch(ds: DataSource, requests: ReserveInput[], threshold: number): Promise<ReserveOutcome[]> {
  return inTransaction(ds, async (tx) => {
    const itemIds = [...new Set(requests.flatMap((r) => r.lines.map((l) => l.itemId)))].sort();
    const checkoutIds = [...new Set(requests.map((r) => r.checkoutId))];
    const read = (await one<{ items: [string, number, number][]; existing: StoredJson[] }>(tx,
      `WITH locked AS (
         SELECT item_id, aggregated, sequence FROM inventory.item_stock
         WHERE item_id = ANY($1::uuid[]) ORDER BY item_id FOR UPDATE
       )
       SELECT
         (SELECT coalesce(json_agg(json_build_array(item_id, aggregated, sequence)), '[]') FROM locked) AS items,
         (SELECT coalesce(json_agg(json_build_object(
             'checkout_id', r.checkout_id, 'status', r.status, 'expires_at', r.expires_at, 'order_id', r.order_id,
             'lines', (SELECT json_agg(json_build_array(l.item_id, l.quantity)) FROM inventory.reservation_lines l
                       WHERE l.checkout_id = r.checkout_id))), '[]')
          FROM inventory.reservations r WHERE r.checkout_id = ANY($2::uuid[])) AS existing`,
      [itemIds, checkoutIds]))!;
    const stock = new Map(read.items.map(([id, aggregated]) => [id, aggregated]));
    const sequence = new Map(read.items.map(([id, , seq]) => [id, BigInt(seq)]));
    const stored = new Map(read.existing.map((r) => [r.checkout_id, fromJson(r)]));
    const plan = planReservations(stock, stored, requests);

    // Inserted in checkout order: two batches inserting the same two checkouts (retries reaching two replicas)
    // then wait on each other's keys in one order and cannot deadlock.
    const holds = requests.filter((_, i) => plan.plans[i].kind === "hold")
      .sort((a, b) => (a.checkoutId < b.checkoutId ? -1 : a.checkoutId > b.checkoutId ? 1 : 0));
    const expiresAt = new Map<string, Date>();
    if (holds.length > 0) {
      const lines = holds.flatMap((h) => h.lines.map((l) => ({ checkoutId: h.checkoutId, ...l })));
      const taken = [...plan.taken.keys()].sort();
      const events = stockEvents(taken.map((itemId) => ({
        itemId, before: stock.get(itemId)!, after: plan.after.get(itemId)!, sequence: sequence.get(itemId)! + 1n,
      })), threshold);
      const written = (await one<{ items_updated: number; reservations: [string, string][] }>(tx,
        `WITH res AS (
           INSERT INTO inventory.reservations (checkout_id, status, expires_at)
           SELECT c, 'ACTIVE', now() + ms * interval '1 millisecond' FROM unnest($1::uuid[], $2::int[]) AS t(c, ms)
           RETURNING checkout_id, expires_at
         ), lines AS (
           INSERT INTO inventory.reservation_lines (checkout_id, item_id, quantity)
           SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::int[])
         ), ledger AS (
           INSERT INTO inventory.stock_ledger (item_id, counter, delta, reason, reference)
           SELECT i, 'aggregated', -q, 'reserve', c::text FROM unnest($3::uuid[], $4::uuid[], $5::int[]) AS t(c, i, q)
         ), items AS (
           UPDATE inventory.item_stock s SET aggregated = s.aggregated - d.n, sequence = s.sequence + 1, updated_at = now()
           FROM unnest($6::uuid[], $7::int[]) AS d(item_id, n)
           WHERE s.item_id = d.item_id AND s.aggregated >= d.n
           RETURNING s.item_id
         ), outbox AS (
           INSERT INTO inventory.outbox (event_id, subject, message_type, payload)
           SELECT * FROM unnest($8::uuid[], $9::text[], $10::text[], $11::bytea[])
         )
         SELECT (SELECT count(*) FROM items)::int AS items_updated,
                (SELECT json_agg(json_build_array(checkout_id, expires_at)) FROM res) AS reservations,
                pg_notify('inventory_outbox', '')`,
        [holds.map((h) => h.checkoutId), holds.map((h) => h.ttlMs),
          lines.map((l) => l.checkoutId), lines.map((l) => l.itemId), lines.map((l) => l.quantity),
          taken, taken.map((id) => plan.taken.get(id)!), ...outboxArrays(events)]))!;
      // The rows are locked and the plan never goes below zero, so every conditional UPDATE must apply.
      if (written.items_updated !== taken.length) throw new Error("reserve batch: a conditional stock update did not apply");
      for (const [id, at] of written.reservations) expiresAt.set(id, new Date(at));
    }

    const heldNow = (req: ReserveInput): ReservationRow =>
      ({ checkoutId: req.checkoutId, status: "ACTIVE", expiresAt: expiresAt.get(req.checkoutId)!, orderId: null, lines: req.lines });
    return requests.map((req, i): ReserveOutcome => {
      const p = plan.plans[i];
      if (p.kind === "short") return { kind: "short", shortages: p.shortages };
      // Stored before this batch, or held by an earlier request of this batch.
      const prior = stored.get(req.checkoutId) ?? heldNow(holds.find((h) => h.checkoutId === req.checkoutId) ?? req);
      if (p.kind === "conflict") return { kind: "conflict", existing: prior };
      return { kind: "reserved", reservation: p.kind === "hold" ? heldNow(req) : prior };
    });
  });
}

interface LockedReservation extends ReservationRow {
  /** expires_at has passed (by the database clock). */
  due: boolean;
}

/** Locks one reservation row (FOR UPDATE) and reads it with its lines. */
async function lockReservation(tx: Db, checkoutId: string): Promise<LockedReservation | undefined> {
  // The row lock and the lines in one statement (the lines never change once reserved).
  const r = await one<{ status: ReservationStatusName; expires_at: Date; order_id: string | null; due: boolean; lines: [string, number][] | null }>(tx,
    `SELECT r.status, r.expires_at, r.order_id, r.expires_at <= now() AS due,
            (SELECT json_agg(json_build_array(l.item_id, l.quantity) ORDER BY l.item_id) FROM inventory.reservation_lines l
              WHERE l.checkout_id = r.checkout_id) AS lines
       FROM inventory.reservations r WHERE r.checkout_id = $1 FOR UPDATE OF r`,
    [checkoutId]);
  if (!r) return undefined;
  const lines = (r.lines ?? []).map(([itemId, quantity]) => ({ itemId, quantity }));
  return { checkoutId, status: r.status, expiresAt: r.expires_at, orderId: r.order_id, due: r.due, lines };
}

/** Reads a reservation without locking (for answers). */
export async function findReservation(db: Db, checkoutId: string): Promise<ReservationRow | undefined> {
  const r = await one<{ j: StoredJson }>(db,
    `SELECT json_build_object('checkout_id', r.checkout_id, 'status', r.status, 'expires_at', r.expires_at, 'order_id', r.order_id,
       'lines', (SELECT json_agg(json_build_array(l.item_id, l.quantity)) FROM inventory.reservation_lines l
                 WHERE l.checkout_id = r.checkout_id)) AS j
     FROM inventory.reservations r WHERE r.checkout_id = $1`, [checkoutId]);
  return r ? fromJson(r.j) : undefined;
}

/** Gives the holds of locked ACTIVE reservations back to aggregated stock and marks them RELEASED / EXPIRED. */
async function giveBack(tx: Db, held: ReservationRow[], status: "RELEASED" | "EXPIRED", threshold: number): Promise<void> {
  if (held.length === 0) return;
  await returnToAggregated(tx,
    held.flatMap((r) => r.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity, reference: r.checkoutId }))),
    status === "RELEASED" ? "release" : "expire", threshold);
  await rows(tx, `UPDATE inventory.reservations SET status = $2, updated_at = now() WHERE checkout_id = ANY($1::uuid[])`,
    [held.map((r) => r.checkoutId), status]);
}

/**
 * Returns a checkout's held stock. Idempotent: a released or expired reservation is answered as it is.
 * A hold whose time has run out (even if the sweeper has not run yet) ends as EXPIRED: its stock comes back
 * either way.
 */
export async function releaseReservation(ds: DataSource, checkoutId: string, threshold: number): Promise<ReservationRow> {
  return inTransaction(ds, async (tx) => {
    const r = await lockReservation(tx, checkoutId);
    if (!r) throw notFound("reservation", checkoutId);
    if (r.status === "COMMITTED") throw failedPrecondition("RESERVATION_COMMITTED", `reservation ${checkoutId} is committed to order ${r.orderId}; cancel the order instead`);
    if (r.status !== "ACTIVE") return r;
    const status = r.due ? "EXPIRED" : "RELEASED";
    await giveBack(tx, [r], status, threshold);
    return { ...r, status };
  });
}

/**
 * Committing a hold, as CTEs of one statement over $1 (the order id) and $2 (the checkout id): `o`, the order's row
 * when that order id is new; `units`, its units from the hold's lines; `committed`, the hold COMMITTED. Only when
 * the CTE `from` names yields a row, if given.
 */
function commitCtes(from?: string): string {
  return `o AS (INSERT INTO inventory.orders (order_id, checkout_id, status) SELECT $1, $2, 'COMMITTED'${from ? ` FROM ${from}` : ""}
                ON CONFLICT (order_id) DO NOTHING RETURNING order_id),
          units AS (INSERT INTO inventory.order_stock (order_id, item_id, quantity, unassigned)
                    SELECT o.order_id, l.item_id, l.quantity, l.quantity FROM o, inventory.reservation_lines l WHERE l.checkout_id = $2),
          committed AS (UPDATE inventory.reservations SET status = 'COMMITTED', order_id = $1, updated_at = now()
                        WHERE checkout_id = $2 AND EXISTS (SELECT 1 FROM o))`;
}

/**
 * Turns an ACTIVE, unexpired reservation into an order's committed units (numbers unchanged). Idempotent for
 * the same order. An expired hold is released here (so the caller's error and the stock agree) and refused.
 */
export async function commitReservation(ds: DataSource, checkoutId: string, orderId: string, threshold: number): Promise<ReservationRow> {
  // Nearly every commit finds its hold ACTIVE and unexpired: one statement locks it (the lock re-reads a row that
  // changed meanwhile, so an expiry or release that won the race leaves nothing here), writes the order and its
  // units and marks it COMMITTED. Everything else (a retry, an ended or expired hold, an order id already used)
  // takes the transaction below, which says why.
  const fast = await one<{ expires_at: Date; lines: [string, number][] | null }>(ds,
    `WITH r AS (SELECT checkout_id, expires_at FROM inventory.reservations
                WHERE checkout_id = $2 AND status = 'ACTIVE' AND expires_at > now() FOR UPDATE),
          ${commitCtes("r")}
     SELECT r.expires_at,
            (SELECT json_agg(json_build_array(l.item_id, l.quantity) ORDER BY l.item_id) FROM inventory.reservation_lines l
              WHERE l.checkout_id = $2) AS lines
       FROM r, o`,
    [orderId, checkoutId]);
  if (fast) {
    return { checkoutId, status: "COMMITTED", expiresAt: fast.expires_at, orderId, lines: (fast.lines ?? []).map(([itemId, quantity]) => ({ itemId, quantity })) };
  }
  const result = await inTransaction(ds, async (tx): Promise<ReservationRow | "expired"> => {
    const r = await lockReservation(tx, checkoutId);
    if (!r) throw notFound("reservation", checkoutId);
    if (r.status === "COMMITTED") {
      if (r.orderId === orderId) return r;
      throw failedPrecondition("RESERVATION_COMMITTED", `reservation ${checkoutId} is already committed to another order (${r.orderId})`);
    }
    if (r.status !== "ACTIVE") throw failedPrecondition("RESERVATION_ENDED", `reservation ${checkoutId} is ${r.status.toLowerCase()}; reserve the stock again`);
    if (r.due) {
      await giveBack(tx, [r], "EXPIRED", threshold);
      return "expired";
    }
    // The order, its units and the reservation COMMITTED: one statement (the units and the status change only
    // when this order's row is new).
    const order = await one(tx, `WITH ${commitCtes()} SELECT order_id FROM o`, [orderId, checkoutId]);
    if (!order) throw failedPrecondition("RESERVATION_COMMITTED", `order ${orderId} already holds the stock of another checkout`);
    return { ...r, status: "COMMITTED", orderId };
  });
  if (result === "expired") throw failedPrecondition("RESERVATION_ENDED", `reservation ${checkoutId} expired before it was committed; its stock was released`);
  return result;
}

async function linesOf(tx: Db, checkoutIds: string[]): Promise<Map<string, Line[]>> {
  const found = await rows<{ checkout_id: string; item_id: string; quantity: number }>(tx,
    `SELECT checkout_id, item_id, quantity FROM inventory.reservation_lines WHERE checkout_id = ANY($1::uuid[]) ORDER BY checkout_id, item_id`,
    [checkoutIds]);
  const out = new Map<string, Line[]>();
  for (const r of found) {
    const list = out.get(r.checkout_id) ?? [];
    list.push({ itemId: r.item_id, quantity: r.quantity });
    out.set(r.checkout_id, list);
  }
  return out;
}

async function expireLocked(tx: Db, due: { checkout_id: string; expires_at: Date }[], threshold: number): Promise<number> {
  if (due.length === 0) return 0;
  const lines = await linesOf(tx, due.map((d) => d.checkout_id));
  await giveBack(tx, due.map((d) => ({
    checkoutId: d.checkout_id, status: "ACTIVE", expiresAt: d.expires_at, orderId: null, lines: lines.get(d.checkout_id) ?? [],
  })), "EXPIRED", threshold);
  return due.length;
}

/**
 * One sweep step: up to `limit` expired ACTIVE reservations become EXPIRED and their stock comes back.
 * SKIP LOCKED lets several replicas sweep at once without waiting on each other or on a Release in progress.
 */
export async function expireDue(ds: DataSource, threshold: number, limit = 500): Promise<number> {
  return inTransaction(ds, async (tx) => {
    const due = await rows<{ checkout_id: string; expires_at: Date }>(tx,
      `SELECT checkout_id, expires_at FROM inventory.reservations
       WHERE status = 'ACTIVE' AND expires_at <= now()
       ORDER BY expires_at FOR UPDATE SKIP LOCKED LIMIT $1`, [limit]);
    return expireLocked(tx, due, threshold);
  });
}

/**
 * Reclaims expired ACTIVE holds on these items now, without waiting for the sweeper, then reads the
 * items' aggregated stock. Waits (briefly) for holds another transaction has locked, so a sweep in progress
 * is seen as done rather than skipped. Used before answering "short": an expired hold never blocks stock.
 */
export async function reclaimExpired(ds: DataSource, itemIds: string[], threshold: number): Promise<Map<string, number>> {
  await inTransaction(ds, async (tx) => {
    await rows(tx, `SET LOCAL lock_timeout = '2s'`);
    const due = await rows<{ checkout_id: string; expires_at: Date }>(tx,
      `SELECT r.checkout_id, r.expires_at FROM inventory.reservations r
       WHERE r.status = 'ACTIVE' AND r.expires_at <= now()
         AND EXISTS (SELECT 1 FROM inventory.reservation_lines l WHERE l.checkout_id = r.checkout_id AND l.item_id = ANY($1::uuid[]))
       ORDER BY r.checkout_id FOR UPDATE OF r LIMIT 1000`, [itemIds]);
    return expireLocked(tx, due, threshold);
  });
  return aggregatedStock(ds, itemIds);
}
