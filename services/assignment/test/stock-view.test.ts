// The stock view: with the view and the warehouse list warm, an order costs one Inventory call (AllocateOrder);
// a view that missed a change is corrected by AllocateOrder's refusal and the re-plan still assigns right; an
// item the view never heard of is read once and kept.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { rpcClientDuration } from "../../lib/metrics.js";
import { eventually, suiteFixture } from "../../../test/harness.js";
import { PLACES, startWorld } from "./fixture.js";

/** Inventory calls this process made so far, per method (the services run in-process; the test's clients are not counted). */
async function inventoryCalls(): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const v of (await rpcClientDuration.get()).values) {
    if (v.metricName !== "rpc_client_duration_milliseconds_count" || !String(v.labels.rpc_service).endsWith("InventoryService")) continue;
    const method = String(v.labels.rpc_method);
    calls.set(method, (calls.get(method) ?? 0) + v.value);
  }
  return calls;
}

/** Calls made while `work` ran, per method (methods not called are left out). */
async function callsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await inventoryCalls();
  await work();
  const after = await inventoryCalls();
  return Object.fromEntries([...after].map(([m, n]) => [m, n - (before.get(m) ?? 0)]).filter(([, n]) => (n as number) > 0));
}

describe("assignment: the stock view", function () {
  this.timeout(60_000);
  const w = suiteFixture(() => startWorld());

  const viewOf = async (itemId: string) =>
    (await w.sql.query(`SELECT sequence, warehouses FROM assignment.stock_view WHERE item_id = $1`, [itemId])).rows[0] as
      { sequence: string; warehouses: Record<string, number> } | undefined;
  const viewAt = (itemId: string, sequence: number) =>
    eventually(async () => { const v = await viewOf(itemId); return v && Number(v.sequence) >= sequence ? v : undefined; }, 10_000, `view of ${itemId} at ${sequence}`);
  const place = async (lines: [string, number][]) => {
    const orderId = await w.committedOrder(lines);
    await w.publish(w.placed(orderId, lines, { location: PLACES.minneapolis }));
    return w.assigned(orderId);
  };

  it("assigns an order with exactly one Inventory call when the view knows its items", async () => {
    const msp = await w.warehouse(PLACES.minneapolis);
    const chi = await w.warehouse(PLACES.chicago);
    const first = randomUUID();
    const tv = randomUUID();
    await w.receive(msp.id, first, 5);
    await w.receive(msp.id, tv, 1);
    await w.receive(chi.id, tv, 4);
    await place([[first, 1]]); // loads the warehouse list
    expect((await viewAt(tv, 2)).warehouses).to.deep.equal({ [msp.id]: 1, [chi.id]: 4 });

    let orders: Awaited<ReturnType<typeof place>> = [];
    const calls = await callsDuring(async () => { orders = await place([[tv, 3]]); });
    expect(calls).to.deep.equal({ AllocateOrder: 1 });
    expect(orders.map((o) => [o.warehouseCode, o.lines.map((l) => l.quantity)])).to.deep.equal([[chi.code, [3]]]);
    // The allocation's StockChanged reaches the view.
    expect((await viewAt(tv, 3)).warehouses).to.deep.equal({ [msp.id]: 1, [chi.id]: 1 });
    await w.expectAuditClean();
  });

  it("re-plans from AllocateOrder's refusal when a warehouse was emptied without the view knowing", async () => {
    const msp = await w.warehouse(PLACES.minneapolis);
    const chi = await w.warehouse(PLACES.chicago);
    const warm = randomUUID();
    const item = randomUUID();
    await w.receive(msp.id, warm, 1);
    await w.receive(msp.id, item, 2);
    await w.receive(chi.id, item, 5);
    await place([[warm, 1]]);
    const before = await viewAt(item, 2);
    await w.inventory.writeOff({ warehouseId: msp.id, itemId: item, quantity: 2, reason: "damaged" }, w.admin);
    await viewAt(item, 3);
    // The view as it was before the write-off: Minneapolis, the nearest, seems to hold both units.
    await w.sql.query(`UPDATE assignment.stock_view SET sequence = $2, warehouses = $3 WHERE item_id = $1`, [item, before.sequence, before.warehouses]);

    let orders: Awaited<ReturnType<typeof place>> = [];
    const calls = await callsDuring(async () => { orders = await place([[item, 2]]); });
    expect(calls).to.deep.equal({ AllocateOrder: 2 });
    expect(orders.map((o) => [o.warehouseCode, o.lines.map((l) => l.quantity)])).to.deep.equal([[chi.code, [2]]]);
    expect(await w.shelf(item, msp.id)).to.deep.equal({ physical: 0, available: 0 });
    expect(await w.shelf(item, chi.id)).to.deep.equal({ physical: 5, available: 3 });
    expect((await viewAt(item, 3)).warehouses[msp.id]).to.equal(0);
    await w.expectAuditClean();
  });

  it("reads an item the view never heard of once with GetItemStock, and keeps it", async () => {
    const msp = await w.warehouse(PLACES.minneapolis);
    const item = randomUUID();
    await w.receive(msp.id, item, 3);
    await place([[item, 1]]); // the warehouse list now holds msp
    await viewAt(item, 1);
    await w.sql.query(`DELETE FROM assignment.stock_view WHERE item_id = $1`, [item]);

    const calls = await callsDuring(() => place([[item, 1]]));
    expect(calls).to.deep.equal({ GetItemStock: 1, AllocateOrder: 1 });
    expect(await viewOf(item), "kept").to.not.equal(undefined);
    expect(await w.shelf(item, msp.id)).to.deep.equal({ physical: 3, available: 1 });
  });
});
