// The identity schema: user accounts. Emails are stored lower-cased, so the unique index makes them
// case-insensitively unique.
import { sqlMigration } from "../../../../services/lib/db.js";

export const IdentitySchema1733000000000 = sqlMigration("IdentitySchema1733000000000", [
  `CREATE TABLE identity.users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('customer', 'admin', 'warehouse')),
    -- A warehouse user works for exactly one warehouse; nobody else has one.
    warehouse_id uuid,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'warehouse') = (warehouse_id IS NOT NULL))
  )`,
], [
  `DROP TABLE identity.users`,
]);
