// SQL for cancellations, the CancelOrder record (state machine in domain/cancellation.ts). Like submissions, every
// change after the insert is fenced by the lease: only the attempt holding it moves the record.
import { CANCELLATION_MACHINE, type CancellationState } from "../domain/cancellation.js";
import { one, rows, type Db } from "../../../lib/sql.js";

export interface CancellationRow {
  orderId: string;
  userId: string;
  state: CancellationState;
  reason: string;
  returnedUnits: number | null;
  leaseOwner: string | null;
}

const T = `"order".cancellations`;
const COLUMNS = `order_id AS "orderId", user_id AS "userId", state, reason, returned_units AS "returnedUnits", lease_owner AS "leaseOwner"`;
const LEASE = (param: string) => `now() + make_interval(secs => ${param}::float8 / 1000)`;

/** Starts a cancellation holding its lease; undefined when the order has one already. */
export async function insert(q: Db, c: { orderId: string; userId: string; reason: string }, owner: string, leaseMs: number): Promise<CancellationRow | undefined> {
  return one<CancellationRow>(
    q,
    `INSERT INTO ${T} (order_id, user_id, state, reason, lease_owner, lease_until) VALUES ($1, $2, 'REQUESTED', $3, $4, ${LEASE("$5")})
     ON CONFLICT (order_id) DO NOTHING RETURNING ${COLUMNS}`,
    [c.orderId, c.userId, c.reason, owner, leaseMs],
  );
}

export async function find(q: Db, orderId: string): Promise<CancellationRow | undefined> {
  return one<CancellationRow>(q, `SELECT ${COLUMNS} FROM ${T} WHERE order_id = $1`, [orderId]);
}

export async function lock(q: Db, orderId: string): Promise<CancellationRow | undefined> {
  return one<CancellationRow>(q, `SELECT ${COLUMNS} FROM ${T} WHERE order_id = $1 FOR UPDATE`, [orderId]);
}

/** Takes over an unfinished cancellation whose lease ran out (or was handed back). */
export async function takeLease(q: Db, orderId: string, owner: string, leaseMs: number): Promise<CancellationRow | undefined> {
  return one<CancellationRow>(
    q,
    `UPDATE ${T} SET lease_owner = $2, lease_until = ${LEASE("$3")}, updated_at = now()
     WHERE order_id = $1 AND state <> 'DONE' AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2)
     RETURNING ${COLUMNS}`,
    [orderId, owner, leaseMs],
  );
}

/** Hands the record back at once (a dependency failed), with what went wrong for whoever looks. */
export async function releaseLease(q: Db, orderId: string, owner: string, error: string): Promise<void> {
  await rows(q, 
    `UPDATE ${T} SET lease_until = now(), error = $3, updated_at = now() WHERE order_id = $1 AND lease_owner = $2`,
    [orderId, owner, error.slice(0, 500)],
  );
}

/** Moves the record one step if this attempt still holds its lease; undefined otherwise. Any other step throws IllegalTransition. */
export async function advance(
  q: Db, orderId: string, owner: string, from: CancellationState, to: CancellationState, fields: { returnedUnits?: number } = {},
): Promise<CancellationRow | undefined> {
  return one<CancellationRow>(
    q,
    `UPDATE ${T} SET state = $4, returned_units = COALESCE($5, returned_units), error = NULL, updated_at = now(),
       lease_owner = CASE WHEN $4 = 'DONE' THEN NULL ELSE lease_owner END,
       lease_until = CASE WHEN $4 = 'DONE' THEN NULL ELSE lease_until END
     WHERE order_id = $1 AND lease_owner = $2 AND state = $3
     RETURNING ${COLUMNS}`,
    [orderId, owner, CANCELLATION_MACHINE.check(from, to)[0], to, fields.returnedUnits ?? null],
  );
}

/** Gives up a cancellation that changed nothing anywhere (Assignment refused it), so the order is as before. */
export async function abandon(q: Db, orderId: string, owner: string): Promise<boolean> {
  const found = await rows(q, `DELETE FROM ${T} WHERE order_id = $1 AND lease_owner = $2 AND state = 'REQUESTED' RETURNING 1`, [orderId, owner]);
  return found.length > 0;
}

/** Unfinished cancellations whose lease ran out, claimed for the recovery worker (SKIP LOCKED: replicas share them). */
export async function claimStuck(q: Db, owner: string, leaseMs: number, limit: number): Promise<CancellationRow[]> {
  return rows<CancellationRow>(
    q,
    `UPDATE ${T} SET lease_owner = $1, lease_until = ${LEASE("$2")}, updated_at = now()
     WHERE order_id IN (
       SELECT order_id FROM ${T} WHERE state <> 'DONE' AND lease_until < now()
       ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     RETURNING ${COLUMNS}`,
    [owner, leaseMs, limit],
  );
}
