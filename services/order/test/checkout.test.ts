// BeginCheckout, CancelCheckout and GetCheckout against real Catalog, Inventory and Cart: Catalog's prices (as the
// cart's price view holds them, or from Catalog for items the view has not heard of),
// stock held once per shopper, released on cancel or replacement, and each shopper sees only their own.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { CheckoutStatus } from "../../../gen/shop/order/v1/order_pb.js";
import { bearer, eventually, suiteFixture, tokenFor } from "../../../test/harness.js";
import { Code } from "../../lib/errors.js";
import { registry } from "../../lib/metrics.js";
import { address, card, expectCode, key, startWorld } from "./fixture.js";

/** Inventory.Reserve calls served so far (every service of the suite runs in this process, with one registry). */
async function reserveCalls(): Promise<number> {
  const metric = await registry.getSingleMetric("rpc_server_duration_milliseconds")!.get();
  // A histogram's values are its buckets, sum and count, told apart by metricName.
  return metric.values.filter((v) => (v as { metricName?: string }).metricName === "rpc_server_duration_milliseconds_count" && v.labels.rpc_method === "Reserve")
    .reduce((n, v) => n + v.value, 0);
}

describe("order: checkouts", function () {
  this.timeout(60_000);
  const w = suiteFixture(() => startWorld({ SUBMISSION_RECOVERY_INTERVAL_MS: "200" }));

  it("prices every line from Catalog and reserves it for CHECKOUT_TTL_SECONDS", async () => {
    const a = await w.item(10, 1250n);
    const b = await w.item(10, 99n);
    const s = await w.shopper();
    await w.fill(s, [a.id, 2], [b.id, 3]);
    const startedAt = Date.now();
    const r = await w.order.beginCheckout({}, s.h);
    const c = r.checkout!;
    expect(r.alerts).to.deep.equal([]);
    expect(c.status).to.equal(CheckoutStatus.ACTIVE);
    expect(c.lines.map((l) => [l.itemId, l.name, l.quantity, l.unitPrice!.minorUnits, l.lineTotal!.minorUnits]))
      .to.have.deep.members([[a.id, a.name, 2, 1250n, 2500n], [b.id, b.name, 3, 99n, 297n]]);
    expect(c.total).to.deep.include({ currencyCode: "USD", minorUnits: 2797n });
    const expiresInS = (Number(c.expireTime!.seconds) * 1000 - startedAt) / 1000;
    expect(expiresInS).to.be.within(590, 601);
    expect(await w.aggregated(a.id)).to.equal(8);
    expect(await w.aggregated(b.id)).to.equal(7);
    expect((await w.order.getCheckout({}, s.h)).checkout!.id).to.equal(c.id);
    expect((await w.order.getCheckout({ checkoutId: c.id }, s.h)).checkout).to.deep.equal(c);
    await w.expectAuditClean();
  });

  it("refuses an empty cart with FailedPrecondition", async () => {
    const s = await w.shopper();
    await expectCode(w.order.beginCheckout({}, s.h), Code.FailedPrecondition, "empty");
  });

  it("charges Catalog's new price once the cart has heard of it, not the price the cart was filled at, and records its version", async () => {
    const item = await w.item(5, 1000n);
    const s = await w.shopper();
    await w.fill(s, [item.id, 2]);
    const version = await w.setPrice(item.id, 1500n);
    const c = (await w.order.beginCheckout({}, s.h)).checkout!;
    expect(c.lines[0].unitPrice!.minorUnits).to.equal(1500n);
    expect(c.total!.minorUnits).to.equal(3000n);
    const stored = await w.sql.query(`SELECT lines FROM "order".checkouts WHERE id = $1`, [c.id]);
    expect(stored.rows[0].lines[0]).to.include({ itemId: item.id, unitPriceMinor: "1500", itemVersion: String(version) });
  });

  it("prices an item the cart's view has not heard of from Catalog", async () => {
    const item = await w.item(5, 1234n);
    const s = await w.shopper();
    await w.fill(s, [item.id, 1]);
    await w.sql.query(`DELETE FROM cart.item_view WHERE item_id = $1`, [item.id]); // as at a cold start
    const c = (await w.order.beginCheckout({}, s.h)).checkout!;
    expect(c.lines.map((l) => [l.itemId, l.unitPrice!.minorUnits])).to.deep.equal([[item.id, 1234n]]);
    const stored = await w.sql.query(`SELECT lines FROM "order".checkouts WHERE id = $1`, [c.id]);
    expect(stored.rows[0].lines[0]).to.include({ itemVersion: String(item.version) });
  });

  it("alerts with nothing available for an archived item, and reserves nothing for the other lines", async () => {
    const gone = await w.item(5);
    const fine = await w.item(5);
    const s = await w.shopper();
    await w.fill(s, [gone.id, 1], [fine.id, 2]);
    await w.archive(gone.id);
    const r = await w.order.beginCheckout({}, s.h);
    expect(r.checkout).to.equal(undefined);
    expect(r.alerts.map((a) => [a.itemId, a.requested, a.available])).to.deep.equal([[gone.id, 1, 0]]);
    expect(await w.aggregated(fine.id)).to.equal(5);
    await expectCode(w.order.getCheckout({}, s.h), Code.NotFound);
  });

  it("reports every short line with what is left and holds nothing", async () => {
    const a = await w.item(5);
    const b = await w.item(3);
    const s = await w.shopper();
    await w.fill(s, [a.id, 2], [b.id, 3]);
    const other = await w.shopper();
    await w.fill(other, [b.id, 2]);
    await w.order.beginCheckout({}, other.h); // leaves 1 of b
    const r = await w.order.beginCheckout({}, s.h);
    expect(r.checkout).to.equal(undefined);
    expect(r.alerts.map((x) => [x.itemId, x.name, x.requested, x.available])).to.deep.equal([[b.id, b.name, 3, 1]]);
    expect(await w.aggregated(a.id)).to.equal(5);
    expect(await w.aggregated(b.id)).to.equal(1);
  });

  it("answers an item the cart's view holds as sold out without a reservation, and sells it again once stock is back", async () => {
    const item = await w.item(1);
    const holder = await w.shopper();
    const late = await w.shopper();
    await w.fill(holder, [item.id, 1]);
    await w.fill(late, [item.id, 1]);
    const held = (await w.order.beginCheckout({}, holder.h)).checkout!;
    await eventually(async () => (await w.sql.query(`SELECT available FROM cart.item_view WHERE item_id = $1`, [item.id])).rows[0]?.available === 0,
      5_000, "the cart's view to hear the item is sold out");

    const reservesBefore = await reserveCalls();
    const r = await w.order.beginCheckout({}, late.h);
    expect(r.checkout).to.equal(undefined);
    expect(r.alerts.map((a) => [a.itemId, a.name, a.requested, a.available])).to.deep.equal([[item.id, item.name, 1, 0]]);
    expect(await reserveCalls()).to.equal(reservesBefore); // Inventory was not asked

    // The holder gives the unit back: within about a second the late shopper can have it.
    await w.order.cancelCheckout({ checkoutId: held.id }, holder.h);
    const t0 = Date.now();
    const again = await eventually(async () => (await w.order.beginCheckout({}, late.h)).checkout, 5_000, "the unit to be buyable again");
    expect(again.status).to.equal(CheckoutStatus.ACTIVE);
    expect(Date.now() - t0).to.be.below(2_000);
    expect(await w.aggregated(item.id)).to.equal(0);
    await w.expectAuditClean();
  });

  it("replaces the active checkout: its stock is released first, so the last units can be checked out again", async () => {
    const item = await w.item(3);
    const other = await w.item(5);
    const s = await w.shopper();
    await w.fill(s, [item.id, 3]);
    const first = (await w.order.beginCheckout({}, s.h)).checkout!;
    expect(await w.aggregated(item.id)).to.equal(0);
    const second = (await w.order.beginCheckout({}, s.h)).checkout!;
    expect(second.id).to.not.equal(first.id);
    expect(second.status).to.equal(CheckoutStatus.ACTIVE);
    expect((await w.order.getCheckout({ checkoutId: first.id }, s.h)).checkout!.status).to.equal(CheckoutStatus.CANCELLED);
    expect(await w.aggregated(item.id)).to.equal(0); // held once, not twice

    // The cart changed: the new checkout holds exactly the new cart.
    await w.fill(s, [item.id, 0], [other.id, 2]);
    const third = (await w.order.beginCheckout({}, s.h)).checkout!;
    expect(third.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[other.id, 2]]);
    expect(await w.aggregated(item.id)).to.equal(3);
    expect(await w.aggregated(other.id)).to.equal(3);
    const active = await w.sql.query(`SELECT count(*)::int AS n FROM "order".checkouts WHERE user_id = $1 AND status = 'ACTIVE'`, [s.id]);
    expect(active.rows[0].n).to.equal(1);
    await w.expectAuditClean();
  });

  it("holds stock once even when one shopper begins many checkouts at the same time", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    await w.fill(s, [item.id, 4]);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => w.order.beginCheckout({}, s.h)));
    // Every call is answered (a double click is not an error): with a checkout, the newest to activate winning, or
    // with the stock alert of an item the shopper's other checkouts hold.
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
    expect(results.some((r) => r.status === "fulfilled" && r.value.checkout)).to.equal(true);
    const active = await w.sql.query(`SELECT id FROM "order".checkouts WHERE user_id = $1 AND status = 'ACTIVE'`, [s.id]);
    expect(active.rows).to.have.length(1);
    expect(await w.aggregated(item.id)).to.equal(6);
    await w.expectAuditClean();
  });

  it("cancels at once and idempotently, giving the stock back", async () => {
    const item = await w.item(4);
    const s = await w.shopper();
    await w.fill(s, [item.id, 4]);
    const c = (await w.order.beginCheckout({}, s.h)).checkout!;
    expect(await w.aggregated(item.id)).to.equal(0);
    const cancelled = (await w.order.cancelCheckout({ checkoutId: c.id }, s.h)).checkout!;
    expect(cancelled.status).to.equal(CheckoutStatus.CANCELLED);
    expect(await w.aggregated(item.id)).to.equal(4);
    expect((await w.order.cancelCheckout({ checkoutId: c.id }, s.h)).checkout!.status).to.equal(CheckoutStatus.CANCELLED);
    expect((await w.order.cancelCheckout({}, s.h)).checkout!.id).to.equal(c.id);
    expect(await w.aggregated(item.id)).to.equal(4);
    await expectCode(w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h),
      Code.FailedPrecondition, "cancelled");
    expect((await w.counts()).charges).to.equal(0);
    await w.expectAuditClean();
  });

  it("shows a shopper only their own checkouts: another shopper's answer NotFound", async () => {
    const item = await w.item(5);
    const alice = await w.shopper();
    const bob = await w.shopper();
    await w.fill(alice, [item.id, 1]);
    const c = (await w.order.beginCheckout({}, alice.h)).checkout!;
    await expectCode(w.order.getCheckout({ checkoutId: c.id }, bob.h), Code.NotFound);
    await expectCode(w.order.getCheckout({}, bob.h), Code.NotFound);
    await expectCode(w.order.cancelCheckout({ checkoutId: c.id }, bob.h), Code.NotFound);
    await expectCode(w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, bob.h), Code.NotFound);
    expect((await w.order.getCheckout({ checkoutId: c.id }, alice.h)).checkout!.status).to.equal(CheckoutStatus.ACTIVE);
    expect(await w.aggregated(item.id)).to.equal(4);
  });

  it("returns the stock held for a checkout whose BeginCheckout died mid-reservation", async () => {
    const item = await w.item(5);
    const s = await w.shopper();
    const id = randomUUID();
    // What a crash between writing the row and hearing back from Inventory leaves: a RESERVING row (from over a
    // minute ago) and a hold in Inventory. The hold is made first: recovery runs every few seconds and, finding
    // the stale row before the hold existed, would cancel a checkout that holds nothing yet.
    await w.inventory.reserve({ checkoutId: id, lines: [{ itemId: item.id, quantity: 2 }] }, w.service);
    // Checked before the row exists: once it does, recovery may return the units at any moment.
    expect(await w.aggregated(item.id)).to.equal(3);
    await w.sql.query(
      `INSERT INTO "order".checkouts (id, user_id, status, lines, currency, total_minor, created_at)
       VALUES ($1, $2, 'RESERVING', $3, 'USD', 1999, now() - interval '2 minutes')`,
      [id, s.id, JSON.stringify([{ itemId: item.id, name: item.name, quantity: 2, unitPriceMinor: "1999" }])],
    );
    await eventually(async () => (await w.aggregated(item.id)) === 5, 10_000, "stock returned by recovery");
    await eventually(async () => {
      const row = (await w.sql.query(`SELECT status, release_pending FROM "order".checkouts WHERE id = $1`, [id])).rows[0];
      return row.status === "CANCELLED" && row.release_pending === false;
    }, 5000, "checkout cancelled");
    await w.expectAuditClean();
  });

  it("answers callers without a customer token Unauthenticated or PermissionDenied", async () => {
    await expectCode(w.order.beginCheckout({}), Code.Unauthenticated);
    await expectCode(w.order.getCheckout({}), Code.Unauthenticated);
    await expectCode(w.order.beginCheckout({}, bearer(await tokenFor("admin"))), Code.PermissionDenied);
    await expectCode(w.order.getMyOrders({}, bearer(await tokenFor("service", "service:x"))), Code.PermissionDenied);
    await expectCode(w.order.getOrder({ orderId: randomUUID() }, { headers: { authorization: "Bearer nonsense" } }), Code.Unauthenticated);
  });

  it("answers malformed checkout ids InvalidArgument and unknown ones NotFound", async () => {
    const s = await w.shopper();
    for (const bad of ["nope", "1234", `${randomUUID()}x`, "'; DROP TABLE x; --"]) {
      await expectCode(w.order.getCheckout({ checkoutId: bad }, s.h), Code.InvalidArgument, "checkout_id");
      await expectCode(w.order.cancelCheckout({ checkoutId: bad }, s.h), Code.InvalidArgument, "checkout_id");
    }
    await expectCode(w.order.getCheckout({ checkoutId: randomUUID() }, s.h), Code.NotFound);
    await expectCode(w.order.cancelCheckout({ checkoutId: randomUUID() }, s.h), Code.NotFound);
    await expectCode(w.order.cancelCheckout({}, s.h), Code.NotFound);
  });
});
