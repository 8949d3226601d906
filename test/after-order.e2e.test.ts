// After the order, end to end with real Postgres, Redis and NATS: Catalog, Inventory, Cart, Assignment and Order
// in-process, the gateway in front. A shopper orders two items that sit in different warehouses; each
// warehouse's system (a plain NATS client decoding the generated message types, nothing else of ours) receives its
// own warehouse order, reports progress through the gateway, and the shopper's live tracking (WatchOrder through
// the gateway, Connect over HTTP/1.1) shows SHIPPED without polling. Then cancellation after assignment (stock back
// to the warehouse and to shoppers, payment voided) and after shipping (refused, nothing changed).
// Cancellation before assignment is in faults.e2e.test.ts (orders held back by a NATS outage) and, with the
// assignment racing it, in services/order/test/cancel.test.ts.
import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { connect, type NatsConnection } from "nats";
import {
  AssignmentService, WarehouseOrderAssignedSchema, WarehouseOrderStatus, type WarehouseOrderAssigned,
} from "../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { InventoryService, type Warehouse } from "../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, OrderStatus, PaymentStatus, ShipmentStatus, type Order } from "../gen/shop/order/v1/order_pb.js";
import type { RunningGateway } from "../gateway/src/main.js";
import { startTestGateway } from "../gateway/test/helpers.js";
import { address, card, key, startWorld, StreamReader, type World } from "../services/order/test/fixture.js";
import { eventually, testInfra, tokenFor } from "./harness.js";

describe("e2e: after the order", function () {
  this.timeout(60_000);
  let w: World;
  let gateway: RunningGateway;
  let nc: NatsConnection;
  let east: Warehouse;
  let west: Warehouse;

  /** A client of the gateway as a browser calls it (Connect, binary, HTTP/1.1), with the token's holder. */
  function viaGateway<T extends Parameters<typeof createClient>[0]>(service: T, token?: string): Client<T> {
    return createClient(service, createConnectTransport({
      baseUrl: gateway.url,
      httpVersion: "1.1",
      useBinaryFormat: true,
      interceptors: token ? [(next) => (req) => { req.header.set("authorization", `Bearer ${token}`); return next(req); }] : [],
    })) as Client<T>;
  }

  before(async () => {
    w = await startWorld({ SUBMISSION_RECOVERY_INTERVAL_MS: "500" }, true, {});
    gateway = await startTestGateway({ databaseUrl: w.databaseUrl, services: w.services });
    nc = await connect({ servers: testInfra().natsUrl });
    east = (await w.inventory.getWarehouse({ warehouseId: w.warehouseId }, w.admin)).warehouse!;
    west = (await w.inventory.createWarehouse({ code: `W-${randomUUID().slice(0, 8)}`, name: "West", location: { lat: 34.05, lon: -118.24 } }, w.admin)).warehouse!;
  });
  after(async () => {
    await nc?.close();
    await gateway?.stop();
    await w?.stop();
  });

  /** What a warehouse system runs: subscribe to its subject, decode with the generated type. */
  function warehouseSystem(code: string): WarehouseOrderAssigned[] {
    const received: WarehouseOrderAssigned[] = [];
    const sub = nc.subscribe(`warehouse.${code}.orders.assigned`);
    void (async () => { for await (const m of sub) received.push(fromBinary(WarehouseOrderAssignedSchema, m.data)); })();
    return received;
  }

  /** One item stocked only at `at`. */
  async function itemAt(at: Warehouse, units: number) {
    const item = await w.item(0);
    await w.inventory.receiveStock({ warehouseId: at.id, itemId: item.id, quantity: units, reference: "e2e" }, w.admin);
    return item;
  }

  async function stockOf(itemId: string, at: Warehouse) {
    const r = await w.inventory.getItemStock({ itemId }, w.admin);
    const shelf = r.warehouses.find((x) => x.warehouseId === at.id)!;
    return { aggregated: r.availability!.available, physical: shelf.physical, available: shelf.available };
  }

  /** A shopper's whole purchase through the gateway. */
  async function buy(lines: [string, number][]): Promise<{ token: string; order: Order; orders: Client<typeof OrderService> }> {
    const token = await tokenFor("customer");
    const cart = viaGateway(CartService, token);
    for (const [itemId, quantity] of lines) await cart.updateCartItemQuantity({ itemId, quantity });
    const orders = viaGateway(OrderService, token);
    const checkout = (await orders.beginCheckout({})).checkout!;
    const order = (await orders.submitOrder({ checkoutId: checkout.id, idempotencyKey: key(), card: card(), shippingAddress: address() })).order!;
    return { token, order, orders };
  }

  async function report(warehouse: Warehouse, warehouseOrderId: string, ...steps: WarehouseOrderStatus[]) {
    const system = viaGateway(AssignmentService, await tokenFor("warehouse", randomUUID(), warehouse.id));
    for (const status of steps) {
      const shipping = status === WarehouseOrderStatus.SHIPPED ? { carrier: "UPS", trackingNumber: `1Z${warehouse.code}` } : {};
      await system.updateWarehouseOrderStatus({ warehouseOrderId, status, ...shipping });
    }
  }

  async function statusBecomes(orders: Client<typeof OrderService>, order: Order, status: OrderStatus): Promise<Order> {
    return eventually(async () => {
      const now = (await orders.getOrder({ orderId: order.id })).order!;
      return now.status === status ? now : undefined;
    }, 15_000, `order ${OrderStatus[status]}`);
  }

  it("splits a two-warehouse order into two warehouse orders, each warehouse's system hears of its own, and shipping both shows SHIPPED live", async () => {
    const lamp = await itemAt(east, 5);
    const chair = await itemAt(west, 5);
    const eastSystem = warehouseSystem(east.code);
    const westSystem = warehouseSystem(west.code);
    await nc.flush();

    const { order, orders } = await buy([[lamp.id, 1], [chair.id, 2]]);
    expect(order.status).to.equal(OrderStatus.PLACED);
    const hangUp = new AbortController();
    const live = new StreamReader(orders.watchOrder({ orderId: order.id }, { signal: hangUp.signal }));
    expect((await live.next()).order!.id).to.equal(order.id);

    const forEast = await eventually(async () => eastSystem.find((e) => e.warehouseOrder?.orderId === order.id), 15_000, "east's warehouse order");
    const forWest = await eventually(async () => westSystem.find((e) => e.warehouseOrder?.orderId === order.id), 15_000, "west's warehouse order");
    expect(forEast.warehouseOrder!.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[lamp.id, 1]]);
    expect(forWest.warehouseOrder!.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[chair.id, 2]]);
    expect(forEast.warehouseOrder!.shippingAddress).to.deep.include({ recipient: "Test Shopper", postalCode: "55401" });

    const processing = await statusBecomes(orders, order, OrderStatus.PROCESSING);
    expect(processing.shipments.map((s) => [s.warehouseCode, s.warehouseOrderId, s.status]).sort()).to.deep.equal([
      [east.code, forEast.warehouseOrder!.id, ShipmentStatus.ASSIGNED],
      [west.code, forWest.warehouseOrder!.id, ShipmentStatus.ASSIGNED],
    ].sort());

    const shipAll = WarehouseOrderStatus;
    await report(east, forEast.warehouseOrder!.id, shipAll.PICKED, shipAll.PACKED, shipAll.SHIPPED);
    await report(west, forWest.warehouseOrder!.id, shipAll.PICKED, shipAll.PACKED, shipAll.SHIPPED);

    // The live stream carries every step; no polling on the shopper's side.
    let seen: Order;
    do seen = (await live.next(15_000)).order!; while (seen.status !== OrderStatus.SHIPPED);
    expect(seen.shipments.map((s) => [s.warehouseCode, s.status, s.carrier, s.trackingNumber]).sort()).to.deep.equal([
      [east.code, ShipmentStatus.SHIPPED, "UPS", `1Z${east.code}`],
      [west.code, ShipmentStatus.SHIPPED, "UPS", `1Z${west.code}`],
    ].sort());
    hangUp.abort();

    expect(await stockOf(lamp.id, east)).to.deep.equal({ aggregated: 4, physical: 4, available: 4 });
    expect(await stockOf(chair.id, west)).to.deep.equal({ aggregated: 3, physical: 3, available: 3 });
    const audit = await viaGateway(InventoryService, await tokenFor("admin")).auditStock({});
    expect(audit.violations).to.deep.equal([]);
  });

  it("cancels after assignment: both warehouse orders cancelled, units back on each shelf and for shoppers, payment voided", async () => {
    const lamp = await itemAt(east, 5);
    const chair = await itemAt(west, 5);
    const { order, orders } = await buy([[lamp.id, 2], [chair.id, 1]]);
    await statusBecomes(orders, order, OrderStatus.PROCESSING);
    expect(await stockOf(lamp.id, east)).to.deep.equal({ aggregated: 3, physical: 5, available: 3 });

    const cancelled = (await orders.cancelOrder({ orderId: order.id, reason: "found it cheaper" })).order!;
    expect(cancelled.status).to.equal(OrderStatus.CANCELLED);
    expect(cancelled.payment!.status).to.equal(PaymentStatus.VOIDED);
    expect(cancelled.shipments.map((s) => s.status)).to.deep.equal([ShipmentStatus.CANCELLED, ShipmentStatus.CANCELLED]);
    expect(await stockOf(lamp.id, east)).to.deep.equal({ aggregated: 5, physical: 5, available: 5 });
    expect(await stockOf(chair.id, west)).to.deep.equal({ aggregated: 5, physical: 5, available: 5 });
    const charge = await w.sql.query(`SELECT status FROM "order".payment_charges WHERE id = $1`, [order.payment!.chargeId]);
    expect(charge.rows).to.deep.equal([{ status: "VOIDED" }]);
    expect((await orders.cancelOrder({ orderId: order.id })).order!.status).to.equal(OrderStatus.CANCELLED);
    expect(await stockOf(lamp.id, east)).to.deep.equal({ aggregated: 5, physical: 5, available: 5 });
    await w.expectAuditClean();
  });

  it("refuses to cancel once one shipment has shipped, leaving stock and payment as they were", async () => {
    const lamp = await itemAt(east, 5);
    const chair = await itemAt(west, 5);
    const { order, orders } = await buy([[lamp.id, 1], [chair.id, 1]]);
    const processing = await statusBecomes(orders, order, OrderStatus.PROCESSING);
    const eastShipment = processing.shipments.find((s) => s.warehouseCode === east.code)!;
    await report(east, eastShipment.warehouseOrderId, WarehouseOrderStatus.PICKED, WarehouseOrderStatus.PACKED, WarehouseOrderStatus.SHIPPED);
    await eventually(async () => (await orders.getOrder({ orderId: order.id })).order!.shipments
      .some((s) => s.status === ShipmentStatus.SHIPPED), 15_000, "shipment shipped");

    const refused = await orders.cancelOrder({ orderId: order.id }).then(() => undefined, (err) => ConnectError.from(err));
    expect(refused && Code[refused.code]).to.equal("FailedPrecondition");
    const now = (await orders.getOrder({ orderId: order.id })).order!;
    expect(now.status).to.equal(OrderStatus.PROCESSING); // the west shipment is still being picked
    expect(now.payment!.status).to.equal(PaymentStatus.CAPTURED);
    expect(await stockOf(lamp.id, east)).to.deep.equal({ aggregated: 4, physical: 4, available: 4 });
    expect(await stockOf(chair.id, west)).to.deep.equal({ aggregated: 4, physical: 5, available: 4 });
    await w.expectAuditClean();
  });
});
