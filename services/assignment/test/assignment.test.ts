// Flow 5 with real Inventory and Assignment: an OrderPlaced event on JetStream becomes warehouse orders, each
// announced on its warehouse's subject; redeliveries change nothing; stock that moved between plan and
// allocation means a re-plan, never an oversell; orders Inventory does not know yet are retried; cancelled
// orders are left alone; unusable events are kept.
import { randomUUID } from "node:crypto";
import { toBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import { OrderAssignedSchema, WarehouseOrderAssignedSchema, WarehouseOrderStatus } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { OrderPlacedSchema } from "../../../gen/shop/order/v1/order_pb.js";
import { EVENTS } from "../../lib/events.js";
import { eventually } from "../../../test/harness.js";
import type { AssignmentHooks } from "../src/assigner.js";
import { warehouseOrderId } from "../src/domain/ids.js";
import { PLACES, startWorld, type World } from "./fixture.js";

describe("assignment: orders.placed becomes warehouse orders", function () {
  this.timeout(60_000);
  let w: World;
  let beforeAllocate: AssignmentHooks["beforeAllocate"];
  const hooks: AssignmentHooks = { beforeAllocate: (e) => beforeAllocate?.(e) ?? Promise.resolve() };

  before(async () => { w = await startWorld({ hooks }); });
  after(async () => { await w?.stop(); });
  afterEach(() => { beforeAllocate = undefined; });

  const count = async (sql: string, params: unknown[] = []) => Number((await w.sql.query(sql, params)).rows[0].n);

  it("splits an order whose items sit in different warehouses into one warehouse order per warehouse, announced on each warehouse's subject", async () => {
    const msp = await w.warehouse(PLACES.minneapolis);
    const chi = await w.warehouse(PLACES.chicago);
    const tv = randomUUID();
    const cable = randomUUID();
    await w.receive(msp.id, tv, 3);
    await w.receive(chi.id, cable, 5);
    const toMsp = await w.listen(EVENTS.warehouseOrderAssigned.at(msp.code).subject, WarehouseOrderAssignedSchema);
    const toChi = await w.listen(EVENTS.warehouseOrderAssigned.at(chi.code).subject, WarehouseOrderAssignedSchema);
    const assigned = await w.listen(EVENTS.ordersAssigned.subject, OrderAssignedSchema);

    const orderId = await w.committedOrder([[tv, 2], [cable, 1]]);
    await w.publish(w.placed(orderId, [[tv, 2], [cable, 1]], { location: PLACES.minneapolis }));

    const orders = await w.assigned(orderId);
    expect(orders.map((o) => [o.warehouseCode, o.lines.map((l) => [l.itemId, l.quantity])])).to.deep.equal([
      [msp.code, [[tv, 2]]],
      [chi.code, [[cable, 1]]],
    ]);
    for (const o of orders) {
      expect(o.id).to.equal(warehouseOrderId(orderId, o.warehouseId));
      expect(o.status).to.equal(WarehouseOrderStatus.ASSIGNED);
      expect(o.shippingAddress!.recipient).to.equal("Ada Lovelace");
    }

    const mspEvent = await eventually(async () => toMsp.messages.find((m) => m.warehouseOrder?.orderId === orderId), 10_000, "msp event");
    const chiEvent = await eventually(async () => toChi.messages.find((m) => m.warehouseOrder?.orderId === orderId), 10_000, "chi event");
    expect(mspEvent.warehouseOrder!.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[tv, 2]]);
    expect(chiEvent.warehouseOrder!.id).to.equal(orders[1].id);
    const all = await eventually(async () => assigned.messages.find((m) => m.orderId === orderId), 10_000, "orders.assigned");
    expect(all.warehouseOrders.map((o) => o.id)).to.deep.equal(orders.map((o) => o.id));

    expect(await w.shelf(tv, msp.id)).to.deep.equal({ physical: 3, available: 1 });
    expect(await w.shelf(cable, chi.id)).to.deep.equal({ physical: 5, available: 4 });
    await w.expectAuditClean();
  });

  it("ships from the single nearest warehouse that holds every line, using the address's coordinates or its ZIP code", async () => {
    const msp = await w.warehouse(PLACES.minneapolis);
    const chi = await w.warehouse(PLACES.chicago);
    const den = await w.warehouse(PLACES.denver);
    const item = randomUUID();
    for (const x of [msp, chi, den]) await w.receive(x.id, item, 5);

    const byLocation = await w.committedOrder([[item, 1]]);
    await w.publish(w.placed(byLocation, [[item, 1]], { location: { lat: 41.9, lon: -87.7 } }));
    expect((await w.assigned(byLocation)).map((o) => o.warehouseCode)).to.deep.equal([chi.code]);

    // No coordinates: a Denver ZIP code is enough to find the Denver warehouse.
    const byZip = await w.committedOrder([[item, 1]]);
    await w.publish(w.placed(byZip, [[item, 1]], { city: "Denver", region: "CO", postalCode: "80202", location: undefined }));
    expect((await w.assigned(byZip)).map((o) => o.warehouseCode)).to.deep.equal([den.code]);
    await w.expectAuditClean();
  });

  it("changes nothing when the order's event comes again, whether as the same message or a new event id", async () => {
    const wh = await w.warehouse(PLACES.minneapolis);
    const item = randomUUID();
    await w.receive(wh.id, item, 4);
    const orderId = await w.committedOrder([[item, 2]]);
    const event = w.placed(orderId, [[item, 2]], { location: PLACES.minneapolis });
    expect((await w.publish(event)).duplicate).to.equal(false);
    const first = await w.assigned(orderId);
    const outboxBefore = await count(`SELECT count(*) AS n FROM assignment.outbox`);

    // The same message again: JetStream's dedupe window drops it (Nats-Msg-Id = event id).
    expect((await w.publish(event)).duplicate).to.equal(true);
    // A second event for the same order: handled, and a no-op.
    const again = { ...event, eventId: randomUUID() };
    await w.publish(again);
    await eventually(async () => (await count(
      `SELECT count(*) AS n FROM assignment.processed_events WHERE event_id = $1`, [again.eventId])) === 1, 10_000, "second event processed");

    expect((await w.assignment.listOrderShipments({ orderId }, w.service)).warehouseOrders).to.deep.equal(first);
    expect(await count(`SELECT count(*) AS n FROM assignment.outbox`)).to.equal(outboxBefore);
    expect(await count(`SELECT count(*) AS n FROM inventory.order_allocations WHERE order_id = $1`, [orderId])).to.equal(1);
    expect(await w.shelf(item, wh.id)).to.deep.equal({ physical: 4, available: 2 });
    await w.expectAuditClean();
  });

  it("re-plans when another allocation took the planned warehouse's stock, and never oversells", async () => {
    const near = await w.warehouse(PLACES.minneapolis);
    const far = await w.warehouse(PLACES.newYork);
    const item = randomUUID();
    await w.receive(near.id, item, 2);
    await w.receive(far.id, item, 2);
    const rival = await w.committedOrder([[item, 2]]);
    const orderId = await w.committedOrder([[item, 2]]);

    const attempts: string[] = [];
    beforeAllocate = async (e) => {
      if (e.orderId !== orderId) return;
      attempts.push(e.split.map((s) => s.warehouseCode).join("+"));
      // Between our plan and our allocation, someone else assigns the rival order to the near warehouse.
      if (e.attempt === 1) {
        const r = await w.inventory.allocateOrder({
          orderId: rival,
          allocations: [{ warehouseId: near.id, itemId: item, quantity: 2, warehouseOrderId: randomUUID() }],
        }, w.service);
        expect(r.allocated).to.equal(true);
      }
    };
    await w.publish(w.placed(orderId, [[item, 2]], { location: PLACES.minneapolis }));

    expect((await w.assigned(orderId)).map((o) => o.warehouseCode)).to.deep.equal([far.code]);
    expect(attempts).to.deep.equal([near.code, far.code]);
    expect(await w.shelf(item, near.id)).to.deep.equal({ physical: 2, available: 0 });
    expect(await w.shelf(item, far.id)).to.deep.equal({ physical: 2, available: 0 });
    const state = (await w.sql.query(`SELECT status, attempts FROM assignment.order_assignments WHERE order_id = $1`, [orderId])).rows[0];
    expect(state).to.deep.equal({ status: "ASSIGNED", attempts: 2 });
    await w.expectAuditClean();
  });

  it("assigns a burst of orders competing for the same shelves: every unit once, the near shelf first, no oversell", async () => {
    const near = await w.warehouse(PLACES.minneapolis);
    const far = await w.warehouse(PLACES.chicago);
    const item = randomUUID();
    await w.receive(near.id, item, 12);
    await w.receive(far.id, item, 12);
    const orderIds: string[] = [];
    for (let i = 0; i < 24; i++) orderIds.push(await w.committedOrder([[item, 1]]));

    const started = Date.now();
    await Promise.all(orderIds.map((id) => w.publish(w.placed(id, [[item, 1]], { location: PLACES.minneapolis }))));
    const assigned = await Promise.all(orderIds.map((id) => w.assigned(id, 20_000)));
    const elapsedMs = Date.now() - started;

    const perWarehouse = assigned.flat().reduce((m, o) => m.set(o.warehouseCode, (m.get(o.warehouseCode) ?? 0) + 1), new Map<string, number>());
    expect(Object.fromEntries(perWarehouse)).to.deep.equal({ [near.code]: 12, [far.code]: 12 });
    expect(await w.shelf(item, near.id)).to.deep.equal({ physical: 12, available: 0 });
    expect(await w.shelf(item, far.id)).to.deep.equal({ physical: 12, available: 0 });
    await w.expectAuditClean();
    console.log(`      (24 competing orders assigned in ${elapsedMs} ms)`);
  });

  it("keeps retrying an order Inventory has yet to commit, and assigns it once it has", async () => {
    const wh = await w.warehouse(PLACES.minneapolis);
    const item = randomUUID();
    await w.receive(wh.id, item, 3);
    const checkoutId = randomUUID();
    const orderId = randomUUID();
    await w.inventory.reserve({ checkoutId, lines: [{ itemId: item, quantity: 1 }] }, w.service);
    let tries = 0;
    beforeAllocate = async (e) => { if (e.orderId === orderId) tries++; };

    await w.publish(w.placed(orderId, [[item, 1]]));
    await eventually(async () => tries >= 1, 10_000, "first allocation attempt");
    expect((await w.assignment.listOrderShipments({ orderId }, w.service)).warehouseOrders).to.deep.equal([]);

    await w.inventory.commit({ checkoutId, orderId }, w.service);
    expect(await w.assigned(orderId, 15_000)).to.have.length(1);
    await w.expectAuditClean();
  });

  it("assigns nothing for an order cancelled before its event arrives (through Assignment, or only in Inventory)", async () => {
    const wh = await w.warehouse(PLACES.minneapolis);
    const item = randomUUID();
    await w.receive(wh.id, item, 5);

    const viaAssignment = await w.committedOrder([[item, 1]]);
    expect((await w.assignment.cancelOrderAssignment({ orderId: viaAssignment }, w.service)).warehouseOrders).to.deep.equal([]);
    await w.inventory.deallocateOrder({ orderId: viaAssignment }, w.service);
    const onlyInventory = await w.committedOrder([[item, 1]]);
    await w.inventory.deallocateOrder({ orderId: onlyInventory }, w.service);

    const events = [w.placed(viaAssignment, [[item, 1]]), w.placed(onlyInventory, [[item, 1]])];
    for (const e of events) await w.publish(e);
    await eventually(async () => (await count(
      `SELECT count(*) AS n FROM assignment.processed_events WHERE event_id = ANY($1)`, [events.map((e) => e.eventId)])) === 2, 10_000, "events processed");

    const states = (await w.sql.query(
      `SELECT order_id, status FROM assignment.order_assignments WHERE order_id = ANY($1) ORDER BY status`, [[viaAssignment, onlyInventory]])).rows;
    expect(states.map((s) => s.status)).to.deep.equal(["CANCELLED", "CANCELLED"]);
    expect(await count(`SELECT count(*) AS n FROM assignment.warehouse_orders WHERE order_id = ANY($1)`, [[viaAssignment, onlyInventory]])).to.equal(0);
    expect(await w.shelf(item, wh.id)).to.deep.equal({ physical: 5, available: 5 });
    await w.expectAuditClean();
  });

  it("keeps an event it can never apply in rejected_events and goes on with the next", async () => {
    const wh = await w.warehouse(PLACES.minneapolis);
    const item = randomUUID();
    await w.receive(wh.id, item, 1);
    const garbageId = randomUUID();
    await w.nc.jetstream().publish(EVENTS.ordersPlaced.subject, new Uint8Array([0xff, 0xff, 0xff]), { msgID: garbageId });
    const invalid = w.placed("not-a-uuid", [[item, 1]]);
    await w.nc.jetstream().publish(EVENTS.ordersPlaced.subject, toBinary(OrderPlacedSchema, invalid), { msgID: invalid.eventId });

    const orderId = await w.committedOrder([[item, 1]]);
    await w.publish(w.placed(orderId, [[item, 1]]));
    expect(await w.assigned(orderId)).to.have.length(1);
    const rejected = await eventually(async () => {
      const r = (await w.sql.query(`SELECT event_id, reason FROM assignment.rejected_events WHERE event_id = ANY($1) ORDER BY reason`, [[garbageId, invalid.eventId]])).rows;
      return r.length === 2 ? r : undefined;
    }, 10_000, "rejected events kept");
    expect(rejected.map((r) => r.reason)).to.satisfy((reasons: string[]) =>
      reasons.some((x) => /not a shop.order.v1.OrderPlaced/.test(x)) && reasons.some((x) => /order_id: must be a UUID/.test(x)));
  });
});
