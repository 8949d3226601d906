// The order service dying between the charge and everything after it (ORDER_FAULT_CRASH_AFTER_PAYMENT=1, a
// test-only hook) loses no order and charges no one twice: a restarted process finishes the order from the
// provider's record, or voids the charge when the stock is gone.
import { Code } from "@connectrpc/connect";
import { expect } from "chai";
import { CheckoutStatus, OrderStatus } from "../../../gen/shop/order/v1/order_pb.js";
import { eventually, spawnedForSuite, spawnService, suiteFixture, type ServiceProcess } from "../../../test/harness.js";
import { address, card, codeOf, expectCode, key, orderClient, startWorld } from "./fixture.js";

describe("order: crash right after payment", function () {
  this.timeout(90_000);
  const children = spawnedForSuite();
  const w = suiteFixture(() => startWorld({}, false));

  /** The order service as its own process (node --import tsx services/order/src/main.ts), wired to the in-process services. */
  async function startOrderProcess(env: Record<string, string>): Promise<ServiceProcess> {
    const child = await spawnService("order", {
      DATABASE_URL: w.databaseUrl,
      CATALOG_ADDR: w.services.catalog.url,
      INVENTORY_ADDR: w.services.inventory.url,
      CART_ADDR: w.services.cart.url,
      // Durable consumers of this world's own, like the in-process services' (see isolatedConsumers).
      EVENT_CONSUMER_SUFFIX: w.env.EVENT_CONSUMER_SUFFIX,
      EVENT_CONSUMER_START: w.env.EVENT_CONSUMER_START,
      SUBMISSION_LEASE_MS: "1500",
      SUBMISSION_RECOVERY_INTERVAL_MS: "250",
      ...env,
    });
    children.push(child);
    const client = orderClient(child.url);
    const s = await w.shopper();
    // Up once it answers (NotFound: no checkout yet); a fresh tsx process takes a few seconds.
    await eventually(async () => (await codeOf(client.getCheckout({}, s.h))) !== Code.Unavailable, 30_000, "order process up");
    return child;
  }

  const submissionState = async (userId: string) =>
    (await w.sql.query(`SELECT state, order_id, charge_id FROM "order".submissions WHERE user_id = $1`, [userId])).rows[0];
  const charges = async () => (await w.sql.query(`SELECT status FROM "order".payment_charges`)).rows.map((r) => r.status as string);

  it("finishes the order after a restart: one charge, one order, the reservation committed, the same order on retry", async () => {
    const item = await w.item(5, 4200n);
    const s = await w.shopper();
    await w.fill(s, [item.id, 2]);

    const crashing = await startOrderProcess({ ORDER_FAULT_CRASH_AFTER_PAYMENT: "1" });
    const order1 = orderClient(crashing.url);
    const c = (await order1.beginCheckout({}, s.h)).checkout!;
    const k = key();
    const code = await codeOf(order1.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h));
    expect(code).to.not.equal("OK");
    expect(await crashing.exited).to.equal(137);
    expect(await charges()).to.deep.equal(["CAPTURED"]);
    expect((await submissionState(s.id)).state).to.equal("PENDING");
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".orders`)).rows[0].n).to.equal(0);

    const restarted = await startOrderProcess({});
    const order2 = orderClient(restarted.url);
    const sub = await eventually(async () => {
      const row = await submissionState(s.id);
      return row.state === "PLACED" || row.state === "FAILED" ? row : undefined;
    }, 15_000, "submission recovered");
    expect(sub.state).to.equal("PLACED"); // the reservation had minutes left: recovery must complete, not void
    expect(await charges()).to.deep.equal(["CAPTURED"]);
    const reservation = (await w.sql.query(`SELECT status, order_id FROM inventory.reservations WHERE checkout_id = $1`, [c.id])).rows[0];
    expect(reservation).to.deep.equal({ status: "COMMITTED", order_id: sub.order_id });
    const orders = (await w.sql.query(`SELECT id, total_minor::text AS total, charge_id FROM "order".orders`)).rows;
    expect(orders).to.deep.equal([{ id: sub.order_id, total: "8400", charge_id: sub.charge_id }]);

    const again = (await order2.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h)).order!;
    expect(again.id).to.equal(sub.order_id);
    expect(again.status).to.equal(OrderStatus.PLACED);
    expect(await charges()).to.deep.equal(["CAPTURED"]);
    // The order recovery placed is announced; Cart empties the bought lines when it consumes orders.placed.
    await eventually(async () => (await w.cart.getCart({}, s.h)).cart!.lines.length === 0, 10_000, "cart emptied");
    await w.expectAuditClean();
    await restarted.stop();
  });

  it("voids the charge when the checkout expired while the service was down: no order, stock back, checkout EXPIRED", async () => {
    const item = await w.item(4, 1000n);
    const s = await w.shopper();
    await w.fill(s, [item.id, 1]);
    // A 4 s checkout (submit margin 2 s) so it can run out while the service is down.
    const crashing = await startOrderProcess({ ORDER_FAULT_CRASH_AFTER_PAYMENT: "1", CHECKOUT_TTL_SECONDS: "4" });
    const order1 = orderClient(crashing.url);
    const c = (await order1.beginCheckout({}, s.h)).checkout!;
    const k = key();
    expect(await codeOf(order1.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h))).to.not.equal("OK");
    expect(await crashing.exited).to.equal(137);
    await eventually(async () => (await w.aggregated(item.id)) === 4, 15_000, "reservation expired and swept");

    const restarted = await startOrderProcess({ CHECKOUT_TTL_SECONDS: "4" });
    const sub = await eventually(async () => {
      const row = await submissionState(s.id);
      return row.state === "PLACED" || row.state === "FAILED" ? row : undefined;
    }, 15_000, "submission recovered");
    expect(sub.state).to.equal("FAILED");
    const rows = (await w.sql.query(`SELECT p.status FROM "order".payment_charges p JOIN "order".submissions s ON s.id::text = p.idempotency_key WHERE s.user_id = $1`, [s.id])).rows;
    expect(rows).to.deep.equal([{ status: "VOIDED" }]);
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".orders WHERE user_id = $1`, [s.id])).rows[0].n).to.equal(0);
    const order2 = orderClient(restarted.url);
    // The same key replays the failure; the checkout shows EXPIRED and a new key is refused without a charge.
    expect(await codeOf(order2.submitOrder({ checkoutId: c.id, idempotencyKey: k, card: card(), shippingAddress: address() }, s.h)))
      .to.equal(Code.FailedPrecondition);
    expect((await order2.getCheckout({ checkoutId: c.id }, s.h)).checkout!.status).to.equal(CheckoutStatus.EXPIRED);
    await expectCode(order2.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h),
      Code.FailedPrecondition, "expired");
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".payment_charges p JOIN "order".submissions s ON s.id::text = p.idempotency_key WHERE s.user_id = $1`, [s.id])).rows[0].n)
      .to.equal(1);
    expect(await w.aggregated(item.id)).to.equal(4);
    await w.expectAuditClean();
  });
});
