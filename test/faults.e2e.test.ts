// Faults after the order, end to end (Catalog, Inventory, Cart, Assignment, Order in-process; the suite's real
// Postgres, Redis and NATS):
// - NATS stopped while orders are placed: SubmitOrder still answers (the event waits in Order's outbox), an order
//   cancelled during the outage is never assigned and its stock comes back once, and the rest flow to Assignment
//   and to the warehouses' subjects when NATS returns;
// - the same event delivered twice (a copy under a new Nats-Msg-Id, as a producer re-sending it would): no effect.
// The assignment process killed mid-order (after Inventory allocated, before its commit) is proven in
// services/assignment/test/crash.test.ts: redelivery re-sends the remembered split, nothing is allocated twice.
import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import { OrderAssignedSchema, WarehouseOrderAssignedSchema, type WarehouseOrderAssigned } from "../gen/shop/assignment/v1/assignment_pb.js";
import { OrderPlacedSchema, OrderStatus, PaymentStatus, type Order } from "../gen/shop/order/v1/order_pb.js";
import { EVENTS } from "../services/lib/events.js";
import { placeOrder, startWorld, type Shopper, type World } from "../services/order/test/fixture.js";
import { suiteInfra } from "./global-setup.js";
import { eventually, testInfra } from "./harness.js";

describe("e2e: faults after the order", function () {
  this.timeout(90_000);
  let w: World;
  let nc: NatsConnection;
  let code: string;
  const assignedMessages: WarehouseOrderAssigned[] = [];

  before(async () => {
    w = await startWorld({ SUBMISSION_RECOVERY_INTERVAL_MS: "500" }, true, {});
    nc = await connect({ servers: testInfra().natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    code = (await w.inventory.getWarehouse({ warehouseId: w.warehouseId }, w.admin)).warehouse!.code;
    // The warehouse's system, subscribed for the whole file (it reconnects by itself after the outage).
    const sub = nc.subscribe(EVENTS.warehouseOrderAssigned.at(code).subject);
    void (async () => { for await (const m of sub) assignedMessages.push(fromBinary(WarehouseOrderAssignedSchema, m.data)); })();
    await nc.flush();
  });
  after(async () => {
    await nc?.close();
    await w?.stop();
  });

  const get = async (s: Shopper, o: Order) => (await w.order.getOrder({ orderId: o.id }, s.h)).order!;
  const becomes = (s: Shopper, o: Order, status: OrderStatus, timeoutMs = 15_000) =>
    eventually(async () => { const now = await get(s, o); return now.status === status ? now : undefined; }, timeoutMs, `order ${OrderStatus[status]}`);
  const announced = (o: Order) => assignedMessages.filter((m) => m.warehouseOrder?.orderId === o.id);
  const unpublished = async () => (await w.sql.query(`SELECT count(*)::int AS n FROM "order".outbox WHERE published_at IS NULL`)).rows[0];

  it("keeps placing orders while NATS is down; they wait in the outbox and flow when it returns; one cancelled meanwhile is never assigned", async () => {
    const infra = suiteInfra();
    await infra.stopNats();
    let placed: { s: Shopper; order: Order; itemId: string }[];
    let cancelledOne: { s: Shopper; order: Order; itemId: string };
    try {
      placed = [];
      for (let i = 0; i < 3; i++) placed.push(await placeOrder(w, 10, 2));
      for (const { order } of placed) expect(order.status).to.equal(OrderStatus.PLACED);
      // Every order answered, its event kept in the outbox.
      expect((await unpublished()).n).to.equal(3);

      // Cancelled before it could be assigned: the two units go straight back to what shoppers can buy.
      cancelledOne = placed.pop()!;
      const c = (await w.order.cancelOrder({ orderId: cancelledOne.order.id }, cancelledOne.s.h)).order!;
      expect([c.status, c.payment!.status]).to.deep.equal([OrderStatus.CANCELLED, PaymentStatus.VOIDED]);
      expect(await w.aggregated(cancelledOne.itemId)).to.equal(10);
    } finally {
      await infra.startNats();
    }

    for (const { s, order } of placed) {
      await becomes(s, order, OrderStatus.PROCESSING, 30_000);
      await eventually(async () => announced(order).length === 1, 15_000, "warehouse system told");
    }
    await eventually(async () => (await unpublished()).n === 0, 15_000, "outbox drained");

    // Its OrderPlaced reached Assignment too, which assigned nothing: no warehouse order, no allocation.
    const placedEvent = (await w.sql.query(`SELECT event_id, payload FROM "order".outbox WHERE subject = $1`, [EVENTS.ordersPlaced.subject])).rows
      .find((r) => fromBinary(OrderPlacedSchema, r.payload).orderId === cancelledOne.order.id)!;
    await eventually(async () => (await w.sql.query(`SELECT 1 FROM assignment.processed_events WHERE event_id = $1`, [placedEvent.event_id])).rowCount,
      15_000, "the cancelled order's event handled");
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM assignment.warehouse_orders WHERE order_id = $1`, [cancelledOne.order.id])).rows[0].n).to.equal(0);
    expect(announced(cancelledOne.order)).to.deep.equal([]);
    expect((await get(cancelledOne.s, cancelledOne.order)).status).to.equal(OrderStatus.CANCELLED);
    expect(await w.aggregated(cancelledOne.itemId)).to.equal(10);
    const ledger = await w.sql.query(
      `SELECT counter, sum(delta)::int AS n FROM inventory.stock_ledger WHERE item_id = $1 AND reason = 'deallocate' GROUP BY counter`, [cancelledOne.itemId]);
    expect(ledger.rows).to.deep.equal([{ counter: "aggregated", n: 2 }]);
    await w.expectAuditClean();
  });

  it("changes nothing when an event comes again under a new event id (OrderPlaced to Assignment, OrderAssigned to Order)", async () => {
    const { s, order } = await placeOrder(w, 10, 3);
    const processing = await becomes(s, order, OrderStatus.PROCESSING);
    await eventually(async () => announced(order).length === 1, 15_000, "warehouse system told");
    const snapshot = async () => ({
      warehouseOrders: (await w.sql.query(`SELECT id, status FROM assignment.warehouse_orders WHERE order_id = $1`, [order.id])).rows,
      allocations: (await w.sql.query(`SELECT warehouse_order_id, quantity, state FROM inventory.order_allocations WHERE order_id = $1`, [order.id])).rows,
      order: (await w.sql.query(`SELECT status, updated_at FROM "order".orders WHERE id = $1`, [order.id])).rows,
    });
    const before = await snapshot();

    const js = nc.jetstream();
    const placedRow = (await w.sql.query(`SELECT payload FROM "order".outbox WHERE subject = $1`, [EVENTS.ordersPlaced.subject])).rows
      .find((r) => fromBinary(OrderPlacedSchema, r.payload).orderId === order.id)!;
    const assignedRow = (await w.sql.query(`SELECT payload FROM assignment.outbox WHERE subject = $1`, [EVENTS.ordersAssigned.subject])).rows
      .find((r) => fromBinary(OrderAssignedSchema, r.payload).orderId === order.id)!;
    const placedCopy = randomUUID();
    const assignedCopy = randomUUID();
    await js.publish(EVENTS.ordersPlaced.subject, placedRow.payload, { msgID: placedCopy });
    await js.publish(EVENTS.ordersAssigned.subject, assignedRow.payload, { msgID: assignedCopy });
    await eventually(async () => (await w.sql.query(`SELECT 1 FROM assignment.processed_events WHERE event_id = $1`, [placedCopy])).rowCount, 15_000, "copy reached Assignment");
    await eventually(async () => (await w.sql.query(`SELECT 1 FROM "order".processed_events WHERE event_id = $1`, [assignedCopy])).rowCount, 15_000, "copy reached Order");

    expect(await snapshot()).to.deep.equal(before);
    expect(await get(s, order)).to.deep.equal(processing);
    await nc.flush();
    expect(announced(order)).to.have.length(1);
    await w.expectAuditClean();
  });
});
