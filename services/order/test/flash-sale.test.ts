// BeginCheckout under a rush, with short checkouts (CHECKOUT_TTL_SECONDS=15: longer than the rush takes, so no
// hold expires mid-rush and frees units for late buyers) and a fast Inventory sweeper: never oversold, never
// deadlocked, and every unit comes back when the checkouts expire or are cancelled.
import { expect } from "chai";
import { CheckoutStatus } from "../../../gen/shop/order/v1/order_pb.js";
import { eventually, suiteFixture } from "../../../test/harness.js";
import { startWorld, type Shopper } from "./fixture.js";

const TTL_S = 15;

describe("order: checkouts in a flash sale", function () {
  this.timeout(90_000);
  const w = suiteFixture(() => startWorld({ CHECKOUT_TTL_SECONDS: String(TTL_S), RESERVATION_SWEEP_INTERVAL_MS: "200" }));

  async function shoppersWith(count: number, ...lines: [string, number][]): Promise<Shopper[]> {
    const shoppers = await Promise.all(Array.from({ length: count }, () => w.shopper()));
    // Carts are filled while stock is still there (Cart refuses out-of-stock items), a few at a time.
    for (let i = 0; i < shoppers.length; i += 100) await Promise.all(shoppers.slice(i, i + 100).map((s) => w.fill(s, ...lines)));
    return shoppers;
  }

  it("gives exactly 50 of 500 concurrent buyers a checkout for the last 50 units, and all 50 come back after expiry", async () => {
    const item = await w.item(50);
    const shoppers = await shoppersWith(500, [item.id, 1]);
    const started = Date.now();
    const results = await Promise.all(shoppers.map((s) => w.order.beginCheckout({}, s.h)));
    const elapsed = Date.now() - started;
    expect(elapsed, "the rush must end before the first holds expire").to.be.below(TTL_S * 1000);
    const won = results.filter((r) => r.checkout);
    const lost = results.filter((r) => !r.checkout);
    expect(won).to.have.length(50);
    expect(lost).to.have.length(450);
    for (const r of won) {
      expect(r.alerts).to.deep.equal([]);
      expect(r.checkout!.status).to.equal(CheckoutStatus.ACTIVE);
      expect(r.checkout!.total!.minorUnits).to.equal(1999n);
    }
    for (const r of lost) {
      expect(r.alerts.map((a) => [a.itemId, a.name, a.requested, a.available])).to.deep.equal([[item.id, item.name, 1, 0]]);
    }
    expect(await w.aggregated(item.id)).to.equal(0);
    const active = await w.sql.query(`SELECT status, count(*)::int AS n FROM "order".checkouts GROUP BY status`);
    expect(active.rows).to.deep.equal([{ status: "ACTIVE", n: 50 }]); // the losers left no row behind
    await w.expectAuditClean();
    console.log(`      500 concurrent BeginCheckout on 50 units: ${elapsed} ms`);

    await eventually(async () => (await w.aggregated(item.id)) === 50, TTL_S * 1000 + 5000, "all 50 units back after expiry");
    const statuses = await w.order.getCheckout({ checkoutId: won[0].checkout!.id }, shoppers[results.indexOf(won[0])].h);
    expect(statuses.checkout!.status).to.equal(CheckoutStatus.EXPIRED);
    await w.expectAuditClean();
  });

  it("never deadlocks nor oversells when buyers hold two items in opposite orders", async () => {
    const a = await w.item(40);
    const b = await w.item(40);
    const ab = await shoppersWith(100, [a.id, 1], [b.id, 1]);
    const ba = await shoppersWith(100, [b.id, 1], [a.id, 1]);
    const all = ab.flatMap((s, i) => [s, ba[i]]);
    const results = await Promise.all(all.map((s) => w.order.beginCheckout({}, s.h)));
    expect(results.filter((r) => r.checkout)).to.have.length(40);
    for (const r of results.filter((x) => !x.checkout)) expect(r.alerts.length).to.be.greaterThan(0);
    expect(await w.aggregated(a.id)).to.equal(0);
    expect(await w.aggregated(b.id)).to.equal(0);
    await w.expectAuditClean();
    // Every winner changes their mind at once: all stock back at once.
    const winners = all.filter((_, i) => results[i].checkout);
    const cancelled = await Promise.all(winners.map((s) => w.order.cancelCheckout({}, s.h)));
    expect(cancelled.every((r) => r.checkout!.status === CheckoutStatus.CANCELLED)).to.equal(true);
    expect(await w.aggregated(a.id)).to.equal(40);
    expect(await w.aggregated(b.id)).to.equal(40);
    await w.expectAuditClean();
  });
});
