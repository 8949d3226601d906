// SQL for checkouts. A checkout row holds the priced lines exactly as the shopper saw them; SubmitOrder charges
// its total and the order copies its lines.
import { PG, pgCode, pgConstraint } from "../../../lib/errors.js";
import { rows, type Db } from "../../../lib/sql.js";
import { IllegalTransition } from "../../../lib/state-machine.js";
import { CHECKOUT_STATES, type CheckoutStatus } from "../domain/checkout.js";
import type { PricedLine } from "../domain/pricing.js";

export type DbCheckoutStatus = CheckoutStatus;

export interface CheckoutRow {
  id: string;
  userId: string;
  status: DbCheckoutStatus;
  lines: PricedLine[];
  currency: string;
  totalMinor: bigint;
  expiresAt: Date | null;
  submissionId: string | null;
  orderId: string | null;
  releasePending: boolean;
  createdAt: Date;
  /** Seconds left before expiry by the database clock, when read with lock() (negative once expired). */
  secondsLeft?: number;
}

export interface RawCheckout {
  id: string;
  user_id: string;
  status: DbCheckoutStatus;
  lines: { itemId: string; name: string; quantity: number; unitPriceMinor: string; itemVersion?: string }[];
  currency: string;
  total_minor: string;
  expires_at: Date | null;
  submission_id: string | null;
  order_id: string | null;
  release_pending: boolean;
  created_at: Date;
  seconds_left?: number | null;
}

const T = `"order".checkouts`;

export function toCheckout(r: RawCheckout): CheckoutRow {
  return {
    id: r.id,
    userId: r.user_id,
    status: r.status,
    lines: r.lines.map((l) => ({
      itemId: l.itemId, name: l.name, quantity: l.quantity, unitPriceMinor: BigInt(l.unitPriceMinor),
      ...(l.itemVersion !== undefined && { itemVersion: BigInt(l.itemVersion) }),
    })),
    currency: r.currency,
    totalMinor: BigInt(r.total_minor),
    expiresAt: r.expires_at,
    submissionId: r.submission_id,
    orderId: r.order_id,
    releasePending: r.release_pending,
    createdAt: r.created_at,
    ...(r.seconds_left !== undefined ? { secondsLeft: r.seconds_left ?? -1 } : {}),
  };
}

async function first(q: Db, sql: string, params: unknown[]): Promise<CheckoutRow | undefined> {
  const found = await rows<RawCheckout>(q, sql, params);
  return found.length ? toCheckout(found[0]) : undefined;
}

export async function insertReserving(
  q: Db, c: { id: string; userId: string; lines: PricedLine[]; currency: string; totalMinor: bigint },
): Promise<void> {
  // bigint prices go into JSON as strings: JSON numbers lose precision past 2^53.
  const lines = c.lines.map((l) => ({
    itemId: l.itemId, name: l.name, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor.toString(), itemVersion: l.itemVersion?.toString(),
  }));
  await rows(q, 
    `INSERT INTO ${T} (id, user_id, status, lines, currency, total_minor) VALUES ($1, $2, 'RESERVING', $3, $4, $5)`,
    [c.id, c.userId, JSON.stringify(lines), c.currency, c.totalMinor.toString()],
  );
}

/** Shoppers' view: a checkout still being reserved does not exist yet. */
export async function findForUser(q: Db, id: string, userId: string): Promise<CheckoutRow | undefined> {
  return first(q, `SELECT * FROM ${T} WHERE id = $1 AND user_id = $2 AND status <> 'RESERVING'`, [id, userId]);
}

export async function latestForUser(q: Db, userId: string): Promise<CheckoutRow | undefined> {
  return first(q, `SELECT * FROM ${T} WHERE user_id = $1 AND status <> 'RESERVING' ORDER BY seq DESC LIMIT 1`, [userId]);
}

/** Locks a checkout; the row carries its seconds left, read in the same round trip. */
export async function lock(q: Db, id: string): Promise<CheckoutRow | undefined> {
  return first(q, `SELECT *, EXTRACT(EPOCH FROM (expires_at - now()))::float8 AS seconds_left FROM ${T} WHERE id = $1 FOR UPDATE`, [id]);
}

/**
 * The columns of `lock` as one JSON value, for a statement that locks the checkout with another row (`alias` names
 * the checkout in it): bigint and timestamps as text, read back by `fromJson`.
 */
export function lockedJson(alias: string): string {
  return `to_jsonb(${alias}) || jsonb_build_object('total_minor', ${alias}.total_minor::text,
    'seconds_left', EXTRACT(EPOCH FROM (${alias}.expires_at - now()))::float8)`;
}

export function fromJson(j: Omit<RawCheckout, "expires_at" | "created_at"> & { expires_at: string | null; created_at: string }): CheckoutRow {
  return toCheckout({ ...j, expires_at: j.expires_at === null ? null : new Date(j.expires_at), created_at: new Date(j.created_at) });
}

/** Serializes checkout changes of one shopper (transaction-scoped, so nothing is held across remote calls). */
export async function lockShopper(q: Db, userId: string): Promise<void> {
  await rows(q, `SELECT pg_advisory_xact_lock(hashtext('order.checkout'), hashtext($1))`, [userId]);
}

/** Whether the shopper has an active checkout now (unlocked read). */
export async function hasActive(q: Db, userId: string): Promise<boolean> {
  return (await rows(q, `SELECT 1 FROM ${T} WHERE user_id = $1 AND status = 'ACTIVE' LIMIT 1`, [userId])).length > 0;
}

export async function lockActiveForUser(q: Db, userId: string): Promise<CheckoutRow[]> {
  const found = await rows<RawCheckout>(q, `SELECT * FROM ${T} WHERE user_id = $1 AND status = 'ACTIVE' ORDER BY id FOR UPDATE`, [userId]);
  return found.map(toCheckout);
}

/** The checkout stops holding stock; Inventory is told after commit (release_pending until it confirmed). */
export async function markForRelease(q: Db, id: string, status: "CANCELLED" | "EXPIRED"): Promise<void> {
  await moveTo(q, id, status, `release_pending = true`);
}

export async function releaseConfirmed(q: Db, id: string): Promise<void> {
  await rows(q, `UPDATE ${T} SET release_pending = false, updated_at = now() WHERE id = $1`, [id]);
}

export async function activate(q: Db, id: string, expiresAt: Date): Promise<CheckoutRow | undefined> {
  CHECKOUT_STATES.check("RESERVING", "ACTIVE");
  return first(q, `UPDATE ${T} SET status = 'ACTIVE', expires_at = $2, updated_at = now() WHERE id = $1 AND status = 'RESERVING' RETURNING *`, [id, expiresAt]);
}

/**
 * Activates the checkout on its own (autocommit), unless another of the shopper's is active: the unique index of
 * active checkouts (one per shopper) refuses it then, waiting for one being activated to commit, and the caller
 * takes the locked path that ends the other first.
 */
export async function activateIfAlone(q: Db, id: string, expiresAt: Date): Promise<CheckoutRow | undefined | "another-active"> {
  try {
    return await activate(q, id, expiresAt);
  } catch (err) {
    if (anotherActive(err)) return "another-active";
    throw err;
  }
}

/** The unique index of active checkouts refused an activation: another of the shopper's checkouts is active. */
export function anotherActive(err: unknown): boolean {
  return pgCode(err) === PG.uniqueViolation && pgConstraint(err) === "checkouts_one_active_per_user";
}

/** A reservation that came back short held nothing: the row goes too. */
export async function deleteReserving(q: Db, id: string): Promise<void> {
  await rows(q, `DELETE FROM ${T} WHERE id = $1 AND status = 'RESERVING'`, [id]);
}

/** Seconds left before expiry by the database clock (negative once expired). */
export async function secondsLeft(q: Db, id: string): Promise<number> {
  const found = await rows<{ left: number }>(
    q, `SELECT EXTRACT(EPOCH FROM (expires_at - now()))::float8 AS left FROM ${T} WHERE id = $1`, [id],
  );
  return found[0]?.left ?? -1;
}

export async function complete(q: Db, id: string, orderId: string): Promise<void> {
  await moveTo(q, id, "COMPLETED", `order_id = $3, release_pending = false`, [orderId]);
}

/**
 * Moves a checkout to `to` (with the other assignments in `set`, parameters from $3) only from a state the table
 * allows; a checkout found in any other state is refused with IllegalTransition and left as it was.
 */
async function moveTo(q: Db, id: string, to: CheckoutStatus, set: string, params: unknown[] = []): Promise<void> {
  const sources = CHECKOUT_STATES.sourcesOf(to);
  const [r] = await rows<{ was: CheckoutStatus | null; moved: number }>(q,
    `WITH cur AS (SELECT status FROM ${T} WHERE id = $1),
          u AS (UPDATE ${T} SET status = $2, ${set}, updated_at = now() WHERE id = $1 AND status = ANY($${params.length + 3}::text[]) RETURNING 1)
     SELECT (SELECT status FROM cur) AS was, (SELECT count(*)::int FROM u) AS moved`,
    [id, to, ...params, sources]);
  if (r.was && !r.moved) throw new IllegalTransition(`checkout ${id}: ${r.was} -> ${to} is not an allowed change`);
}

export async function pendingReleases(q: Db, limit: number): Promise<string[]> {
  const found = await rows<{ id: string }>(
    q, `SELECT id FROM ${T} WHERE release_pending ORDER BY updated_at LIMIT $1`, [limit],
  );
  return found.map((r) => r.id);
}

/** Checkouts whose BeginCheckout died mid-reservation: cancelled, so recovery returns whatever they hold. */
export async function abandonStaleReserving(q: Db, olderThanSeconds: number): Promise<number> {
  CHECKOUT_STATES.check("RESERVING", "CANCELLED");
  const found = await rows<{ id: string }>(
    q,
    `UPDATE ${T} SET status = 'CANCELLED', release_pending = true, updated_at = now()
     WHERE status = 'RESERVING' AND created_at < now() - make_interval(secs => $1) RETURNING id`,
    [olderThanSeconds],
  );
  return found.length;
}
