// Refresh tokens (identity.refresh_tokens): random, single use, stored only as their SHA-256. Each sign-in starts
// a family; Refresh uses a token up and issues the next of the same family. A used-up token presented again means
// two parties hold the family (the shopper and whoever copied a token), so the whole family is revoked and both
// must sign in again. Logout revokes the family.
//
// One exception: a used token sent again within a few seconds of its use (the grace) gets new tokens instead.
// A browser loses a Refresh answer when the page navigates or closes while the call is in flight; without the
// grace its next Refresh would look like theft and sign the shopper out.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { inTransaction } from "../../../services/lib/db.js";

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

export type RefreshOutcome =
  | { ok: true; userId: string; next: IssuedRefreshToken }
  /** Unknown, expired, signed out, or a replay of a used token (which has just revoked its family). */
  | { ok: false; reason: "unknown" | "expired" | "revoked" | "replayed" };

function hashOf(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

function newToken(ttlSeconds: number): IssuedRefreshToken & { hash: Buffer } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashOf(token), expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

type Queryable = Pick<DataSource, "query">;

async function insert(db: Queryable, t: { hash: Buffer; expiresAt: Date }, familyId: string, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO identity.refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)`,
    [t.hash, familyId, userId, t.expiresAt],
  );
}

/** The first token of a new family, at sign-in. */
export async function startRefreshFamily(ds: DataSource, userId: string, ttlSeconds: number): Promise<IssuedRefreshToken> {
  const t = newToken(ttlSeconds);
  await insert(ds, t, randomUUID(), userId);
  return { token: t.token, expiresAt: t.expiresAt };
}

export interface RefreshPolicy {
  /** Lifetime of each new refresh token. */
  ttlSeconds: number;
  /** How long after its use a token may come back without revoking its family (0: never). */
  reuseGraceSeconds: number;
}

/** Uses the token up and issues the next one of its family; a replay revokes the family (and stays revoked). */
export async function rotateRefreshToken(ds: DataSource, token: string, policy: RefreshPolicy): Promise<RefreshOutcome> {
  const { ttlSeconds } = policy;
  return inTransaction(ds, async (tx) => {
    // FOR UPDATE: two Refresh calls with the same token take turns, so only one of them can use it up. The grace is
    // judged against the clock, not now(): a call that waited for the lock may have begun before the use it sees.
    const rows: { family_id: string; user_id: string; expires_at: Date; used: boolean; in_grace: boolean; revoked: boolean }[] = await tx.query(
      `SELECT family_id::text AS family_id, user_id::text AS user_id, expires_at, used_at IS NOT NULL AS used,
              coalesce($2 > 0 AND used_at > clock_timestamp() - make_interval(secs => $2), false) AS in_grace, revoked
       FROM identity.refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
      [hashOf(token), policy.reuseGraceSeconds],
    );
    const row = rows[0];
    if (!row) return { ok: false, reason: "unknown" };
    if (row.revoked) return { ok: false, reason: "revoked" };
    if (row.used && !row.in_grace) {
      await tx.query(`UPDATE identity.refresh_tokens SET revoked = true WHERE family_id = $1`, [row.family_id]);
      return { ok: false, reason: "replayed" };
    }
    if (row.expires_at.getTime() <= Date.now()) return { ok: false, reason: "expired" };
    if (!row.used) await tx.query(`UPDATE identity.refresh_tokens SET used_at = now() WHERE token_hash = $1`, [hashOf(token)]);
    const next = newToken(ttlSeconds);
    await insert(tx, next, row.family_id, row.user_id);
    return { ok: true, userId: row.user_id, next: { token: next.token, expiresAt: next.expiresAt } };
  });
}

/** Revokes the family the token belongs to; false when the token is unknown. */
export async function revokeRefreshFamily(ds: DataSource, token: string): Promise<boolean> {
  const [, count]: [unknown, number] = await ds.query(
    `UPDATE identity.refresh_tokens SET revoked = true
     WHERE family_id = (SELECT family_id FROM identity.refresh_tokens WHERE token_hash = $1)`,
    [hashOf(token)],
  );
  return count > 0;
}

/** Deletes tokens that expired more than a day ago (their families are dead; the day keeps replays explainable). */
export async function deleteExpiredRefreshTokens(ds: DataSource): Promise<number> {
  const [, count]: [unknown, number] = await ds.query(
    `DELETE FROM identity.refresh_tokens WHERE expires_at < now() - interval '1 day'`,
  );
  return count;
}
