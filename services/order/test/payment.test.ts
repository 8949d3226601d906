// The built-in test payment provider against a real Postgres (the order schema's migrations): what makes a
// crash-retry safe is that a charge is keyed by its idempotency key, whatever happens around it.
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../lib/db.js";
import { freshDatabase } from "../../../test/harness.js";
import { PaymentProviderError } from "../src/payment/provider.js";
import { TEST_CARDS, TestPaymentProvider } from "../src/payment/test-provider.js";
import { OrderSchema1732300000000 } from "../src/store/migrations/1732300000000-OrderSchema.js";
import { validateCard } from "../src/domain/card.js";
import { ensureTestPaymentsSchema, TestTokenVault } from "../src/payment/test-tokens.js";

const card = (number: string) => ({ number, expiryMonth: 12, expiryYear: 2099, cvc: "123", holderName: "Test Shopper" });

describe("order: test payment provider", () => {
  let ds: DataSource;
  let provider: TestPaymentProvider;

  let vault: TestTokenVault;

  before(async () => {
    const url = await freshDatabase("order_pay");
    ds = await openDatabase(url, { schema: "order", migrations: [OrderSchema1732300000000] }, 30);
    await ensureTestPaymentsSchema(url);
    provider = new TestPaymentProvider(ds, "order");
    vault = new TestTokenVault(ds);
  });
  after(async () => {
    await ds?.destroy();
  });

  const count = async (key: string) => Number((await ds.query(`SELECT count(*)::int AS n FROM "order".payment_charges WHERE idempotency_key = $1`, [key]))[0].n);

  it("charges a key once, however many times and however concurrently it is asked", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      provider.charge({ idempotencyKey: "sub-once", amountMinor: 4999n, currency: "USD", card: card(TEST_CARDS.approve) })));
    expect(new Set(results.map((r) => r.charge.chargeId)).size).to.equal(1);
    expect(results.every((r) => r.outcome === "approved" && r.charge.status === "CAPTURED")).to.equal(true);
    expect(await count("sub-once")).to.equal(1);
    const found = await provider.findCharge("sub-once");
    expect(found?.amountMinor).to.equal(4999n);
    expect(found?.cardLast4).to.equal("4242");
  });

  it("approves any other Luhn-valid card", async () => {
    const r = await provider.charge({ idempotencyKey: "sub-mastercard", amountMinor: 1n, currency: "USD", card: card("5555555555554444") });
    expect(r.outcome).to.equal("approved");
  });

  it("declines 4000000000000002 and answers a retry of the key with the same decline", async () => {
    const first = await provider.charge({ idempotencyKey: "sub-declined", amountMinor: 100n, currency: "USD", card: card(TEST_CARDS.decline) });
    expect(first.outcome).to.equal("declined");
    // Even with a good card: the key's answer is fixed.
    const again = await provider.charge({ idempotencyKey: "sub-declined", amountMinor: 100n, currency: "USD", card: card(TEST_CARDS.approve) });
    expect(again.outcome).to.equal("declined");
    expect(await count("sub-declined")).to.equal(1);
  });

  it("fails 4000000000000119 with a provider error and records nothing", async () => {
    let error: unknown;
    try {
      await provider.charge({ idempotencyKey: "sub-error", amountMinor: 100n, currency: "USD", card: card(TEST_CARDS.providerError) });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(PaymentProviderError);
    expect(await provider.findCharge("sub-error")).to.equal(undefined);
  });

  it("voids a captured charge idempotently and refuses to void an unknown one", async () => {
    const { charge } = await provider.charge({ idempotencyKey: "sub-void", amountMinor: 700n, currency: "USD", card: card(TEST_CARDS.approve) });
    expect((await provider.void(charge.chargeId)).status).to.equal("VOIDED");
    expect((await provider.void(charge.chargeId)).status).to.equal("VOIDED");
    expect((await provider.findCharge("sub-void"))?.status).to.equal("VOIDED");
    let error: unknown;
    try {
      await provider.void("ch_test_unknown");
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(PaymentProviderError);
  });

  describe("tokens", () => {
    const tokenFor = async (number: string) => (await vault.issue(validateCard({ ...card(number), expiryYear: new Date().getFullYear() + 2 } as never))).token;
    const charge = (idempotencyKey: string, token: string) => provider.charge({ idempotencyKey, amountMinor: 900n, currency: "USD", token });

    it("keeps the card's outcome and last four digits under the token, never the number or the CVC", async () => {
      const token = await tokenFor("5555555555554444");
      expect(await provider.describeToken(token)).to.deep.equal({ last4: "4444" });
      const [row] = await ds.query(`SELECT t::text AS row FROM test_payments.tokens t WHERE token = $1`, [token]);
      expect(row.row).to.not.include("5555555555554444").and.not.include("123");
      const r = await charge("sub-token", token);
      expect(r.outcome).to.equal("approved");
      expect(r.charge.cardLast4).to.equal("4444");
    });

    it("pays one key with a token: its retries get the same charge, another key is declined", async () => {
      const token = await tokenFor(TEST_CARDS.approve);
      const results = await Promise.all(Array.from({ length: 10 }, () => charge("sub-token-once", token)));
      expect(new Set(results.map((r) => r.charge.chargeId)).size).to.equal(1);
      expect(await provider.describeToken(token)).to.equal(undefined);
      const other = await charge("sub-token-other", token);
      expect(other.outcome).to.equal("declined");
      expect(other.charge.declineReason).to.contain("already used");
    });

    it("declines by the tokenized card, and leaves a token unused when the provider fails", async () => {
      expect((await charge("sub-token-decline", await tokenFor(TEST_CARDS.decline))).outcome).to.equal("declined");
      const failing = await tokenFor(TEST_CARDS.providerError);
      let error: unknown;
      try {
        await charge("sub-token-error", failing);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(PaymentProviderError);
      expect(await provider.findCharge("sub-token-error")).to.equal(undefined);
      expect(await provider.describeToken(failing)).to.deep.equal({ last4: "0119" });
    });

    it("knows no made-up or expired token", async () => {
      expect(await provider.describeToken("tok_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).to.equal(undefined);
      const token = await tokenFor(TEST_CARDS.approve);
      await ds.query(`UPDATE test_payments.tokens SET expires_at = now() - interval '1 second' WHERE token = $1`, [token]);
      expect(await provider.describeToken(token)).to.equal(undefined);
      expect((await charge("sub-token-expired", token)).outcome).to.equal("declined");
    });
  });
});
