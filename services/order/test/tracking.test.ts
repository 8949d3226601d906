// After checkout, the order follows its shipments, learnt from the events Assignment publishes (here published by
// the test exactly as Assignment's outbox relay would, so every ordering can be forced): least advanced shipment
// wins, nothing ever moves backwards, repeats change nothing, and WatchOrder pushes each change live, from any
// replica, ending cleanly when the client hangs up or the server stops.
import { randomUUID } from "node:crypto";
import { create, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import {
  OrderAssignedSchema, WarehouseOrderSchema, WarehouseOrderStatus, WarehouseOrderStatusChangedSchema, type WarehouseOrder,
} from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { OrderStatus, ShipmentStatus, type Order } from "../../../gen/shop/order/v1/order_pb.js";
import { eventually, testConfig, testInfra } from "../../../test/harness.js";
import { EVENTS, type EventMessage, type EventType } from "../../lib/events.js";
import { startService } from "../../lib/server.js";
import { order as orderModule } from "../src/main.js";
import { expectCode, orderClient, placeOrder, StreamReader, type Shopper, type World, startWorld } from "./fixture.js";

describe("order: tracking shipments", function () {
  this.timeout(60_000);
  let w: World;
  let nc: NatsConnection;

  before(async () => {
    w = await startWorld();
    nc = await connect({ servers: testInfra().natsUrl });
  });
  after(async () => {
    await nc?.close();
    await w?.stop();
  });

  /** A warehouse order of `order` as Assignment describes it in its events. */
  type Over = { id?: string; warehouseId?: string; status?: WarehouseOrderStatus; carrier?: string; trackingNumber?: string };
  function warehouseOrder(order: Order, code: string, status: WarehouseOrderStatus, over: Over = {}): WarehouseOrder {
    return create(WarehouseOrderSchema, {
      id: over.id ?? randomUUID(),
      orderId: order.id,
      warehouseId: over.warehouseId ?? randomUUID(),
      warehouseCode: code,
      lines: order.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
      status,
      updateTime: timestampNow(),
      ...over,
    });
  }

  async function publish<D extends DescMessage>(type: EventType<D>, event: EventMessage<D>): Promise<string> {
    await nc.jetstream().publish(type.subject, toBinary(type.message, event), { msgID: event.eventId });
    return event.eventId;
  }
  const assigned = (order: Order, ...wos: WarehouseOrder[]) => publish(EVENTS.ordersAssigned,
    create(OrderAssignedSchema, { eventId: randomUUID(), orderId: order.id, warehouseOrders: wos, occurTime: timestampNow() }));
  const moved = (wo: WarehouseOrder, status: WarehouseOrderStatus, over: Over = {}) =>
    publish(EVENTS.ordersShipmentUpdated, create(WarehouseOrderStatusChangedSchema, {
      eventId: randomUUID(), warehouseOrder: { ...wo, status, updateTime: timestampNow(), ...over }, occurTime: timestampNow(),
    }));

  const get = async (s: Shopper, order: Order) => (await w.order.getOrder({ orderId: order.id }, s.h)).order!;
  const statusBecomes = (s: Shopper, order: Order, status: OrderStatus) =>
    eventually(async () => { const o = await get(s, order); return o.status === status ? o : undefined; }, 10_000, `order ${OrderStatus[status]}`);
  const shipmentBecomes = (s: Shopper, order: Order, warehouseOrderId: string, status: ShipmentStatus) =>
    eventually(async () => {
      const o = await get(s, order);
      return o.shipments.find((x) => x.warehouseOrderId === warehouseOrderId)?.status === status ? o : undefined;
    }, 10_000, `shipment ${ShipmentStatus[status]}`);
  const shipmentConsumer = () => w.services.order.tasks().find((t) => t.name === "order-shipments")!;
  const processed = (eventId: string) => eventually(async () =>
    (await w.sql.query(`SELECT 1 FROM "order".processed_events WHERE event_id = $1`, [eventId])).rowCount, 10_000, "event processed");

  it("follows its least advanced shipment: PLACED -> PROCESSING -> PACKED -> SHIPPED -> DELIVERED, every shipment visible", async () => {
    const { s, order } = await placeOrder(w);
    expect(order.status).to.equal(OrderStatus.PLACED);
    const east = warehouseOrder(order, "EAST", WarehouseOrderStatus.ASSIGNED);
    const west = warehouseOrder(order, "WEST", WarehouseOrderStatus.ASSIGNED);
    await assigned(order, east, west);
    const processing = await statusBecomes(s, order, OrderStatus.PROCESSING);
    expect(processing.shipments.map((x) => [x.warehouseCode, x.warehouseId, x.warehouseOrderId, ShipmentStatus[x.status], x.lines.map((l) => [l.itemId, l.quantity])]))
      .to.deep.equal([
        ["EAST", east.warehouseId, east.id, "ASSIGNED", order.lines.map((l) => [l.itemId, l.quantity])],
        ["WEST", west.warehouseId, west.id, "ASSIGNED", order.lines.map((l) => [l.itemId, l.quantity])],
      ]);

    await moved(east, WarehouseOrderStatus.PICKED);
    await moved(east, WarehouseOrderStatus.PACKED);
    expect((await shipmentBecomes(s, order, east.id, ShipmentStatus.PACKED)).status).to.equal(OrderStatus.PROCESSING);
    await moved(west, WarehouseOrderStatus.PICKED);
    await moved(west, WarehouseOrderStatus.PACKED);
    await statusBecomes(s, order, OrderStatus.PACKED);

    await moved(west, WarehouseOrderStatus.SHIPPED, { carrier: "UPS", trackingNumber: "1Z999AA10123456784" });
    expect((await shipmentBecomes(s, order, west.id, ShipmentStatus.SHIPPED)).status).to.equal(OrderStatus.PACKED);
    await moved(east, WarehouseOrderStatus.SHIPPED, { carrier: "FedEx", trackingNumber: "789012345678" });
    const shipped = await statusBecomes(s, order, OrderStatus.SHIPPED);
    expect(shipped.shipments.map((x) => [x.warehouseCode, x.carrier, x.trackingNumber])).to.deep.equal([
      ["EAST", "FedEx", "789012345678"], ["WEST", "UPS", "1Z999AA10123456784"],
    ]);

    await moved(east, WarehouseOrderStatus.DELIVERED, { carrier: "FedEx", trackingNumber: "789012345678" });
    expect((await shipmentBecomes(s, order, east.id, ShipmentStatus.DELIVERED)).status).to.equal(OrderStatus.SHIPPED);
    await moved(west, WarehouseOrderStatus.DELIVERED, { carrier: "UPS", trackingNumber: "1Z999AA10123456784" });
    const delivered = await statusBecomes(s, order, OrderStatus.DELIVERED);
    expect(Number(delivered.updateTime!.seconds)).to.be.at.least(Number(order.updateTime!.seconds));

    // The shopper's order list carries the same shipments.
    const mine = (await w.order.getMyOrders({}, s.h)).orders;
    expect(mine.map((o) => o.id)).to.deep.equal([order.id]);
    expect(mine[0]).to.deep.equal(delivered);
  });

  it("never moves backwards: a status event before the split, a stale event and a repeated one change nothing", async () => {
    const { s, order } = await placeOrder(w);
    const wo = warehouseOrder(order, "NORTH", WarehouseOrderStatus.ASSIGNED);

    // The status event overtakes the split: the shipment is recorded, the order waits for the split.
    await processed(await moved(wo, WarehouseOrderStatus.PACKED));
    let now = await get(s, order);
    expect(now.status).to.equal(OrderStatus.PLACED);
    expect(now.shipments.map((x) => x.status)).to.deep.equal([ShipmentStatus.PACKED]);

    // The split arrives late, saying ASSIGNED: the shipment stays PACKED and the order follows it.
    await assigned(order, wo);
    now = await statusBecomes(s, order, OrderStatus.PACKED);
    expect(now.shipments.map((x) => x.status)).to.deep.equal([ShipmentStatus.PACKED]);
    const before = (await w.sql.query(`SELECT updated_at FROM "order".orders WHERE id = $1`, [order.id])).rows[0].updated_at;

    // A stale PICKED, and a copy of the PACKED event under a new event id (a producer re-sending it).
    await processed(await moved(wo, WarehouseOrderStatus.PICKED));
    await processed(await moved(wo, WarehouseOrderStatus.PACKED));
    expect(await get(s, order)).to.deep.equal(now);
    expect((await w.sql.query(`SELECT updated_at FROM "order".orders WHERE id = $1`, [order.id])).rows[0].updated_at).to.deep.equal(before);
  });

  it("drops an event it can never use, loudly, and goes on with the next", async () => {
    const { s, order } = await placeOrder(w);
    const wo = warehouseOrder(order, "SOUTH", WarehouseOrderStatus.ASSIGNED);
    const rejectedBefore = shipmentConsumer().stats!.rejected;
    const garbage = randomUUID();
    await nc.jetstream().publish(EVENTS.ordersShipmentUpdated.subject, new Uint8Array([0xff, 0xff, 0xff]), { msgID: garbage });
    const unknownStatus = await moved(wo, WarehouseOrderStatus.PICKED, { status: 99 as WarehouseOrderStatus });
    await assigned(order, wo);
    await statusBecomes(s, order, OrderStatus.PROCESSING);
    // Dropped: acknowledged and recorded as processed (never redelivered), without touching the order.
    await processed(garbage);
    await processed(unknownStatus);
    expect((await get(s, order)).shipments.map((x) => x.status)).to.deep.equal([ShipmentStatus.ASSIGNED]);
    // Loudly: counted as rejected (logged at error level by the same code path), not as applied or failed.
    expect(shipmentConsumer().stats!.rejected - rejectedBefore).to.equal(2);
  });

  it("streams the order now and on every change (WatchOrder), and ends when the client hangs up", async () => {
    const { s, order } = await placeOrder(w);
    const hangUp = new AbortController();
    const stream = new StreamReader(w.order.watchOrder({ orderId: order.id }, { ...s.h, signal: hangUp.signal }));
    expect((await stream.next()).order!.status).to.equal(OrderStatus.PLACED);

    const wo = warehouseOrder(order, "EAST", WarehouseOrderStatus.ASSIGNED);
    await assigned(order, wo);
    const processing = (await stream.next()).order!;
    expect(processing.status).to.equal(OrderStatus.PROCESSING);
    expect(processing.shipments.map((x) => x.warehouseOrderId)).to.deep.equal([wo.id]);
    await moved(wo, WarehouseOrderStatus.PICKED);
    const picked = (await stream.next()).order!;
    expect([picked.status, picked.shipments[0].status]).to.deep.equal([OrderStatus.PROCESSING, ShipmentStatus.PICKED]);
    await moved(wo, WarehouseOrderStatus.PACKED);
    expect((await stream.next()).order!.status).to.equal(OrderStatus.PACKED);

    hangUp.abort();
    await stream.end().catch((err) => expect(String(err)).to.match(/abort|cancel/i));
  });

  it("pushes changes applied by another replica, shares one listening connection per process, and ends streams when its server stops", async () => {
    const replica = await startService(orderModule, testConfig("order", w.databaseUrl, w.env));
    try {
      const client = orderClient(replica.url);
      const placed = await Promise.all([placeOrder(w), placeOrder(w), placeOrder(w)]);
      const streams = placed.map(({ s, order }) => new StreamReader(client.watchOrder({ orderId: order.id }, s.h)));
      for (const st of streams) expect((await st.next()).order!.status).to.equal(OrderStatus.PLACED);
      const listeners = await w.sql.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'order-watch' AND datname = current_database()`);
      expect(listeners.rows[0].n, "one listener per process, two processes").to.equal(2);

      // Whichever replica's consumer applies the events, the watchers on this one hear of it.
      for (const { order } of placed) await assigned(order, warehouseOrder(order, "EAST", WarehouseOrderStatus.ASSIGNED));
      for (const st of streams) expect((await st.next()).order!.status).to.equal(OrderStatus.PROCESSING);

      const started = Date.now();
      await replica.stop();
      expect(Date.now() - started, "stops without waiting out the grace period").to.be.below(1500);
      for (const st of streams) await st.end(2000);
    } finally {
      await replica.stop();
    }
  });

  it("answers bad ids InvalidArgument and other shoppers' orders NotFound, on every read", async () => {
    const { order } = await placeOrder(w);
    const stranger = await w.shopper();
    await expectCode(w.order.getOrder({ orderId: "nope" }, stranger.h), Code.InvalidArgument, "order_id");
    await expectCode(w.order.getOrder({ orderId: order.id }, stranger.h), Code.NotFound);
    await expectCode(new StreamReader(w.order.watchOrder({ orderId: "nope" }, stranger.h)).next(), Code.InvalidArgument, "order_id");
    await expectCode(new StreamReader(w.order.watchOrder({ orderId: order.id }, stranger.h)).next(), Code.NotFound);
    await expectCode(new StreamReader(w.order.watchOrder({ orderId: order.id })).next(), Code.Unauthenticated);
  });
});
