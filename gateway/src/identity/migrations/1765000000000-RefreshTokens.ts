// Refresh tokens: one row per token, stored as its SHA-256 (a copy of the table signs no one in). Tokens of one
// sign-in form a family: each Refresh marks its token used and adds the next; a used token sent again, or a
// Logout, revokes the whole family.
import { sqlMigration } from "../../../../services/lib/db.js";

export const RefreshTokens1765000000000 = sqlMigration("RefreshTokens1765000000000", [
  `CREATE TABLE identity.refresh_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    family_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    -- Set when the token was exchanged for the next one; from then on it only proves a replay.
    used_at timestamptz,
    revoked boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX refresh_tokens_family ON identity.refresh_tokens (family_id)`,
  `CREATE INDEX refresh_tokens_expiry ON identity.refresh_tokens (expires_at)`,
], [
  `DROP TABLE identity.refresh_tokens`,
]);
