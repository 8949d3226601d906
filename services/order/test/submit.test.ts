// SubmitOrder against real Catalog, Inventory and Cart: one order and one charge per idempotency key however
// often and concurrently it is sent, declines and provider errors leave the shopper able to retry, a failure
// after payment voids it, and bad input changes nothing.
import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary, type MessageShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { connect } from "nats";
import { expect } from "chai";
import { CheckoutStatus, OrderPlacedSchema, OrderStatus, PaymentStatus, type Checkout } from "../../../gen/shop/order/v1/order_pb.js";
import { eventually, suiteFixture, testInfra } from "../../../test/harness.js";
import { Code } from "../../lib/errors.js";
import { EVENTS } from "../../lib/events.js";
import { encodePageToken } from "../../lib/validate.js";
import { TEST_CARDS } from "../src/payment/test-provider.js";
import { address, card, codeOf, expectCode, key, startWorld, type Shopper } from "./fixture.js";

describe("order: submitting orders", function () {
  this.timeout(60_000);
  const w = suiteFixture(() => startWorld({ SUBMISSION_RECOVERY_INTERVAL_MS: "200" }));

  async function checkoutFor(units: number, quantity: number, priceMinor = 1999n): Promise<{ s: Shopper; c: Checkout; itemId: string }> {
    const item = await w.item(units, priceMinor);
    const s = await w.shopper();
    await w.fill(s, [item.id, quantity]);
    const r = await w.order.beginCheckout({}, s.h);
    return { s, c: r.checkout!, itemId: item.id };
  }

  /** Publishes an OrderPlaced as Order's relay would and waits until Cart has consumed it. */
  async function announcePlaced(e: MessageShape<typeof OrderPlacedSchema>): Promise<void> {
    const nc = await connect({ servers: testInfra().natsUrl });
    try {
      await nc.jetstream().publish(EVENTS.ordersPlaced.subject, toBinary(OrderPlacedSchema, e), { msgID: e.eventId });
    } finally {
      await nc.close();
    }
    await eventually(async () => (await w.sql.query(`SELECT 1 FROM cart.processed_events WHERE event_id = $1`, [e.eventId])).rows.length, 10_000,
      "the OrderPlaced consumed by Cart");
  }

  const chargesFor = async (userId: string) =>
    (await w.sql.query(`SELECT p.status, p.amount_minor::text AS amount FROM "order".payment_charges p
                        JOIN "order".submissions s ON s.id::text = p.idempotency_key WHERE s.user_id = $1 ORDER BY p.created_at`, [userId])).rows;

  const reservation = async (checkoutId: string) =>
    (await w.sql.query(`SELECT status, order_id FROM inventory.reservations WHERE checkout_id = $1`, [checkoutId])).rows[0];

  it("places the order: checkout total charged, reservation committed, OrderPlaced in the outbox, bought lines emptied from the cart", async () => {
    const { s, c, itemId } = await checkoutFor(10, 3, 2500n);
    const keep = await w.item(5);
    await w.fill(s, [keep.id, 1]); // added after the checkout began: stays in the cart
    const o = (await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)).order!;
    expect(o.status).to.equal(OrderStatus.PLACED);
    expect(o.userId).to.equal(s.id);
    expect(o.checkoutId).to.equal(c.id);
    expect(o.total!.minorUnits).to.equal(7500n);
    expect(o.lines.map((l) => [l.itemId, l.quantity, l.unitPrice!.minorUnits, l.lineTotal!.minorUnits])).to.deep.equal([[itemId, 3, 2500n, 7500n]]);
    expect(o.payment).to.deep.include({ provider: "test", status: PaymentStatus.CAPTURED, cardLast4: "4242" });
    expect(o.payment!.chargeId).to.match(/^ch_test_/);
    expect(o.shippingAddress).to.deep.include({ recipient: "Test Shopper", countryCode: "US" });
    expect(o.shipments).to.deep.equal([]);

    expect(await chargesFor(s.id)).to.deep.equal([{ status: "CAPTURED", amount: "7500" }]);
    expect(await reservation(c.id)).to.deep.equal({ status: "COMMITTED", order_id: o.id });
    expect(await w.aggregated(itemId)).to.equal(7);
    expect((await w.order.getCheckout({ checkoutId: c.id }, s.h)).checkout).to.deep.include({ status: CheckoutStatus.COMPLETED, orderId: o.id });
    expect((await w.order.getOrder({ orderId: o.id }, s.h)).order).to.deep.equal(o);

    const outbox = (await w.sql.query(`SELECT subject, payload FROM "order".outbox`)).rows
      .map((r) => ({ subject: r.subject as string, event: fromBinary(OrderPlacedSchema, r.payload) }))
      .filter((r) => r.event.orderId === o.id);
    expect(outbox).to.have.length(1);
    expect(outbox[0].subject).to.equal("orders.placed");
    expect(outbox[0].event).to.deep.include({ userId: s.id });
    expect(outbox[0].event.total!.minorUnits).to.equal(7500n);
    expect(outbox[0].event.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[itemId, 3]]);
    await eventually(async () => (await w.sql.query(`SELECT published_at FROM "order".outbox WHERE event_id = $1`, [outbox[0].event.eventId])).rows[0].published_at, 10_000, "OrderPlaced published");
    // Cart empties the bought line when it consumes orders.placed; the line added after the checkout began stays.
    const lines = async () => (await w.cart.getCart({ linesOnly: true }, s.h)).cart!.lines.map((l) => l.itemId);
    await eventually(async () => (await lines()).length === 1, 10_000, "the bought line removed from the cart");
    expect(await lines()).to.deep.equal([keep.id]);

    // The same order announced again (another event id, dated after the shopper's new line) removes nothing more:
    // an order empties the cart once.
    await w.fill(s, [itemId, 1]);
    await announcePlaced({ ...outbox[0].event, eventId: randomUUID(), occurTime: timestampFromDate(new Date(Date.now() + 1_000)) });
    expect(await lines()).to.have.members([keep.id, itemId]);
    await w.expectAuditClean();
  });

  it("leaves a bought item in the cart when the shopper put it back after the order was placed", async () => {
    const item = await w.item(5);
    const s = await w.shopper();
    await w.fill(s, [item.id, 2]);
    const placed = (at: Date) => create(OrderPlacedSchema, {
      eventId: randomUUID(), orderId: randomUUID(), userId: s.id, lines: [{ itemId: item.id, quantity: 1 }], occurTime: timestampFromDate(at),
    });
    const lines = async () => (await w.cart.getCart({ linesOnly: true }, s.h)).cart!.lines.map((l) => [l.itemId, l.quantity]);

    await announcePlaced(placed(new Date(Date.now() - 60_000))); // placed before the line was last changed: it stays
    expect(await lines()).to.deep.equal([[item.id, 2]]);
    await announcePlaced(placed(new Date(Date.now() + 1_000))); // placed after: the line was bought
    expect(await lines()).to.deep.equal([]);
  });

  it("answers 20 concurrent replays of one key with one order and one charge", async () => {
    const { s, c, itemId } = await checkoutFor(5, 2);
    const k = key();
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h)));
    const ids = new Set(results.map((r) => r.order!.id));
    expect(ids.size).to.equal(1);
    expect(await chargesFor(s.id)).to.deep.equal([{ status: "CAPTURED", amount: "3998" }]);
    const orders = await w.sql.query(`SELECT id FROM "order".orders WHERE user_id = $1`, [s.id]);
    expect(orders.rows.map((r) => r.id)).to.deep.equal([...ids]);
    // And a late replay still gets the same order.
    const late = await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h);
    expect(late.order!.id).to.equal([...ids][0]);
    expect(await w.aggregated(itemId)).to.equal(3);
    await w.expectAuditClean();
  });

  it("lets only one of many different keys for one checkout pay", async () => {
    const { s, c } = await checkoutFor(5, 1);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () =>
      w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)));
    const placed = results.filter((r) => r.status === "fulfilled");
    expect(placed).to.have.length(1);
    for (const r of results.filter((x) => x.status === "rejected")) {
      expect([Code.FailedPrecondition, Code.Aborted]).to.include(await codeOf(Promise.reject((r as PromiseRejectedResult).reason)));
    }
    expect(await chargesFor(s.id)).to.deep.equal([{ status: "CAPTURED", amount: "1999" }]);
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".orders WHERE user_id = $1`, [s.id])).rows[0].n).to.equal(1);
  });

  it("keeps the reservation after a decline, replays the decline for its key, and takes a good card with a new key", async () => {
    const { s, c, itemId } = await checkoutFor(3, 2);
    const declinedKey = key();
    const submit = (k: string, number: string) =>
      w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(number), shippingAddress: address() }, s.h);
    await expectCode(submit(declinedKey, TEST_CARDS.decline), Code.FailedPrecondition, "payment declined");
    await expectCode(submit(declinedKey, TEST_CARDS.approve), Code.FailedPrecondition, "payment declined");
    expect((await w.order.getCheckout({ checkoutId: c.id }, s.h)).checkout!.status).to.equal(CheckoutStatus.ACTIVE);
    expect(await w.aggregated(itemId)).to.equal(1);
    expect((await reservation(c.id)).status).to.equal("ACTIVE");

    const o = (await submit(key(), TEST_CARDS.approve)).order!;
    expect(o.status).to.equal(OrderStatus.PLACED);
    expect((await chargesFor(s.id)).map((r) => r.status)).to.deep.equal(["DECLINED", "CAPTURED"]);
    expect(await w.aggregated(itemId)).to.equal(1);
    await w.expectAuditClean();
  });

  it("answers a provider error Unavailable with nothing charged, and the same key succeeds on retry", async () => {
    const { s, c } = await checkoutFor(3, 1);
    const k = key();
    await expectCode(w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(TEST_CARDS.providerError), shippingAddress: address() }, s.h),
      Code.Unavailable);
    expect(await chargesFor(s.id)).to.deep.equal([]);
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".submissions WHERE user_id = $1`, [s.id])).rows[0].n).to.equal(0);
    expect((await w.order.getCheckout({ checkoutId: c.id }, s.h)).checkout!.status).to.equal(CheckoutStatus.ACTIVE);
    const o = (await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h)).order!;
    expect(o.status).to.equal(OrderStatus.PLACED);
    expect((await chargesFor(s.id)).map((r) => r.status)).to.deep.equal(["CAPTURED"]);
  });

  it("charges what the checkout showed when the price changed after BeginCheckout", async () => {
    const { s, c, itemId } = await checkoutFor(5, 2, 1500n);
    await w.setPrice(itemId, 2000n);
    const o = (await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)).order!;
    expect(o.total!.minorUnits).to.equal(3000n);
    expect(o.lines[0].unitPrice!.minorUnits).to.equal(1500n);
    expect(await chargesFor(s.id)).to.deep.equal([{ status: "CAPTURED", amount: "3000" }]);
  });

  it("voids the charge when the reservation is gone by the time it is committed", async () => {
    const { s, c, itemId } = await checkoutFor(3, 1);
    // Inventory lets the hold go behind Order's back (as an expiry racing the submission would).
    await w.inventory.release({ checkoutId: c.id }, w.service);
    const k = key();
    await expectCode(w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h),
      Code.FailedPrecondition, "voided");
    expect(await chargesFor(s.id)).to.deep.equal([{ status: "VOIDED", amount: "1999" }]);
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".orders WHERE user_id = $1`, [s.id])).rows[0].n).to.equal(0);
    await expectCode(w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h),
      Code.FailedPrecondition, "voided");
    expect((await chargesFor(s.id)).length).to.equal(1);
    expect(await w.aggregated(itemId)).to.equal(3);
    await w.expectAuditClean();
  });

  it("fails a submission interrupted before payment once its lease runs out, and replays that answer", async () => {
    const { s, c, itemId } = await checkoutFor(3, 1);
    const k = key();
    // What a crash right after the submission row was written leaves: PENDING, no charge, an expired lease.
    await w.sql.query(
      `INSERT INTO "order".submissions (id, user_id, idempotency_key, checkout_id, order_id, state, amount_minor, currency,
         card_last4, shipping_address, lease_owner, lease_until)
       VALUES ($1, $2, $3, $4, $5, 'PENDING', 1999, 'USD', '4242', '{}', $6, now() - interval '1 second')`,
      [randomUUID(), s.id, k, c.id, randomUUID(), randomUUID()],
    );
    await eventually(async () => (await w.sql.query(`SELECT state FROM "order".submissions WHERE idempotency_key = $1`, [k])).rows[0].state === "FAILED",
      10_000, "recovery failed the submission");
    await expectCode(w.order.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h),
      Code.FailedPrecondition, "nothing was charged");
    expect(await chargesFor(s.id)).to.deep.equal([]);
    // The reservation is untouched: a new key can still buy.
    expect(await w.aggregated(itemId)).to.equal(2);
    const o = (await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)).order!;
    expect(o.status).to.equal(OrderStatus.PLACED);
  });

  it("refuses a key reused for another checkout, and a completed checkout under a new key, charging nothing more", async () => {
    const first = await checkoutFor(5, 1);
    const k = key();
    const o = (await w.order.submitOrder({ checkoutId: first.c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, first.s.h)).order!;
    await expectCode(w.order.submitOrder({ checkoutId: first.c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, first.s.h),
      Code.FailedPrecondition, "already ordered");
    const item = await w.item(5);
    await w.fill(first.s, [item.id, 1]);
    const second = (await w.order.beginCheckout({}, first.s.h)).checkout!;
    await expectCode(w.order.submitOrder({ checkoutId: second.id, idempotencyKey: k, card: card(), shippingAddress: address() }, first.s.h),
      Code.InvalidArgument, "idempotency_key");
    expect(await chargesFor(first.s.id)).to.have.length(1);
    expect((await w.order.getOrder({ orderId: o.id }, first.s.h)).order!.id).to.equal(o.id);
  });

  it("answers bad input to every field InvalidArgument naming it, writing nothing", async () => {
    const { s, c } = await checkoutFor(5, 1);
    const before = await w.counts();
    const good = { checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() };
    const cases: [string, Record<string, unknown>][] = [
      ["checkout_id", { checkoutId: "" }],
      ["checkout_id", { checkoutId: "not-a-uuid" }],
      ["idempotency_key", { idempotencyKey: "" }],
      ["idempotency_key", { idempotencyKey: "short" }],
      ["idempotency_key", { idempotencyKey: "k".repeat(129) }],
      // Neither way to pay: the token is what is missing (card fields are the deprecated way).
      ["payment_token", { card: undefined }],
      ["payment_token", { paymentToken: "tok_test_x" }],
      ["payment_token", { card: undefined, paymentToken: "tok test with spaces" }],
      ["payment_token", { card: undefined, paymentToken: "tok_test_unknown-to-the-provider-00000000" }],
      ["card.number", { card: { ...card(), number: "4242424242424241" } }],
      ["card.number", { card: { ...card(), number: "12345" } }],
      ["card.number", { card: { ...card(), number: "4242abcd42424242" } }],
      ["card.expiry_month", { card: { ...card(), expiryMonth: 13 } }],
      ["card.expiry_month", { card: { ...card(), expiryMonth: 0 } }],
      ["card.expiry_year", { card: { ...card(), expiryYear: 2001 } }],
      ["card.cvc", { card: { ...card(), cvc: "1" } }],
      ["card.cvc", { card: { ...card(), cvc: "12345" } }],
      ["card.holder_name", { card: { ...card(), holderName: "" } }],
      ["shipping_address", { shippingAddress: undefined }],
      ["shipping_address.recipient", { shippingAddress: { ...address(), recipient: "" } }],
      ["shipping_address.line1", { shippingAddress: { ...address(), line1: "x".repeat(201) } }],
      ["shipping_address.city", { shippingAddress: { ...address(), city: "" } }],
      ["shipping_address.postal_code", { shippingAddress: { ...address(), postalCode: "" } }],
      ["shipping_address.country_code", { shippingAddress: { ...address(), countryCode: "USA" } }],
      ["shipping_address.country_code", { shippingAddress: { ...address(), countryCode: "" } }],
    ];
    for (const [field, change] of cases) {
      const msg = await expectCode(w.order.submitOrder({ ...good, ...change } as never, s.h), Code.InvalidArgument);
      expect(msg.startsWith(`${field}:`), `${JSON.stringify(change)} -> ${msg}`).to.equal(true);
    }
    await expectCode(w.order.submitOrder({ ...good, checkoutId: randomUUID() }, s.h), Code.NotFound);
    expect(await w.counts()).to.deep.equal(before);
    expect((await w.order.getCheckout({ checkoutId: c.id }, s.h)).checkout!.status).to.equal(CheckoutStatus.ACTIVE);

    await expectCode(w.order.getOrder({ orderId: "" }, s.h), Code.InvalidArgument, "order_id");
    await expectCode(w.order.getOrder({ orderId: "12" }, s.h), Code.InvalidArgument, "order_id");
    await expectCode(w.order.getOrder({ orderId: randomUUID() }, s.h), Code.NotFound);
    await expectCode(w.order.getMyOrders({ pageSize: -1 }, s.h), Code.InvalidArgument, "page_size");
    await expectCode(w.order.getMyOrders({ pageSize: 101 }, s.h), Code.InvalidArgument, "page_size");
    await expectCode(w.order.getMyOrders({ pageToken: "garbage!" }, s.h), Code.InvalidArgument, "page_token");
    await expectCode(w.order.getMyOrders({ pageToken: encodePageToken({ before: "1; DROP" }) }, s.h), Code.InvalidArgument, "page_token");
  });

  it("lists a shopper's own orders newest first, page by page, and hides them from everyone else", async () => {
    const s = await w.shopper();
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const item = await w.item(2, BigInt(100 + i));
      await w.fill(s, [item.id, 1]);
      const c = (await w.order.beginCheckout({}, s.h)).checkout!;
      placed.push((await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)).order!.id);
    }
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await w.order.getMyOrders({ pageSize: 2, pageToken }, s.h);
      seen.push(...page.orders.map((o) => o.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(seen).to.deep.equal([...placed].reverse());
    expect(pages).to.equal(3);

    const other = await w.shopper();
    expect((await w.order.getMyOrders({}, other.h)).orders).to.deep.equal([]);
    await expectCode(w.order.getOrder({ orderId: placed[0] }, other.h), Code.NotFound);
  });
});
