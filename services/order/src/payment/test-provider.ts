// The built-in provider, like a payment gateway's test mode: decides by card number and keeps its charges in its
// own table (payment_charges), keyed by idempotency key, committed independently of the order's transactions —
// exactly as a remote gateway would have them, which is what the crash-recovery tests rely on.
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { rows } from "../../../lib/sql.js";
import { PaymentProviderError, type ChargeRecord, type ChargeRequest, type ChargeResult, type PaymentProvider } from "./provider.js";

/** Test card numbers (proto PaymentCard, README). Any other Luhn-valid number approves. */
export const TEST_CARDS = {
  approve: "4242424242424242",
  decline: "4000000000000002",
  providerError: "4000000000000119",
} as const;

export type TestDecision = "approve" | "decline" | "provider_error";

export function testCardDecision(cardNumber: string): TestDecision {
  if (cardNumber === TEST_CARDS.decline) return "decline";
  if (cardNumber === TEST_CARDS.providerError) return "provider_error";
  return "approve";
}

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

export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test";
  private readonly table: string;

  constructor(private readonly ds: DataSource, schema: string) {
    this.table = `"${schema}".payment_charges`;
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const decision = testCardDecision(req.card.number);
    // A provider error records nothing: the gateway never got to decide.
    if (decision === "provider_error") throw new PaymentProviderError("test provider: processing error (card 4000000000000119)");
    const status = decision === "decline" ? "DECLINED" : "CAPTURED";
    const inserted = await this.sql(
      `INSERT INTO ${this.table} (id, idempotency_key, status, amount_minor, currency, card_last4, decline_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING *`,
      [`ch_test_${randomUUID().replace(/-/g, "")}`, req.idempotencyKey, status, req.amountMinor.toString(), req.currency,
        req.card.number.slice(-4), status === "DECLINED" ? "card declined" : null],
    );
    if (inserted.length) return toResult(toRecord(inserted[0]));
    // The key was charged before: the same answer as the first time, no second charge.
    const existing = await this.findCharge(req.idempotencyKey);
    if (!existing) throw new PaymentProviderError("test provider: charge vanished");
    return toResult(existing);
  }

  async void(chargeId: string): Promise<ChargeRecord> {
    const updated = await this.sql(
      `UPDATE ${this.table} SET status = 'VOIDED', voided_at = COALESCE(voided_at, now())
       WHERE id = $1 AND status IN ('CAPTURED', 'VOIDED') RETURNING *`,
      [chargeId],
    );
    if (!updated.length) throw new PaymentProviderError(`test provider: no captured charge ${chargeId}`);
    return toRecord(updated[0]);
  }

  async findCharge(idempotencyKey: string): Promise<ChargeRecord | undefined> {
    const found = await this.sql(`SELECT * FROM ${this.table} WHERE idempotency_key = $1`, [idempotencyKey]);
    return found.length ? toRecord(found[0]) : undefined;
  }

  /** The provider's storage failing is the provider failing: callers see PaymentProviderError, as with a gateway. */
  private async sql(statement: string, params: unknown[]): Promise<ChargeRow[]> {
    try {
      return await rows<ChargeRow>(this.ds, statement, params);
    } catch (err) {
      throw new PaymentProviderError(`test provider: ${(err as Error).message}`);
    }
  }
}
