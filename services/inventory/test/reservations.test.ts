// Reservations under concurrency: never oversold, all-or-nothing, no deadlock surfaces, expired holds never
// block stock, and the sweeper brings every expired unit back.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { InventoryService, ReservationStatus } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { eventually, startServices } from "../../../test/harness.js";
import { inventory } from "../src/main.js";
import { lines, startInventory, ttl, type Fixture, type Inventory } from "./fixture.js";

describe("inventory reservations", function () {
  this.timeout(60_000);

  const modes: { name: string; env: Record<string, string> }[] = [
    { name: "batched (default)", env: {} },
    { name: "one reservation per transaction", env: { RESERVE_BATCH_MAX: "1", RESERVE_BATCH_CONCURRENCY: "16" } },
  ];
  for (const mode of modes) {
    describe(`under contention, ${mode.name}`, () => {
      let f: Fixture;
      before(async () => { f = await startInventory({ RESERVATION_SWEEP_INTERVAL_MS: "200", ...mode.env }); });
      after(async () => { await f?.stop(); });

      it("lets exactly 50 of 500 concurrent buyers reserve the last 50 units, and gets all 50 back after expiry", async () => {
        const wh = await f.warehouse();
        const item = await f.stockedItem(wh.id, 50);
        // The holds must outlive the burst (however loaded the machine), or expired units would rightly be sold
        // again: a long TTL, then the clock is moved past it below.
        const results = await Promise.all(Array.from({ length: 500 }, () =>
          f.client.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]), ttl: ttl(600) }, f.service)));
        const held = results.filter((r) => r.reservation);
        const refused = results.filter((r) => r.shortages.length > 0);
        expect(held).to.have.length(50);
        expect(refused).to.have.length(450);
        for (const r of held) expect(r.reservation!.status).to.equal(ReservationStatus.ACTIVE);
        for (const r of refused) expect(r.shortages.map((s) => [s.itemId, s.requested, s.available])).to.deep.equal([[item, 1, 0]]);
        expect(await f.aggregated(item)).to.equal(0);
        await f.expectAuditClean();

        // Time passes: every hold reaches its expiry, and the sweeper gives the units back.
        await f.sql.query(
          `UPDATE inventory.reservations SET expires_at = now() - interval '1 second'
           WHERE checkout_id IN (SELECT checkout_id FROM inventory.reservation_lines WHERE item_id = $1)`, [item]);
        await eventually(async () => (await f.aggregated(item)) === 50, 10_000, "all 50 units back after expiry");
        const statuses = await f.sql.query(
          `SELECT r.status, count(*)::int AS n FROM inventory.reservations r JOIN inventory.reservation_lines l USING (checkout_id)
           WHERE l.item_id = $1 GROUP BY r.status`, [item]);
        expect(statuses.rows).to.deep.equal([{ status: "EXPIRED", n: 50 }]);
        await f.expectAuditClean();
      });

      it("never deadlocks nor oversells when buyers take two items in opposite orders", async () => {
        const wh = await f.warehouse();
        const a = await f.stockedItem(wh.id, 60);
        const b = await f.stockedItem(wh.id, 60);
        const results = await Promise.all(Array.from({ length: 300 }, (_, i) =>
          f.client.reserve({ checkoutId: randomUUID(), lines: i % 2 ? lines([a, 1], [b, 1]) : lines([b, 1], [a, 1]) }, f.service)));
        const held = results.filter((r) => r.reservation).length;
        expect(held).to.equal(60);
        expect(await f.aggregated(a)).to.equal(0);
        expect(await f.aggregated(b)).to.equal(0);
        await f.expectAuditClean();
      });
    });
  }

  describe("under a mix of every stock operation", () => {
    let f: Fixture;
    before(async () => { f = await startInventory({ RESERVATION_SWEEP_INTERVAL_MS: "100" }); });
    after(async () => { await f?.stop(); });

    it("keeps every invariant and surfaces no deadlock or internal error", async () => {
      const w1 = await f.warehouse();
      const w2 = await f.warehouse();
      // Enough for most buyers (so orders go all the way), not for all (so shortages happen too).
      const items = [await f.stockedItem(w1.id, 150), await f.stockedItem(w2.id, 150), await f.stockedItem(w1.id, 80)];
      await f.client.receiveStock({ warehouseId: w2.id, itemId: items[2], quantity: 80 }, f.admin);
      const homeOf = (itemId: string) => (itemId === items[0] ? w1.id : itemId === items[1] ? w2.id : rand(2) ? w1.id : w2.id);
      let seed = 7;
      // LCG; the high bits, since its low bits cycle with a short period.
      const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor(seed / 65536) % n; };
      const unexpected: string[] = [];
      const expectOnly = async (what: string, p: Promise<unknown>, allowed: number[] = []) => {
        try {
          return await p;
        } catch (err) {
          const code = (err as { code?: number }).code ?? -1;
          if (!allowed.includes(code)) unexpected.push(`${what}: ${(err as Error).message}`);
          return undefined;
        }
      };
      const buyer = async (i: number) => {
        const picks = items.filter(() => rand(2) === 0);
        if (picks.length === 0) picks.push(items[i % 3]);
        if (rand(2)) picks.reverse();
        const checkoutId = randomUUID();
        const r = await expectOnly("reserve", f.client.reserve(
          { checkoutId, lines: lines(...picks.map((id) => [id, 1 + rand(2)] as [string, number])), ttl: ttl(2) }, f.service));
        if (!r || !(r as { reservation?: unknown }).reservation) return;
        const action = rand(10);
        if (action < 3) {
          await expectOnly("release", f.client.release({ checkoutId }, f.service));
          return;
        }
        if (action < 5) return; // left to expire
        const orderId = randomUUID();
        // FailedPrecondition: the 2 s hold may expire before the commit under load.
        if (!(await expectOnly("commit", f.client.commit({ checkoutId, orderId }, f.service), [9]))) return;
        const reserved = (r as { reservation: { lines: { itemId: string; quantity: number }[] } }).reservation.lines;
        if (rand(3) === 0) {
          await expectOnly("deallocate unassigned", f.client.deallocateOrder({ orderId }, f.service));
          return;
        }
        const wo = [randomUUID(), randomUUID()];
        const plan = reserved.map((l) => ({ itemId: l.itemId, quantity: l.quantity, warehouseId: rand(5) ? homeOf(l.itemId) : w1.id }))
          .map((a) => ({ ...a, warehouseOrderId: a.warehouseId === w1.id ? wo[0] : wo[1] }));
        const alloc = await expectOnly("allocate", f.client.allocateOrder({ orderId, allocations: plan }, f.service)) as { allocated: boolean } | undefined;
        if (!alloc?.allocated) {
          await expectOnly("deallocate short", f.client.deallocateOrder({ orderId }, f.service));
          return;
        }
        if (rand(2)) await expectOnly("deallocate allocated", f.client.deallocateOrder({ orderId }, f.service));
        else for (const id of new Set(plan.map((a) => a.warehouseOrderId))) await expectOnly("ship", f.client.recordShipment({ orderId, warehouseOrderId: id }, f.service));
      };
      const clerk = async () => {
        for (let k = 0; k < 20; k++) {
          const itemId = items[rand(3)];
          const warehouseId = rand(2) ? w1.id : w2.id;
          if (rand(2)) await expectOnly("receive", f.client.receiveStock({ warehouseId, itemId, quantity: 1 + rand(3) }, f.admin));
          else await expectOnly("write-off", f.client.writeOff({ warehouseId, itemId, quantity: 1, reason: "damaged" }, f.admin), [9]);
        }
      };
      await Promise.all([...Array.from({ length: 300 }, (_, i) => buyer(i)), clerk(), clerk()]);
      expect(unexpected).to.deep.equal([]);
      await f.expectAuditClean();
      await eventually(async () => (await f.sql.query(`SELECT 1 FROM inventory.reservations WHERE status = 'ACTIVE'`)).rowCount === 0, 10_000, "all holds expired");
      await f.expectAuditClean();
    });
  });

  describe("across two replicas on one database", () => {
    let f: Fixture;
    let second: Awaited<ReturnType<typeof startServices>>;
    let other: Inventory;
    before(async () => {
      f = await startInventory();
      second = await startServices([inventory], { databaseUrl: f.databaseUrl });
      other = createClient(InventoryService, createGrpcTransport({ baseUrl: second.services.inventory.url }));
    });
    after(async () => {
      await second?.stop();
      await f?.stop();
    });

    it("never oversells when buyers reach both replicas", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 40);
      const results = await Promise.all(Array.from({ length: 400 }, (_, i) =>
        (i % 2 ? other : f.client).reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, f.service)));
      expect(results.filter((r) => r.reservation)).to.have.length(40);
      expect(await f.aggregated(item)).to.equal(0);
      await f.expectAuditClean();
    });

    it("holds once for one checkout retried on both replicas at once", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 100);
      for (let round = 0; round < 10; round++) {
        const checkoutId = randomUUID();
        const all = await Promise.all(Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : f.client).reserve({ checkoutId, lines: lines([item, 2]) }, f.service)));
        for (const r of all) expect(r.reservation?.checkoutId).to.equal(checkoutId);
      }
      expect(await f.aggregated(item)).to.equal(80);
      await f.expectAuditClean();
    });
  });

  describe("with a fast sweeper", () => {
    let f: Fixture;
    before(async () => { f = await startInventory({ RESERVATION_SWEEP_INTERVAL_MS: "200" }); });
    after(async () => { await f?.stop(); });

    it("holds all lines or none: a short line leaves the other lines untouched and reports every short line", async () => {
      const wh = await f.warehouse();
      const a = await f.stockedItem(wh.id, 5);
      const b = await f.stockedItem(wh.id, 2);
      const c = await f.stockedItem(wh.id, 1);
      const r = await f.client.reserve({ checkoutId: randomUUID(), lines: lines([a, 3], [b, 3], [c, 2]) }, f.service);
      expect(r.reservation).to.equal(undefined);
      expect(r.shortages.map((s) => [s.itemId, s.requested, s.available]))
        .to.have.deep.members([[b, 3, 2], [c, 2, 1]]);
      expect(await f.aggregated(a)).to.equal(5);
      expect(await f.aggregated(b)).to.equal(2);
    });

    it("answers a retry with the same reservation and refuses different lines for the same checkout", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 10);
      const checkoutId = randomUUID();
      const first = await f.client.reserve({ checkoutId, lines: lines([item, 2]) }, f.service);
      const again = await Promise.all([1, 2, 3].map(() => f.client.reserve({ checkoutId, lines: lines([item, 2]) }, f.service)));
      for (const r of again) expect(r.reservation).to.deep.equal(first.reservation);
      expect(await f.aggregated(item)).to.equal(8);
      const err = await f.client.reserve({ checkoutId, lines: lines([item, 3]) }, f.service).catch((e) => e);
      expect(err.code).to.equal(6); // AlreadyExists
      expect(await f.aggregated(item)).to.equal(8);
    });

    it("answers concurrent duplicates of one checkout with one hold", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 10);
      const checkoutId = randomUUID();
      const all = await Promise.all(Array.from({ length: 20 }, () => f.client.reserve({ checkoutId, lines: lines([item, 3]) }, f.service)));
      for (const r of all) expect(r.reservation?.checkoutId).to.equal(checkoutId);
      expect(await f.aggregated(item)).to.equal(7);
      await f.expectAuditClean();
    });

    it("releases idempotently and refuses to release a committed reservation", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 4);
      const checkoutId = randomUUID();
      await f.client.reserve({ checkoutId, lines: lines([item, 4]) }, f.service);
      const r1 = await f.client.release({ checkoutId }, f.service);
      const r2 = await f.client.release({ checkoutId }, f.service);
      expect(r1.reservation!.status).to.equal(ReservationStatus.RELEASED);
      expect(r2.reservation).to.deep.equal(r1.reservation);
      expect(await f.aggregated(item)).to.equal(4);

      const committed = randomUUID();
      await f.client.reserve({ checkoutId: committed, lines: lines([item, 1]) }, f.service);
      await f.client.commit({ checkoutId: committed, orderId: randomUUID() }, f.service);
      const err = await f.client.release({ checkoutId: committed }, f.service).catch((e) => e);
      expect(err.code).to.equal(9); // FailedPrecondition
      expect(await f.aggregated(item)).to.equal(3);
      await f.expectAuditClean();
    });
  });

  describe("with the sweeper effectively stopped", () => {
    let f: Fixture;
    before(async () => { f = await startInventory({ RESERVATION_SWEEP_INTERVAL_MS: "3600000" }); });
    after(async () => { await f?.stop(); });

    it("never lets an expired reservation block stock, even before the sweeper runs", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 1);
      const first = randomUUID();
      const held = await f.client.reserve({ checkoutId: first, lines: lines([item, 1]), ttl: ttl(1) }, f.service);
      expect(held.reservation!.status).to.equal(ReservationStatus.ACTIVE);
      expect((await f.client.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, f.service)).shortages).to.have.length(1);

      await eventually(async () => (await f.sql.query(`SELECT 1 FROM inventory.reservations WHERE checkout_id = $1 AND expires_at < now() - interval '200 milliseconds'`, [first])).rowCount === 1, 5000);
      const second = await f.client.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, f.service);
      expect(second.reservation?.status).to.equal(ReservationStatus.ACTIVE);
      const old = await f.sql.query(`SELECT status FROM inventory.reservations WHERE checkout_id = $1`, [first]);
      expect(old.rows[0].status).to.equal("EXPIRED");
      await f.expectAuditClean();
    });

    it("refuses to commit an expired reservation even before the sweeper runs, and returns its stock", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 3);
      const checkoutId = randomUUID();
      await f.client.reserve({ checkoutId, lines: lines([item, 2]), ttl: ttl(1) }, f.service);
      expect(await f.aggregated(item)).to.equal(1);
      await eventually(async () => (await f.sql.query(`SELECT 1 FROM inventory.reservations WHERE checkout_id = $1 AND expires_at < now()`, [checkoutId])).rowCount === 1, 5000);
      const err = await f.client.commit({ checkoutId, orderId: randomUUID() }, f.service).catch((e) => e);
      expect(err.code).to.equal(9); // FailedPrecondition
      expect(await f.aggregated(item)).to.equal(3);
      const again = await f.client.commit({ checkoutId, orderId: randomUUID() }, f.service).catch((e) => e);
      expect(again.code).to.equal(9);
      await f.expectAuditClean();
    });

    it("reports an unswept expired reservation as EXPIRED on a retry", async () => {
      const wh = await f.warehouse();
      const item = await f.stockedItem(wh.id, 3);
      const checkoutId = randomUUID();
      await f.client.reserve({ checkoutId, lines: lines([item, 1]), ttl: ttl(1) }, f.service);
      await eventually(async () => (await f.sql.query(`SELECT 1 FROM inventory.reservations WHERE checkout_id = $1 AND expires_at < now()`, [checkoutId])).rowCount === 1, 5000);
      const retry = await f.client.reserve({ checkoutId, lines: lines([item, 1]) }, f.service);
      expect(retry.reservation!.status).to.equal(ReservationStatus.EXPIRED);
      const released = await f.client.release({ checkoutId }, f.service);
      expect(released.reservation!.status).to.equal(ReservationStatus.EXPIRED);
      expect(await f.aggregated(item)).to.equal(3);
    });
  });
});
