// Accounts that are not registered through the storefront: the first admin (from configuration, at gateway
// start-up) and the demo users `npm start` creates. Idempotent: an existing email is left as it is, so a
// password changed later is never reset by a restart.
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { invalidArgument } from "../../../services/lib/errors.js";
import { text } from "../../../services/lib/validate.js";
import { hashPassword } from "./passwords.js";
import { normalizeEmail, validatePassword } from "./service.js";
import { findUserByEmail, insertUser, type UserRole, type UserRow } from "./store.js";

export interface AccountSpec {
  email: string;
  password: string;
  displayName: string;
  role: UserRole;
  /** Required for role "warehouse". */
  warehouseId?: string;
}

/** Creates the account unless its email exists; returns the account and whether it was created. */
export async function ensureAccount(ds: DataSource, spec: AccountSpec): Promise<{ user: UserRow; created: boolean }> {
  const email = normalizeEmail(spec.email);
  const password = validatePassword(spec.password);
  const displayName = text(spec.displayName, "display_name", { min: 1, max: 100 });
  if ((spec.role === "warehouse") !== Boolean(spec.warehouseId)) {
    throw invalidArgument("warehouse_id", "is required for a warehouse user and only for one");
  }
  const existing = await findUserByEmail(ds, email);
  if (existing) return { user: existing, created: false };
  const inserted = await insertUser(ds, {
    id: randomUUID(), email, displayName, role: spec.role, warehouseId: spec.warehouseId?.toLowerCase() ?? null,
    passwordHash: await hashPassword(password),
  });
  // Lost a race with another gateway replica creating the same account: theirs stands.
  if (!inserted) return { user: (await findUserByEmail(ds, email))!, created: false };
  return { user: inserted, created: true };
}

/** The first admin, from ADMIN_EMAIL / ADMIN_PASSWORD (both or neither). */
export function adminFromEnv(env: Record<string, string | undefined>): AccountSpec | undefined {
  const email = env.ADMIN_EMAIL?.trim();
  const password = env.ADMIN_PASSWORD;
  if (!email && !password) return undefined;
  if (!email || !password) throw new Error("set both ADMIN_EMAIL and ADMIN_PASSWORD (or neither)");
  return { email, password, displayName: env.ADMIN_NAME?.trim() || "Administrator", role: "admin" };
}
