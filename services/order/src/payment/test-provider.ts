// The built-in provider, like a payment gateway's test mode: decides by card number and keeps its charges in its
// own table (payment_charges), keyed by idempotency key, committed independently of the order's transactions —
// exactly as a remote gateway would have them, which is what the crash-recovery tests rely on. Cards come as its
// tokens (test-tokens.ts: the decision was taken from the number when the browser tokenized the card).
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { rows, type Db } from "../../../lib/sql.js";
import { PaymentProviderError, type ChargeRecord, type ChargeRequest, type ChargeResult, type PaymentProvider } from "./provider.js";
import { testCardDecision, type TestDecision } from "./test-cards.js";
import { TestTokenVault } from "./test-tokens.js";

export { TEST_CARDS, testCardDecision } from "./test-cards.js";


interface ChargeRow {
  id: string;
  idempotency_key: string;
  status: ChargeRecord["status"];
  amount_minor: string;
  currency: string;
  card_last4: string;
  decline_reason: string | null;
}

function toRecord(r: ChargeRow): ChargeRecord {
  return {
    chargeId: r.id,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    amountMinor: BigInt(r.amount_minor),
    currency: r.currency,
    cardLast4: r.card_last4,
    ...(r.decline_reason ? { declineReason: r.decline_reason } : {}),
  };
}

function toResult(charge: ChargeRecord): ChargeResult {
  return charge.status === "DECLINED"
    ? { outcome: "declined", reason: charge.declineReason ?? "card declined", charge }
    : { outcome: "approved", charge };
}

/** Why a charge by token is declined when the token cannot be used (a real provider refuses such a request). */
const UNUSABLE_TOKEN = "payment token is unknown, expired or already used";

export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test";
  private readonly table: string;
  private readonly tokens: TestTokenVault;

  /** `ds` reaches both its charges (in `schema`) and its tokens (schema test_payments) in the same database. */
  constructor(private readonly ds: DataSource, schema: string) {
    this.table = `"${schema}".payment_charges`;
    this.tokens = new TestTokenVault(ds);
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    if (req.token !== undefined) return this.chargeToken(req, req.token);
    if (!req.card) throw new PaymentProviderError("test provider: a charge needs a token or a card");
    return this.record(this.ds, req, testCardDecision(req.card.number), req.card.number.slice(-4));
  }

  /** Uses the token for this key and records the charge in one transaction: a token pays for one charge only. */
  private async chargeToken(req: ChargeRequest, token: string): Promise<ChargeResult> {
    const existing = await this.findCharge(req.idempotencyKey);
    if (existing) return toResult(existing);
    return this.guard(() => this.ds.transaction(async (tx) => {
      const use = await this.tokens.forCharge(tx, token, req.idempotencyKey);
      if (!use) return this.record(tx, req, "decline", "", UNUSABLE_TOKEN);
      // A provider error leaves the token unused, so a retry of the submission can still pay with it.
      if (use.decision !== "provider_error") await this.tokens.consume(tx, token, req.idempotencyKey);
      return this.record(tx, req, use.decision, use.last4);
    }));
  }

  /** Records the decision for the key (the first one recorded wins) and answers with the key's charge. */
  private async record(db: Db, req: ChargeRequest, decision: TestDecision, last4: string, declineReason = "card declined"): Promise<ChargeResult> {
    // A provider error records nothing: the gateway never got to decide.
    if (decision === "provider_error") throw new PaymentProviderError("test provider: processing error (card 4000000000000119)");
    const status = decision === "decline" ? "DECLINED" : "CAPTURED";
    const inserted = await this.sql(db,
      `INSERT INTO ${this.table} (id, idempotency_key, status, amount_minor, currency, card_last4, decline_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING *`,
      [`ch_test_${randomUUID().replace(/-/g, "")}`, req.idempotencyKey, status, req.amountMinor.toString(), req.currency,
        last4, status === "DECLINED" ? declineReason : null],
    );
    if (inserted.length) return toResult(toRecord(inserted[0]));
    // The key was charged before: the same answer as the first time, no second charge.
    const existing = await this.findCharge(req.idempotencyKey);
    if (!existing) throw new PaymentProviderError("test provider: charge vanished");
    return toResult(existing);
  }

  async void(chargeId: string): Promise<ChargeRecord> {
    const updated = await this.sql(this.ds, 
      `UPDATE ${this.table} SET status = 'VOIDED', voided_at = COALESCE(voided_at, now())
       WHERE id = $1 AND status IN ('CAPTURED', 'VOIDED') RETURNING *`,
      [chargeId],
    );
    if (!updated.length) throw new PaymentProviderError(`test provider: no captured charge ${chargeId}`);
    return toRecord(updated[0]);
  }

  async findCharge(idempotencyKey: string): Promise<ChargeRecord | undefined> {
    const found = await this.sql(this.ds, `SELECT * FROM ${this.table} WHERE idempotency_key = $1`, [idempotencyKey]);
    return found.length ? toRecord(found[0]) : undefined;
  }

  describeToken(token: string): Promise<{ last4: string } | undefined> {
    return this.guard(() => this.tokens.describe(token));
  }

  private sql(db: Db, statement: string, params: unknown[]): Promise<ChargeRow[]> {
    return this.guard(() => rows<ChargeRow>(db, statement, params));
  }

  /** The provider's storage failing is the provider failing: callers see PaymentProviderError, as with a gateway. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof PaymentProviderError) throw err;
      throw new PaymentProviderError(`test provider: ${(err as Error).message}`);
    }
  }
}
