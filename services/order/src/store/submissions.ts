// SQL for submissions, the SubmitOrder idempotency record (state machine in domain/submission.ts). Every state
// change after the insert is fenced by the lease: only the attempt holding it moves the row.
import type { StoredAddress } from "../../../lib/address.js";
import { SUBMISSION_STATES, type SubmissionState } from "../domain/submission.js";
import { one, rows, type Db } from "../../../lib/sql.js";
import * as checkouts from "./checkouts.js";
import type { CheckoutRow } from "./checkouts.js";

export interface SubmissionRow {
  id: string;
  userId: string;
  idempotencyKey: string;
  checkoutId: string;
  orderId: string;
  state: SubmissionState;
  amountMinor: bigint;
  currency: string;
  cardLast4: string;
  shippingAddress: StoredAddress;
  chargeId: string | null;
  error: string | null;
  leaseOwner: string | null;
}

interface RawSubmission {
  id: string;
  user_id: string;
  idempotency_key: string;
  checkout_id: string;
  order_id: string;
  state: SubmissionState;
  amount_minor: string;
  currency: string;
  card_last4: string;
  shipping_address: StoredAddress;
  charge_id: string | null;
  error: string | null;
  lease_owner: string | null;
}

const T = `"order".submissions`;

function toSubmission(r: RawSubmission): SubmissionRow {
  return {
    id: r.id,
    userId: r.user_id,
    idempotencyKey: r.idempotency_key,
    checkoutId: r.checkout_id,
    orderId: r.order_id,
    state: r.state,
    amountMinor: BigInt(r.amount_minor),
    currency: r.currency,
    cardLast4: r.card_last4,
    shippingAddress: r.shipping_address,
    chargeId: r.charge_id,
    error: r.error,
    leaseOwner: r.lease_owner,
  };
}

async function maybe(q: Db, sql: string, params: unknown[]): Promise<SubmissionRow | undefined> {
  const r = await one<RawSubmission>(q, sql, params);
  return r && toSubmission(r);
}

/** Inserts the record holding the lease; undefined when the key exists already (a replay or a concurrent twin). */
export async function insert(
  q: Db,
  s: {
    id: string; userId: string; idempotencyKey: string; checkoutId: string; orderId: string;
    amountMinor: bigint; currency: string; cardLast4: string; shippingAddress: StoredAddress;
  },
  leaseOwner: string, leaseMs: number,
): Promise<SubmissionRow | undefined> {
  return maybe(
    q,
    `INSERT INTO ${T} (id, user_id, idempotency_key, checkout_id, order_id, state, amount_minor, currency, card_last4,
       shipping_address, lease_owner, lease_until)
     VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7, $8, $9, $10, now() + make_interval(secs => $11::float8 / 1000))
     ON CONFLICT (user_id, idempotency_key) DO NOTHING
     RETURNING *`,
    [s.id, s.userId, s.idempotencyKey, s.checkoutId, s.orderId, s.amountMinor.toString(), s.currency, s.cardLast4,
      JSON.stringify(s.shippingAddress), leaseOwner, leaseMs],
  );
}

export async function byKey(q: Db, userId: string, idempotencyKey: string): Promise<SubmissionRow | undefined> {
  return maybe(q, `SELECT * FROM ${T} WHERE user_id = $1 AND idempotency_key = $2`, [userId, idempotencyKey]);
}

export async function byId(q: Db, id: string): Promise<SubmissionRow | undefined> {
  return maybe(q, `SELECT * FROM ${T} WHERE id = $1`, [id]);
}

export async function lock(q: Db, id: string): Promise<SubmissionRow | undefined> {
  return maybe(q, `SELECT * FROM ${T} WHERE id = $1 FOR UPDATE`, [id]);
}

/**
 * Locks a submission and its checkout in one statement (submission first, as `lock` then `checkouts.lock` would):
 * what claiming the checkout and placing the order decide on.
 */
export async function lockWithCheckout(q: Db, id: string): Promise<{ sub: SubmissionRow; checkout: CheckoutRow } | undefined> {
  const r = await one<RawSubmission & { checkout: Parameters<typeof checkouts.fromJson>[0] }>(q,
    `SELECT s.*, ${checkouts.lockedJson("c")} AS checkout
       FROM ${T} s JOIN "order".checkouts c ON c.id = s.checkout_id WHERE s.id = $1 FOR UPDATE OF s, c`, [id]);
  return r && { sub: toSubmission(r), checkout: checkouts.fromJson(r.checkout) };
}

export async function states(q: Db, ids: string[]): Promise<Map<string, SubmissionState>> {
  if (!ids.length) return new Map();
  const found = await rows<{ id: string; state: SubmissionState }>(q, `SELECT id, state FROM ${T} WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(found.map((r) => [r.id, r.state]));
}

/** Takes over an in-flight record whose lease ran out (its holder crashed, gave up, or handed it back). */
export async function takeLease(q: Db, id: string, owner: string, leaseMs: number): Promise<SubmissionRow | undefined> {
  return maybe(
    q,
    `UPDATE ${T} SET lease_owner = $2, lease_until = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
     WHERE id = $1 AND state IN ('PENDING', 'PAID') AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2)
     RETURNING *`,
    [id, owner, leaseMs],
  );
}

export async function extendLease(q: Db, id: string, owner: string, leaseMs: number): Promise<boolean> {
  const found = await rows(
    q,
    `UPDATE ${T} SET lease_until = now() + make_interval(secs => $3::float8 / 1000)
     WHERE id = $1 AND lease_owner = $2 AND state IN ('PENDING', 'PAID') RETURNING id`,
    [id, owner, leaseMs],
  );
  return found.length > 0;
}

/**
 * Makes the submission the one paying for its checkout and gives it a full lease, in one statement. The caller
 * holds both rows' locks and has checked the checkout; false when the lease is no longer this attempt's.
 */
export async function claimCheckout(q: Db, id: string, checkoutId: string, owner: string, leaseMs: number): Promise<boolean> {
  const found = await rows(
    q,
    `WITH c AS (UPDATE "order".checkouts SET submission_id = $1, updated_at = now() WHERE id = $2)
     UPDATE ${T} SET lease_until = now() + make_interval(secs => $4::float8 / 1000)
     WHERE id = $1 AND lease_owner = $3 AND state IN ('PENDING', 'PAID') RETURNING id`,
    [id, checkoutId, owner, leaseMs],
  );
  return found.length > 0;
}

/** Hands the record back at once, so a retry of the key or the recovery worker can carry on immediately. */
export async function releaseLease(q: Db, id: string, owner: string): Promise<void> {
  await rows(q, `UPDATE ${T} SET lease_until = now(), updated_at = now() WHERE id = $1 AND lease_owner = $2`, [id, owner]);
}

/**
 * Moves the record if this attempt still holds its lease and it is in one of `from`; undefined otherwise. A
 * `from` -> `to` the submission table does not allow throws IllegalTransition before anything is written.
 */
export async function transition(
  q: Db, id: string, owner: string, from: SubmissionState[], to: SubmissionState,
  fields: { chargeId?: string; error?: string } = {},
): Promise<SubmissionRow | undefined> {
  return maybe(
    q,
    `UPDATE ${T} SET state = $4, charge_id = COALESCE($5, charge_id), error = $6, updated_at = now(),
       lease_until = CASE WHEN $4 IN ('PENDING', 'PAID') THEN lease_until END,
       lease_owner = CASE WHEN $4 IN ('PENDING', 'PAID') THEN lease_owner END
     WHERE id = $1 AND lease_owner = $2 AND state = ANY($3::text[])
     RETURNING *`,
    [id, owner, SUBMISSION_STATES.check(from, to), to, fields.chargeId ?? null, fields.error ?? null],
  );
}

export async function markPlaced(q: Db, id: string): Promise<void> {
  await rows(q,
    `UPDATE ${T} SET state = 'PLACED', error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = now()
     WHERE id = $1 AND state = ANY($2::text[])`,
    [id, SUBMISSION_STATES.sourcesOf("PLACED")],
  );
}

/** Forgets an attempt that charged nothing and reached no final answer, so the same key can start over. */
export async function forget(q: Db, id: string, owner: string): Promise<boolean> {
  const found = await rows(
    q, `DELETE FROM ${T} WHERE id = $1 AND lease_owner = $2 AND state = 'PENDING' AND charge_id IS NULL RETURNING id`, [id, owner],
  );
  return found.length > 0;
}

/** In-flight records whose lease ran out, claimed for the recovery worker (SKIP LOCKED: replicas share the work). */
export async function claimStuck(q: Db, owner: string, leaseMs: number, limit: number): Promise<SubmissionRow[]> {
  const found = await rows<RawSubmission>(
    q,
    `UPDATE ${T} SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::float8 / 1000), updated_at = now()
     WHERE id IN (
       SELECT id FROM ${T} WHERE state IN ('PENDING', 'PAID') AND lease_until < now()
       ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     RETURNING *`,
    [owner, leaseMs, limit],
  );
  return found.map(toSubmission);
}

