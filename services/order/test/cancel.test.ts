// CancelOrder against real Inventory and Assignment: stock comes back exactly as the stock model says and exactly
// once, whether the order's assignment has not happened yet, is in flight, or is done; the payment is voided;
// shipping refuses it without changing anything; an interrupted cancellation is completed by recovery.
import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import {
  AssignmentService, WarehouseOrderCancelledSchema, WarehouseOrderStatus,
} from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { OrderCancelledSchema, OrderPlacedSchema, OrderStatus, PaymentStatus, ShipmentStatus, type Order } from "../../../gen/shop/order/v1/order_pb.js";
import { bearer, eventually, testInfra, tokenFor } from "../../../test/harness.js";
import type { AssignmentHooks } from "../../assignment/src/assigner.js";
import { EVENTS } from "../../lib/events.js";
import { address, card, codeOf, expectCode, key, startWorld, type Shopper, type World } from "./fixture.js";

describe("order: cancelling orders", function () {
  this.timeout(60_000);
  let w: World;
  let nc: NatsConnection;
  let assignment: Client<typeof AssignmentService>;
  /** What the next assignment does right before Inventory.AllocateOrder (set per test). */
  let beforeAllocate: AssignmentHooks["beforeAllocate"];

  before(async () => {
    w = await startWorld({ SUBMISSION_RECOVERY_INTERVAL_MS: "200" }, true, {
      hooks: { beforeAllocate: async (e) => beforeAllocate?.(e) },
    });
    nc = await connect({ servers: testInfra().natsUrl });
    assignment = createClient(AssignmentService, createGrpcTransport({ baseUrl: w.services.assignment.url }));
  });
  afterEach(() => { beforeAllocate = undefined; });
  after(async () => {
    await nc?.close();
    await w?.stop();
  });

  async function place(s: Shopper, itemId: string, quantity: number): Promise<Order> {
    await w.fill(s, [itemId, quantity]);
    const c = (await w.order.beginCheckout({}, s.h)).checkout!;
    return (await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)).order!;
  }
  const get = async (s: Shopper, o: Order) => (await w.order.getOrder({ orderId: o.id }, s.h)).order!;
  const becomes = (s: Shopper, o: Order, status: OrderStatus) =>
    eventually(async () => { const now = await get(s, o); return now.status === status ? now : undefined; }, 15_000, `order ${OrderStatus[status]}`);

  /** Aggregated stock, and the warehouse's shelf, of an item. */
  async function stock(itemId: string) {
    const r = await w.inventory.getItemStock({ itemId }, w.admin);
    const shelf = r.warehouses.find((x) => x.warehouseId === w.warehouseId)!;
    return { aggregated: r.availability!.available, physical: shelf.physical, available: shelf.available };
  }
  /** Units the ledger says cancellations returned, per counter: proves "exactly once". */
  async function returned(itemId: string): Promise<Record<string, number>> {
    const r = await w.sql.query(
      `SELECT counter, sum(delta)::int AS n FROM inventory.stock_ledger WHERE item_id = $1 AND reason = 'deallocate' GROUP BY counter`, [itemId]);
    return Object.fromEntries(r.rows.map((x) => [x.counter, x.n]));
  }
  const chargeStatus = async (o: Order) =>
    (await w.sql.query(`SELECT status FROM "order".payment_charges WHERE id = $1`, [o.payment!.chargeId])).rows[0].status;
  const warehouseOrders = async (o: Order) => (await assignment.listOrderShipments({ orderId: o.id }, w.service)).warehouseOrders;
  const warehouseCode = async () => (await w.inventory.getWarehouse({ warehouseId: w.warehouseId }, w.admin)).warehouse!.code;

  function listen<T>(subject: string, decode: (b: Uint8Array) => T): T[] {
    const got: T[] = [];
    const sub = nc.subscribe(subject);
    void (async () => { for await (const m of sub) got.push(decode(m.data)); })();
    return got;
  }

  it("cancels an assigned order: warehouse order cancelled, units back to available and aggregated, payment voided, events out", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    const order = await place(s, item.id, 3);
    await becomes(s, order, OrderStatus.PROCESSING);
    expect(await stock(item.id)).to.deep.equal({ aggregated: 7, physical: 10, available: 7 });
    const cancelledEvents = listen(EVENTS.ordersCancelled.subject, (b) => fromBinary(OrderCancelledSchema, b));
    const warehouseEvents = listen(EVENTS.warehouseOrderCancelled.at(await warehouseCode()).subject, (b) => fromBinary(WarehouseOrderCancelledSchema, b));
    await nc.flush();

    // Ten shoppers' taps at once: one does the work, every one gets the cancelled order.
    const results = await Promise.all(Array.from({ length: 10 }, () => w.order.cancelOrder({ orderId: order.id, reason: "changed my mind" }, s.h)));
    for (const r of results) {
      expect(r.order!.status).to.equal(OrderStatus.CANCELLED);
      expect(r.order!.payment!.status).to.equal(PaymentStatus.VOIDED);
    }
    expect(results[0].order!.shipments.map((x) => x.status)).to.deep.equal([ShipmentStatus.CANCELLED]);
    expect(await stock(item.id)).to.deep.equal({ aggregated: 10, physical: 10, available: 10 });
    expect(await returned(item.id)).to.deep.equal({ aggregated: 3, available: 3 });
    expect(await chargeStatus(order)).to.equal("VOIDED");
    expect((await warehouseOrders(order)).map((x) => x.status)).to.deep.equal([WarehouseOrderStatus.CANCELLED]);

    const published = await eventually(async () => cancelledEvents.find((e) => e.orderId === order.id), 10_000, "OrderCancelled published");
    expect(published).to.deep.include({ userId: s.id, reason: "changed my mind" });
    await eventually(async () => warehouseEvents.some((e) => e.warehouseOrder?.orderId === order.id), 10_000, "WarehouseOrderCancelled published");

    // Later repeats answer the same and return nothing more.
    expect((await w.order.cancelOrder({ orderId: order.id }, s.h)).order!.status).to.equal(OrderStatus.CANCELLED);
    expect(await returned(item.id)).to.deep.equal({ aggregated: 3, available: 3 });
    await w.expectAuditClean();
  });

  it("cancels before the assignment happens; the late assignment then assigns nothing: the stock comes back once, to aggregated", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    const seen: string[] = [];
    let hold = true;
    beforeAllocate = async (e) => {
      seen.push(e.orderId);
      if (hold) throw new Error("test: assignment held back"); // the event is redelivered later
    };
    const order = await place(s, item.id, 4);
    await eventually(async () => seen.includes(order.id), 10_000, "assignment attempted");

    const cancelled = (await w.order.cancelOrder({ orderId: order.id }, s.h)).order!;
    expect(cancelled.status).to.equal(OrderStatus.CANCELLED);
    expect(cancelled.shipments).to.deep.equal([]);
    expect(await stock(item.id)).to.deep.equal({ aggregated: 10, physical: 10, available: 10 });
    hold = false;

    // The OrderPlaced comes back to Assignment, which finds the order cancelled.
    const placedEvent = (await w.sql.query(`SELECT event_id, payload FROM "order".outbox WHERE subject = $1`, [EVENTS.ordersPlaced.subject])).rows
      .find((r) => fromBinary(OrderPlacedSchema, r.payload).orderId === order.id)!;
    await eventually(async () => (await w.sql.query(`SELECT 1 FROM assignment.processed_events WHERE event_id = $1`, [placedEvent.event_id])).rowCount,
      15_000, "OrderPlaced handled by Assignment");
    expect(await warehouseOrders(order)).to.deep.equal([]);
    expect(await stock(item.id)).to.deep.equal({ aggregated: 10, physical: 10, available: 10 });
    expect(await returned(item.id)).to.deep.equal({ aggregated: 4 });
    expect(await chargeStatus(order)).to.equal("VOIDED");
    await w.expectAuditClean();
  });

  it("cancels while the assignment is in flight: Assignment finishes it first, then the cancellation takes it back, stock returned once", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    let cancelling: Promise<unknown> | undefined;
    beforeAllocate = async (e) => {
      if (cancelling) return;
      // The shopper cancels while Assignment holds the order: Assignment makes the cancellation wait for its lock.
      cancelling = w.order.cancelOrder({ orderId: e.orderId }, s.h);
      await eventually(async () => (await w.sql.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rowCount, 10_000, "cancellation waiting for the order's lock");
    };
    const order = await place(s, item.id, 2);
    await eventually(async () => cancelling, 10_000, "assignment started");
    await cancelling;
    const now = await get(s, order);
    expect(now.status).to.equal(OrderStatus.CANCELLED);
    expect(now.shipments.map((x) => x.status)).to.deep.equal([ShipmentStatus.CANCELLED]);
    expect((await warehouseOrders(order)).map((x) => x.status)).to.deep.equal([WarehouseOrderStatus.CANCELLED]);
    expect(await stock(item.id)).to.deep.equal({ aggregated: 10, physical: 10, available: 10 });
    expect(await returned(item.id)).to.deep.equal({ aggregated: 2, available: 2 });
    expect(await chargeStatus(order)).to.equal("VOIDED");
    await w.expectAuditClean();
  });

  it("refuses once something shipped, changing nothing, even when its own view has not heard of the shipping yet", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    const order = await place(s, item.id, 3);
    await becomes(s, order, OrderStatus.PROCESSING);
    const [wo] = await warehouseOrders(order);
    const warehouse = bearer(await tokenFor("warehouse", randomUUID(), w.warehouseId));
    for (const status of [WarehouseOrderStatus.PICKED, WarehouseOrderStatus.PACKED]) {
      await assignment.updateWarehouseOrderStatus({ warehouseOrderId: wo.id, status }, warehouse);
    }
    await assignment.updateWarehouseOrderStatus(
      { warehouseOrderId: wo.id, status: WarehouseOrderStatus.SHIPPED, carrier: "UPS", trackingNumber: "1Z0001" }, warehouse);
    const shipped = await becomes(s, order, OrderStatus.SHIPPED);
    expect(shipped.shipments.map((x) => [x.carrier, x.trackingNumber])).to.deep.equal([["UPS", "1Z0001"]]);
    const stockShipped = { aggregated: 7, physical: 7, available: 7 };
    expect(await stock(item.id)).to.deep.equal(stockShipped);

    await expectCode(w.order.cancelOrder({ orderId: order.id }, s.h), Code.FailedPrecondition, "shipped");

    // The view lagging behind (set back by hand): Assignment's refusal stops the cancellation all the same.
    await w.sql.query(`UPDATE "order".shipments SET status = 'PACKED', rank = 3 WHERE order_id = $1`, [order.id]);
    await expectCode(w.order.cancelOrder({ orderId: order.id }, s.h), Code.FailedPrecondition, "shipped");
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".cancellations WHERE order_id = $1`, [order.id])).rows[0].n).to.equal(0);
    expect((await get(s, order)).payment!.status).to.equal(PaymentStatus.CAPTURED);
    expect(await chargeStatus(order)).to.equal("CAPTURED");
    expect(await stock(item.id)).to.deep.equal(stockShipped);
    expect(await returned(item.id)).to.deep.equal({});
    await w.expectAuditClean();
  });

  it("completes cancellations interrupted midway (recovery), whichever step they stopped at", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    const assigned = await place(s, item.id, 1);
    const requested = await place(s, item.id, 2);
    await becomes(s, assigned, OrderStatus.PROCESSING);
    await becomes(s, requested, OrderStatus.PROCESSING);
    // A process died right after Assignment cancelled the warehouse orders (the step that must never be left alone),
    // and another right after writing its record.
    await assignment.cancelOrderAssignment({ orderId: assigned.id }, w.service);
    for (const [o, state] of [[assigned, "ASSIGNMENT_CANCELLED"], [requested, "REQUESTED"]] as const) {
      await w.sql.query(
        `INSERT INTO "order".cancellations (order_id, user_id, state, lease_owner, lease_until) VALUES ($1, $2, $3, $4, now() - interval '1 second')`,
        [o.id, s.id, state, randomUUID()]);
    }
    for (const o of [assigned, requested]) {
      const done = await becomes(s, o, OrderStatus.CANCELLED);
      expect(done.payment!.status).to.equal(PaymentStatus.VOIDED);
      expect(await chargeStatus(o)).to.equal("VOIDED");
    }
    expect(await stock(item.id)).to.deep.equal({ aggregated: 10, physical: 10, available: 10 });
    expect(await returned(item.id)).to.deep.equal({ aggregated: 3, available: 3 });
    expect((await w.sql.query(`SELECT state FROM "order".cancellations WHERE order_id = ANY($1::uuid[])`, [[assigned.id, requested.id]])).rows)
      .to.deep.equal([{ state: "DONE" }, { state: "DONE" }]);
    await w.expectAuditClean();
  });

  it("answers bad input InvalidArgument naming the field, another shopper's order NotFound, and writes nothing", async () => {
    const item = await w.item(10);
    const s = await w.shopper();
    const order = await place(s, item.id, 1);
    const stranger = await w.shopper();
    await expectCode(w.order.cancelOrder({ orderId: "x" }, s.h), Code.InvalidArgument, "order_id");
    await expectCode(w.order.cancelOrder({ orderId: order.id, reason: "r".repeat(501) }, s.h), Code.InvalidArgument, "reason");
    await expectCode(w.order.cancelOrder({ orderId: order.id }, stranger.h), Code.NotFound);
    await expectCode(w.order.cancelOrder({ orderId: randomUUID() }, s.h), Code.NotFound);
    expect(await codeOf(w.order.cancelOrder({ orderId: order.id }))).to.equal(Code.Unauthenticated);
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM "order".cancellations WHERE order_id = $1`, [order.id])).rows[0].n).to.equal(0);
    expect((await get(s, order)).status).to.not.equal(OrderStatus.CANCELLED);
  });
});
