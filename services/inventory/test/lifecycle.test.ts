// The whole life of stock: receive -> reserve -> commit -> allocate over two warehouses -> ship, and the two
// cancellations (before and after allocation). Every step is retried to prove idempotency, and the audit
// must stay clean after each. Also: the ledger reproduces the counters, events are published, the audit
// catches a corrupted row.
import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import { LowStockSchema, ReservationStatus, StockChangedSchema } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { EVENTS } from "../../lib/events.js";
import { eventually, testInfra } from "../../../test/harness.js";
import { lines, startInventory, type Fixture } from "./fixture.js";

describe("inventory order lifecycle", function () {
  this.timeout(60_000);
  let f: Fixture;
  before(async () => { f = await startInventory({ RESERVATION_SWEEP_INTERVAL_MS: "3600000" }); });
  after(async () => { await f?.stop(); });

  async function shelf(itemId: string, warehouseId: string) {
    const r = await f.client.getItemStock({ itemId }, f.admin);
    const w = r.warehouses.find((x) => x.warehouseId === warehouseId)!;
    return { physical: w.physical, available: w.available, aggregated: r.availability!.available };
  }

  /** Reserves and commits `quantity` of the item; returns the order id. */
  async function committedOrder(itemId: string, quantity: number): Promise<string> {
    const checkoutId = randomUUID();
    const orderId = randomUUID();
    const r = await f.client.reserve({ checkoutId, lines: lines([itemId, quantity]) }, f.service);
    expect(r.reservation, "reserved").to.not.equal(undefined);
    await f.client.commit({ checkoutId, orderId }, f.service);
    return orderId;
  }

  it("receives, reserves, commits, allocates across two warehouses and ships, idempotently at every step", async () => {
    const w1 = await f.warehouse();
    const w2 = await f.warehouse();
    const item = randomUUID();
    await f.client.receiveStock({ warehouseId: w1.id, itemId: item, quantity: 4, reference: "PO-1" }, f.admin);
    await f.client.receiveStock({ warehouseId: w2.id, itemId: item, quantity: 6, reference: "PO-2" }, f.admin);
    expect(await f.aggregated(item)).to.equal(10);
    await f.expectAuditClean();

    const checkoutId = randomUUID();
    const orderId = randomUUID();
    await f.client.reserve({ checkoutId, lines: lines([item, 7]) }, f.service);
    expect(await f.aggregated(item)).to.equal(3);
    await f.expectAuditClean();

    const c1 = await f.client.commit({ checkoutId, orderId }, f.service);
    const c2 = await f.client.commit({ checkoutId, orderId }, f.service);
    expect(c1.reservation!.status).to.equal(ReservationStatus.COMMITTED);
    expect(c2.reservation).to.deep.equal(c1.reservation);
    const other = await f.client.commit({ checkoutId, orderId: randomUUID() }, f.service).catch((e) => e);
    expect(other.code).to.equal(9);
    expect(await f.aggregated(item)).to.equal(3);
    await f.expectAuditClean();

    const wo1 = randomUUID();
    const wo2 = randomUUID();
    const plan = [
      { warehouseId: w1.id, itemId: item, quantity: 4, warehouseOrderId: wo1 },
      { warehouseId: w2.id, itemId: item, quantity: 3, warehouseOrderId: wo2 },
    ];
    const a1 = await f.client.allocateOrder({ orderId, allocations: plan }, f.service);
    const a2 = await f.client.allocateOrder({ orderId, allocations: [...plan].reverse() }, f.service);
    expect(a1.allocated).to.equal(true);
    expect(a2.allocated).to.equal(true);
    const different = await f.client.allocateOrder({ orderId, allocations: [{ ...plan[0], quantity: 1 }, { ...plan[1], quantity: 6 }] }, f.service).catch((e) => e);
    expect(different.code).to.equal(9);
    expect(await shelf(item, w1.id)).to.deep.equal({ physical: 4, available: 0, aggregated: 3 });
    expect(await shelf(item, w2.id)).to.deep.equal({ physical: 6, available: 3, aggregated: 3 });
    await f.expectAuditClean();

    const s1 = await f.client.recordShipment({ orderId, warehouseOrderId: wo1 }, f.service);
    const s2 = await f.client.recordShipment({ orderId, warehouseOrderId: wo1 }, f.service);
    expect(s1.stock.map((s) => [s.physical, s.available])).to.deep.equal([[0, 0]]);
    expect(s2.stock).to.deep.equal(s1.stock);
    await f.expectAuditClean();

    const refused = await f.client.deallocateOrder({ orderId }, f.service).catch((e) => e);
    expect(refused.code).to.equal(9); // shipped units: no cancellation
    expect(await shelf(item, w2.id)).to.deep.equal({ physical: 6, available: 3, aggregated: 3 });

    await f.client.recordShipment({ orderId, warehouseOrderId: wo2 }, f.service);
    expect(await shelf(item, w2.id)).to.deep.equal({ physical: 3, available: 3, aggregated: 3 });
    await f.expectAuditClean();
  });

  it("returns committed units to aggregated when an order is cancelled before allocation", async () => {
    const w = await f.warehouse();
    const item = await f.stockedItem(w.id, 5);
    const orderId = await committedOrder(item, 2);
    expect(await f.aggregated(item)).to.equal(3);
    expect((await f.client.deallocateOrder({ orderId }, f.service)).returnedUnits).to.equal(2);
    expect((await f.client.deallocateOrder({ orderId }, f.service)).returnedUnits).to.equal(0);
    expect(await shelf(item, w.id)).to.deep.equal({ physical: 5, available: 5, aggregated: 5 });
    const late = await f.client.allocateOrder({ orderId, allocations: [{ warehouseId: w.id, itemId: item, quantity: 2, warehouseOrderId: randomUUID() }] }, f.service).catch((e) => e);
    expect(late.code).to.equal(9);
    await f.expectAuditClean();
  });

  it("returns allocated units to the warehouse and to aggregated when an order is cancelled after allocation", async () => {
    const w1 = await f.warehouse();
    const w2 = await f.warehouse();
    const item = await f.stockedItem(w1.id, 2);
    await f.client.receiveStock({ warehouseId: w2.id, itemId: item, quantity: 2 }, f.admin);
    const orderId = await committedOrder(item, 3);
    await f.client.allocateOrder({ orderId, allocations: [
      { warehouseId: w1.id, itemId: item, quantity: 2, warehouseOrderId: randomUUID() },
      { warehouseId: w2.id, itemId: item, quantity: 1, warehouseOrderId: randomUUID() },
    ] }, f.service);
    expect(await shelf(item, w1.id)).to.deep.equal({ physical: 2, available: 0, aggregated: 1 });
    await f.expectAuditClean();
    expect((await f.client.deallocateOrder({ orderId }, f.service)).returnedUnits).to.equal(3);
    expect((await f.client.deallocateOrder({ orderId }, f.service)).returnedUnits).to.equal(0);
    expect(await shelf(item, w1.id)).to.deep.equal({ physical: 2, available: 2, aggregated: 4 });
    expect(await shelf(item, w2.id)).to.deep.equal({ physical: 2, available: 2, aggregated: 4 });
    await f.expectAuditClean();
  });

  it("reports every short warehouse row with what it holds and allocates nothing", async () => {
    const w1 = await f.warehouse();
    const w2 = await f.warehouse();
    const a = await f.stockedItem(w1.id, 3);
    const b = await f.stockedItem(w2.id, 3);
    const checkoutId = randomUUID();
    const orderId = randomUUID();
    await f.client.reserve({ checkoutId, lines: lines([a, 2], [b, 2]) }, f.service);
    await f.client.commit({ checkoutId, orderId }, f.service);
    const before = await f.snapshot();
    const r = await f.client.allocateOrder({ orderId, allocations: [
      { warehouseId: w1.id, itemId: a, quantity: 2, warehouseOrderId: randomUUID() },
      { warehouseId: w1.id, itemId: b, quantity: 2, warehouseOrderId: randomUUID() },
    ] }, f.service);
    expect(r.allocated).to.equal(false);
    expect(r.shortages.map((s) => [s.itemId, s.warehouseId, s.requested, s.available])).to.deep.equal([[b, w1.id, 2, 0]]);
    expect(await f.snapshot()).to.equal(before);
    const wrongSum = await f.client.allocateOrder({ orderId, allocations: [
      { warehouseId: w1.id, itemId: a, quantity: 1, warehouseOrderId: randomUUID() },
      { warehouseId: w2.id, itemId: b, quantity: 2, warehouseOrderId: randomUUID() },
    ] }, f.service).catch((e) => e);
    expect(wrongSum.code).to.equal(3);
    expect(wrongSum.message).to.contain("allocations");
    const ok = await f.client.allocateOrder({ orderId, allocations: [
      { warehouseId: w1.id, itemId: a, quantity: 2, warehouseOrderId: randomUUID() },
      { warehouseId: w2.id, itemId: b, quantity: 2, warehouseOrderId: randomUUID() },
    ] }, f.service);
    expect(ok.allocated).to.equal(true);
    await f.expectAuditClean();
  });

  it("writes off unassigned units and refuses when reserved units would be touched", async () => {
    const w = await f.warehouse();
    const item = await f.stockedItem(w.id, 5);
    await f.client.reserve({ checkoutId: randomUUID(), lines: lines([item, 4]) }, f.service);
    const r = await f.client.writeOff({ warehouseId: w.id, itemId: item, quantity: 1, reason: "damaged" }, f.admin);
    expect([r.stock!.physical, r.stock!.available, r.availability!.available]).to.deep.equal([4, 4, 0]);
    const before = await f.snapshot();
    const refused = await f.client.writeOff({ warehouseId: w.id, itemId: item, quantity: 1, reason: "lost" }, f.admin).catch((e) => e);
    expect(refused.code).to.equal(9);
    const tooMany = await f.client.writeOff({ warehouseId: w.id, itemId: item, quantity: 9, reason: "lost" }, f.admin).catch((e) => e);
    expect(tooMany.code).to.equal(9);
    expect(await f.snapshot()).to.equal(before);
    await f.expectAuditClean();
  });

  it("keeps ledger sums equal to every counter", async () => {
    const sums = await f.sql.query(
      `WITH l AS (SELECT item_id, warehouse_id, counter, sum(delta)::int AS s FROM inventory.stock_ledger GROUP BY 1, 2, 3)
       SELECT
         (SELECT count(*)::int FROM inventory.warehouse_stock ws WHERE
            physical <> coalesce((SELECT s FROM l WHERE l.item_id = ws.item_id AND l.warehouse_id = ws.warehouse_id AND counter = 'physical'), 0)
         OR available <> coalesce((SELECT s FROM l WHERE l.item_id = ws.item_id AND l.warehouse_id = ws.warehouse_id AND counter = 'available'), 0)) AS bad_shelves,
         (SELECT count(*)::int FROM inventory.item_stock i WHERE
            aggregated <> coalesce((SELECT s FROM l WHERE l.item_id = i.item_id AND l.warehouse_id IS NULL AND counter = 'aggregated'), 0)) AS bad_items,
         (SELECT count(*)::int FROM inventory.stock_ledger) AS rows`);
    expect(sums.rows[0].bad_shelves).to.equal(0);
    expect(sums.rows[0].bad_items).to.equal(0);
    expect(sums.rows[0].rows).to.be.greaterThan(20);
  });

  it("publishes StockChanged with a growing per-item sequence, LowStock when crossing the threshold, and marks an allocation's as leaving the count alone", async () => {
    const nc: NatsConnection = await connect({ servers: testInfra().natsUrl });
    try {
      const w = await f.warehouse();
      const item = randomUUID();
      const changed: { available: number; sequence: bigint; lowStock: boolean; onlyWarehousesChanged: boolean }[] = [];
      const low: number[] = [];
      const sub1 = nc.subscribe(EVENTS.inventoryStockChanged.subject);
      const sub2 = nc.subscribe(EVENTS.inventoryStockLow.subject);
      void (async () => { for await (const m of sub1) { const e = fromBinary(StockChangedSchema, m.data); if (e.itemId === item) changed.push(e); } })();
      void (async () => { for await (const m of sub2) { const e = fromBinary(LowStockSchema, m.data); if (e.itemId === item) low.push(e.available); } })();
      await nc.flush();

      await f.client.receiveStock({ warehouseId: w.id, itemId: item, quantity: 6, reference: "PO-9" }, f.admin);
      await eventually(async () => changed.length === 1, 10_000, "StockChanged after ReceiveStock");
      expect(changed[0]).to.include({ available: 6, sequence: 1n, lowStock: false, onlyWarehousesChanged: false });

      const checkoutId = randomUUID();
      const orderId = randomUUID();
      await f.client.reserve({ checkoutId, lines: lines([item, 3]) }, f.service);
      await eventually(async () => changed.length === 2 && low.length === 1, 10_000, "StockChanged and LowStock after Reserve");
      expect(changed[1]).to.include({ available: 3, sequence: 2n, lowStock: true, onlyWarehousesChanged: false });
      expect(low).to.deep.equal([3]);

      await f.client.commit({ checkoutId, orderId }, f.service);
      await f.client.allocateOrder({ orderId, allocations: [{ warehouseId: w.id, itemId: item, quantity: 3, warehouseOrderId: randomUUID() }] }, f.service);
      await eventually(async () => changed.length === 3, 10_000, "StockChanged after AllocateOrder");
      expect(changed[2]).to.include({ available: 3, sequence: 3n, onlyWarehousesChanged: true });
      sub1.unsubscribe();
      sub2.unsubscribe();
    } finally {
      await nc.close();
    }
  });

  it("detects a corrupted counter", async () => {
    const w = await f.warehouse();
    const item = await f.stockedItem(w.id, 5);
    await f.expectAuditClean();
    await f.sql.query(`UPDATE inventory.item_stock SET aggregated = aggregated + 1 WHERE item_id = $1`, [item]);
    await f.sql.query(`UPDATE inventory.warehouse_stock SET physical = physical + 2 WHERE item_id = $1`, [item]);
    const r = await f.client.auditStock({}, f.admin);
    const found = r.violations.filter((v) => v.itemId === item).map((v) => v.invariant).sort();
    expect(found).to.deep.equal([
      "aggregated + reserved + committed-unassigned == sum(available)",
      "physical - available == allocated-unshipped",
      "sum(ledger deltas) == counter",
      "sum(ledger deltas) == counter",
    ]);
    expect(r.itemsChecked).to.be.greaterThan(1);
    // Scoped to items: the corrupted one alone is found and counted; a clean one next to it shows nothing.
    const clean = await f.stockedItem(w.id, 3);
    const scoped = await f.client.auditStock({ itemIds: [item, clean] }, f.admin);
    expect(scoped.itemsChecked).to.equal(2);
    expect(scoped.violations.map((v) => v.invariant).sort()).to.deep.equal(found);
    expect((await f.client.auditStock({ itemIds: [clean] }, f.admin)).violations).to.deep.equal([]);
    const bad = await f.client.auditStock({ itemIds: ["nope"] }, f.admin).catch((e) => e);
    expect(bad.code).to.equal(3);
    expect(bad.rawMessage).to.contain("item_ids[0]");
    // Put it back so the other tests' audits stay meaningful.
    await f.sql.query(`UPDATE inventory.item_stock SET aggregated = aggregated - 1 WHERE item_id = $1`, [item]);
    await f.sql.query(`UPDATE inventory.warehouse_stock SET physical = physical - 2 WHERE item_id = $1`, [item]);
    await f.expectAuditClean();
  });
});
