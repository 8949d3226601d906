// The built-in test payment provider against a real Postgres (the order schema's migrations): what makes a
// crash-retry safe is that a charge is keyed by its idempotency key, whatever happens around it.
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../lib/db.js";
import { freshDatabase } from "../../../test/harness.js";
import { PaymentProviderError } from "../src/payment/provider.js";
import { TEST_CARDS, TestPaymentProvider } from "../src/payment/test-provider.js";
import { OrderSchema1732300000000 } from "../src/store/migrations/1732300000000-OrderSchema.js";

const card = (number: string) => ({ number, expiryMonth: 12, expiryYear: 2099, cvc: "123", holderName: "Test Shopper" });

describe("order: test payment provider", () => {
  let ds: DataSource;
  let provider: TestPaymentProvider;

  before(async () => {
    ds = await openDatabase(await freshDatabase("order_pay"), { schema: "order", migrations: [OrderSchema1732300000000] }, 30);
    provider = new TestPaymentProvider(ds, "order");
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
});
