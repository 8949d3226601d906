// Card tokens of the built-in test provider, as a real provider's test mode issues them: the browser posts the
// card to the provider's tokenization endpoint (served on the gateway's HTTP server, gateway/src/test-payments.ts)
// and gets a single-use token; SubmitOrder carries only the token, so no card number or CVC reaches the mesh.
// The provider keeps what it needs to decide the charge later (the test card's outcome, last four digits, expiry)
// under the token, in its own schema `test_payments` of the shared Postgres (every replica of the gateway and of
// Order sees the same tokens), never the number or the CVC. A token expires after TOKEN_TTL_MINUTES and is used
// by one charge: the first idempotency key that charges it.
import { randomBytes } from "node:crypto";
import type { DataSource, MigrationInterface, QueryRunner } from "typeorm";
import { openDatabase, type DatabaseSpec } from "../../../lib/db.js";
import { rows, type Db } from "../../../lib/sql.js";
import type { ValidCard } from "../domain/card.js";
import { testCardDecision, type TestDecision } from "./test-cards.js";

export const TEST_PAYMENTS_SCHEMA = "test_payments";
const T = `"${TEST_PAYMENTS_SCHEMA}".tokens`;
const TOKEN_TTL_MINUTES = 30;
/** Expired tokens deleted by each tokenization, so the table stays the size of the last half hour. */
const CLEANUP_BATCH = 100;

class TestPaymentTokens1767300000000 implements MigrationInterface {
  name = "TestPaymentTokens1767300000000";
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${T} (
      token text PRIMARY KEY,
      decision text NOT NULL CHECK (decision IN ('approve', 'decline', 'provider_error')),
      last4 text NOT NULL,
      expiry_month int NOT NULL,
      expiry_year int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_by text,
      used_at timestamptz
    )`);
    await q.query(`CREATE INDEX tokens_expires_at ON ${T} (expires_at)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${T}`);
  }
}

export const testPaymentsDatabase: DatabaseSpec = { schema: TEST_PAYMENTS_SCHEMA, migrations: [TestPaymentTokens1767300000000] };

/** Creates or updates the provider's schema (under the migration lock); its tables are then used by qualified name. */
export async function ensureTestPaymentsSchema(databaseUrl: string): Promise<void> {
  const ds = await openDatabase(databaseUrl, testPaymentsDatabase, 2, "test-payments-migrate");
  await ds.destroy();
}

export interface IssuedToken {
  token: string;
  last4: string;
  expiresAt: Date;
}

export interface TokenUse {
  decision: TestDecision;
  last4: string;
}

const TOKEN_FORMAT = /^tok_test_[A-Za-z0-9_-]{32}$/;

export class TestTokenVault {
  /** Any DataSource of the database that holds the `test_payments` schema. */
  constructor(private readonly ds: DataSource) {}

  /** A new single-use token for a validated card; the number and the CVC are not kept. */
  async issue(card: ValidCard): Promise<IssuedToken> {
    const token = `tok_test_${randomBytes(24).toString("base64url")}`;
    const [row] = await rows<{ expires_at: Date }>(this.ds,
      `INSERT INTO ${T} (token, decision, last4, expiry_month, expiry_year, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6)) RETURNING expires_at`,
      [token, testCardDecision(card.number), card.last4, card.expiryMonth, card.expiryYear, TOKEN_TTL_MINUTES]);
    await rows(this.ds, `DELETE FROM ${T} WHERE token IN (SELECT token FROM ${T} WHERE expires_at < now() LIMIT ${CLEANUP_BATCH})`, []);
    return { token, last4: card.last4, expiresAt: row.expires_at };
  }

  /** The card's last four digits while the token is unused and unexpired; undefined for anything else. */
  async describe(token: string): Promise<{ last4: string } | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const [row] = await rows<{ last4: string }>(this.ds,
      `SELECT last4 FROM ${T} WHERE token = $1 AND expires_at > now() AND used_by IS NULL`, [token]);
    return row ? { last4: row.last4 } : undefined;
  }

  /**
   * Reads the token for a charge by `idempotencyKey` inside the caller's transaction, locking it: undefined when
   * it is unknown, expired or was used by another key. `consume` then marks it used by this key.
   */
  async forCharge(tx: Db, token: string, idempotencyKey: string): Promise<TokenUse | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const [row] = await rows<{ decision: TestDecision; last4: string }>(tx,
      `SELECT decision, last4 FROM ${T}
       WHERE token = $1 AND expires_at > now() AND (used_by IS NULL OR used_by = $2) FOR UPDATE`, [token, idempotencyKey]);
    return row ? { decision: row.decision, last4: row.last4 } : undefined;
  }

  async consume(tx: Db, token: string, idempotencyKey: string): Promise<void> {
    await rows(tx, `UPDATE ${T} SET used_by = $2, used_at = COALESCE(used_at, now()) WHERE token = $1`, [token, idempotencyKey]);
  }
}
