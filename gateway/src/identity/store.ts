// User accounts in the identity schema (owned by the gateway, docs/design.md "Identity and access"); refresh
// tokens live in refresh-tokens.ts.
import type { DataSource } from "typeorm";
import type { DatabaseSpec } from "../../../services/lib/db.js";
import { PG, pgCode } from "../../../services/lib/errors.js";
import { IdentitySchema1733000000000 } from "./migrations/1733000000000-IdentitySchema.js";
import { RefreshTokens1765000000000 } from "./migrations/1765000000000-RefreshTokens.js";

export const identityDatabase: DatabaseSpec = {
  schema: "identity",
  migrations: [IdentitySchema1733000000000, RefreshTokens1765000000000],
};

export type UserRole = "customer" | "admin" | "warehouse";

export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  warehouseId: string | null;
  passwordHash: string;
  createdAt: Date;
}

const COLUMNS = `id::text AS id, email, display_name, role, warehouse_id::text AS warehouse_id, password_hash, created_at`;

interface RawUser {
  id: string;
  email: string;
  display_name: string;
  role: UserRole;
  warehouse_id: string | null;
  password_hash: string;
  created_at: Date;
}

function toRow(r: RawUser): UserRow {
  return {
    id: r.id, email: r.email, displayName: r.display_name, role: r.role, warehouseId: r.warehouse_id,
    passwordHash: r.password_hash, createdAt: r.created_at,
  };
}

/** Inserts a user; undefined when the email is taken. */
export async function insertUser(ds: DataSource, u: Omit<UserRow, "createdAt">): Promise<UserRow | undefined> {
  try {
    const rows: RawUser[] = await ds.query(
      `INSERT INTO identity.users (id, email, display_name, role, warehouse_id, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [u.id, u.email, u.displayName, u.role, u.warehouseId, u.passwordHash],
    );
    return toRow(rows[0]);
  } catch (err) {
    if (pgCode(err) === PG.uniqueViolation) return undefined;
    throw err;
  }
}

export async function findUserByEmail(ds: DataSource, email: string): Promise<UserRow | undefined> {
  const rows: RawUser[] = await ds.query(`SELECT ${COLUMNS} FROM identity.users WHERE email = $1`, [email]);
  return rows[0] && toRow(rows[0]);
}

export async function findUserById(ds: DataSource, id: string): Promise<UserRow | undefined> {
  const rows: RawUser[] = await ds.query(`SELECT ${COLUMNS} FROM identity.users WHERE id = $1`, [id]);
  return rows[0] && toRow(rows[0]);
}

export async function updatePasswordHash(ds: DataSource, id: string, passwordHash: string): Promise<void> {
  await ds.query(`UPDATE identity.users SET password_hash = $2 WHERE id = $1`, [id, passwordHash]);
}
