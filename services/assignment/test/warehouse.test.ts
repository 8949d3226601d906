// Flow 6 and 7 on the warehouse side, with real Inventory and Assignment: warehouse systems list their orders
// and report PICKED / PACKED / SHIPPED / DELIVERED (shipping takes the units off the shelf), only for their own
// warehouse and only one step at a time; an interrupted SHIPPED is completed; an order's cancellation cancels
// its unshipped warehouse orders and is refused once one has shipped; bad requests name the field.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import {
  WarehouseOrderCancelledSchema, WarehouseOrderStatus as S, WarehouseOrderStatusChangedSchema, type WarehouseOrder,
} from "../../../gen/shop/assignment/v1/assignment_pb.js";
import type { Warehouse } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { SUBJECTS } from "../../lib/nats.js";
import { bearer, eventually, tokenFor, failure } from "../../../test/harness.js";
import { PLACES, startWorld, type Headers, type World } from "./fixture.js";

async function codeOf(p: Promise<unknown>): Promise<Code | "OK"> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

describe("assignment: warehouse orders", function () {
  this.timeout(60_000);
  let w: World;
  let wh: Warehouse;
  let other: Warehouse;
  let whToken: Headers;

  before(async () => {
    w = await startWorld({ env: { ASSIGNMENT_SHIPMENT_RECOVERY_MS: "300" } });
    wh = await w.warehouse(PLACES.minneapolis);
    other = await w.warehouse(PLACES.newYork);
    whToken = await w.warehouseToken(wh.id);
  });
  after(async () => { await w?.stop(); });

  /** An order of `units` of a new item, assigned to `wh`. */
  async function assignedOrder(units = 2, at: Warehouse = wh): Promise<{ orderId: string; itemId: string; wo: WarehouseOrder }> {
    const itemId = randomUUID();
    await w.receive(at.id, itemId, 10);
    const orderId = await w.committedOrder([[itemId, units]]);
    await w.publish(w.placed(orderId, [[itemId, units]], { location: PLACES.minneapolis }));
    const [wo] = await w.assigned(orderId);
    return { orderId, itemId, wo };
  }

  const report = (id: string, status: S, h: Headers = whToken, carrier = "", trackingNumber = "") =>
    w.assignment.updateWarehouseOrderStatus({ warehouseOrderId: id, status, carrier, trackingNumber }, h);

  it("walks ASSIGNED -> PICKED -> PACKED -> SHIPPED -> DELIVERED; shipping takes the units off the shelf; each change is announced", async () => {
    const { orderId, itemId, wo } = await assignedOrder(2);
    const changes = await w.listen(SUBJECTS.ordersShipmentUpdated, WarehouseOrderStatusChangedSchema);
    expect(await w.shelf(itemId, wh.id)).to.deep.equal({ physical: 10, available: 8 });

    expect((await report(wo.id, S.PICKED)).warehouseOrder!.status).to.equal(S.PICKED);
    expect((await report(wo.id, S.PACKED)).warehouseOrder!.status).to.equal(S.PACKED);
    const shipped = (await report(wo.id, S.SHIPPED, whToken, "UPS", "1Z999")).warehouseOrder!;
    expect([shipped.status, shipped.carrier, shipped.trackingNumber]).to.deep.equal([S.SHIPPED, "UPS", "1Z999"]);
    expect(await w.shelf(itemId, wh.id)).to.deep.equal({ physical: 8, available: 8 });
    await w.expectAuditClean();

    // Retries of the current status change nothing (and ship nothing twice).
    const again = (await report(wo.id, S.SHIPPED, whToken, "UPS", "1Z999")).warehouseOrder!;
    expect(again).to.deep.equal(shipped);
    expect(await w.shelf(itemId, wh.id)).to.deep.equal({ physical: 8, available: 8 });
    expect(await codeOf(report(wo.id, S.SHIPPED, whToken, "FedEx", "other"))).to.equal(Code.FailedPrecondition);

    expect((await report(wo.id, S.DELIVERED)).warehouseOrder!.status).to.equal(S.DELIVERED);
    const seen = await eventually(async () => {
      const mine = changes.messages.filter((m) => m.warehouseOrder?.orderId === orderId).map((m) => m.warehouseOrder!.status);
      return mine.length === 4 ? mine : undefined;
    }, 10_000, "four status events");
    expect(seen).to.deep.equal([S.PICKED, S.PACKED, S.SHIPPED, S.DELIVERED]);
    const history = (await w.sql.query(
      `SELECT status FROM assignment.warehouse_order_history WHERE warehouse_order_id = $1 ORDER BY id`, [wo.id])).rows.map((r) => r.status);
    expect(history).to.deep.equal(["ASSIGNED", "PICKED", "PACKED", "SHIPPED", "DELIVERED"]);
  });

  it("refuses skipping a step or going back with FailedPrecondition; repeating the current status is a no-op", async () => {
    const { wo } = await assignedOrder(1);
    expect(await codeOf(report(wo.id, S.PACKED))).to.equal(Code.FailedPrecondition);
    expect(await codeOf(report(wo.id, S.SHIPPED, whToken, "UPS", "1"))).to.equal(Code.FailedPrecondition);
    expect(await codeOf(report(wo.id, S.DELIVERED))).to.equal(Code.FailedPrecondition);
    await report(wo.id, S.PICKED);
    expect(await codeOf(report(wo.id, S.ASSIGNED))).to.equal(Code.FailedPrecondition);
    expect((await report(wo.id, S.PICKED)).warehouseOrder!.status, "a repeat is a no-op").to.equal(S.PICKED);
    const stored = (await w.assignment.getWarehouseOrder({ warehouseOrderId: wo.id }, whToken)).warehouseOrder!;
    expect(stored.status).to.equal(S.PICKED);
  });

  it("takes an idempotency key: the same report 10 times at once changes once, a late retry answers the first result", async () => {
    const { wo } = await assignedOrder(1);
    const key = `pick-${randomUUID()}`;
    const keyed = (status: S, k = key, h: Headers = whToken) =>
      w.assignment.updateWarehouseOrderStatus({ warehouseOrderId: wo.id, status, idempotencyKey: k }, h);
    const answers = await Promise.all(Array.from({ length: 10 }, () => keyed(S.PICKED)));
    expect(answers.every((a) => a.warehouseOrder!.status === S.PICKED)).to.equal(true);
    const history = async () => (await w.sql.query(
      `SELECT status FROM assignment.warehouse_order_history WHERE warehouse_order_id = $1 ORDER BY id`, [wo.id])).rows.map((r) => r.status);
    expect(await history()).to.deep.equal(["ASSIGNED", "PICKED"]);
    await keyed(S.PACKED, `pack-${randomUUID()}`);
    // Without the key this late retry of PICKED would be refused (PACKED cannot go back); with it, the first answer.
    expect((await keyed(S.PICKED)).warehouseOrder!.status).to.equal(S.PICKED);
    expect(await history()).to.deep.equal(["ASSIGNED", "PICKED", "PACKED"]);
    const err = await failure(keyed(S.PACKED));
    expect(err.code).to.equal(Code.InvalidArgument);
    expect(err.rawMessage).to.match(/^status: .*idempotency_key/);
    const stranger = await w.warehouseToken(other.id);
    expect(await codeOf(keyed(S.PICKED, key, stranger)), "a kept answer is only for who may see the order").to.equal(Code.PermissionDenied);
  });

  it("lets a warehouse token reach only its own warehouse's orders; customers none", async () => {
    const { wo } = await assignedOrder(1);
    const stranger = await w.warehouseToken(other.id);
    const customer = bearer(await tokenFor("customer"));
    expect(await codeOf(report(wo.id, S.PICKED, stranger))).to.equal(Code.PermissionDenied);
    expect(await codeOf(w.assignment.getWarehouseOrder({ warehouseOrderId: wo.id }, stranger))).to.equal(Code.PermissionDenied);
    expect(await codeOf(w.assignment.listWarehouseOrders({ warehouseId: wh.id }, stranger))).to.equal(Code.PermissionDenied);
    expect(await codeOf(w.assignment.listWarehouseOrders({}, customer))).to.equal(Code.PermissionDenied);
    expect(await codeOf(report(wo.id, S.PICKED, customer))).to.equal(Code.PermissionDenied);
    expect(await codeOf(w.assignment.cancelOrderAssignment({ orderId: wo.orderId }, whToken))).to.equal(Code.PermissionDenied);
    expect(await codeOf(w.assignment.listOrderShipments({ orderId: wo.orderId }, customer))).to.equal(Code.PermissionDenied);
    expect(await codeOf(w.assignment.listWarehouseOrders({ warehouseId: wh.id }))).to.equal(Code.Unauthenticated);
    expect((await w.assignment.getWarehouseOrder({ warehouseOrderId: wo.id }, w.admin)).warehouseOrder!.id).to.equal(wo.id);
    expect((await report(wo.id, S.PICKED, w.admin)).warehouseOrder!.status).to.equal(S.PICKED);
  });

  it("lets a warehouse system receive stock into its own warehouse only (Inventory.ReceiveStock)", async () => {
    const itemId = randomUUID();
    const r = await w.inventory.receiveStock({ warehouseId: wh.id, itemId, quantity: 4, reference: "ASN-1" }, whToken);
    expect([r.stock!.physical, r.stock!.available]).to.deep.equal([4, 4]);
    expect(await codeOf(w.inventory.receiveStock({ warehouseId: other.id, itemId, quantity: 1, reference: "ASN-2" }, whToken)))
      .to.equal(Code.PermissionDenied);
  });

  it("lists a warehouse's orders oldest first, page by page, optionally by status", async () => {
    const site = await w.warehouse(PLACES.denver);
    const token = await w.warehouseToken(site.id);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await assignedOrder(1, site)).wo.id);
    await w.assignment.updateWarehouseOrderStatus({ warehouseOrderId: ids[1], status: S.PICKED }, token);

    const first = await w.assignment.listWarehouseOrders({ pageSize: 2 }, token);
    expect(first.warehouseOrders.map((o) => o.id)).to.deep.equal(ids.slice(0, 2));
    const second = await w.assignment.listWarehouseOrders({ pageSize: 2, pageToken: first.nextPageToken }, token);
    expect(second.warehouseOrders.map((o) => o.id)).to.deep.equal(ids.slice(2));
    expect(second.nextPageToken).to.equal("");
    const picked = await w.assignment.listWarehouseOrders({ warehouseId: site.id, status: S.PICKED }, w.admin);
    expect(picked.warehouseOrders.map((o) => o.id)).to.deep.equal([ids[1]]);
  });

  it("cancels every unshipped warehouse order of an order, announces it, and answers the same on a repeat", async () => {
    const a = randomUUID();
    const b = randomUUID();
    await w.receive(wh.id, a, 3);
    await w.receive(other.id, b, 3);
    const orderId = await w.committedOrder([[a, 1], [b, 2]]);
    await w.publish(w.placed(orderId, [[a, 1], [b, 2]], { location: PLACES.minneapolis }));
    const orders = await w.assigned(orderId);
    expect(orders).to.have.length(2);
    await report(orders[0].id, S.PICKED);
    const cancelledAtHome = await w.listen(SUBJECTS.warehouseOrderCancelled(wh.code), WarehouseOrderCancelledSchema);
    const cancelledAway = await w.listen(SUBJECTS.warehouseOrderCancelled(other.code), WarehouseOrderCancelledSchema);

    const r = await w.assignment.cancelOrderAssignment({ orderId }, w.service);
    expect(r.warehouseOrders.map((o) => o.status)).to.deep.equal([S.CANCELLED, S.CANCELLED]);
    const repeat = await w.assignment.cancelOrderAssignment({ orderId }, w.service);
    expect(repeat.warehouseOrders).to.deep.equal(r.warehouseOrders);
    await eventually(async () => cancelledAtHome.messages.length === 1 && cancelledAway.messages.length === 1, 10_000, "cancellation events");
    expect(cancelledAway.messages[0].warehouseOrder!.id).to.equal(orders[1].id);
    expect(await codeOf(report(orders[0].id, S.PACKED))).to.equal(Code.FailedPrecondition);

    // Order gives the stock back itself; then every number adds up again.
    await w.inventory.deallocateOrder({ orderId }, w.service);
    expect(await w.shelf(a, wh.id)).to.deep.equal({ physical: 3, available: 3 });
    expect(await w.shelf(b, other.id)).to.deep.equal({ physical: 3, available: 3 });
    await w.expectAuditClean();
  });

  it("refuses to cancel an order once one of its warehouse orders has shipped, changing nothing", async () => {
    const { orderId, wo } = await assignedOrder(1);
    await report(wo.id, S.PICKED);
    await report(wo.id, S.PACKED);
    await report(wo.id, S.SHIPPED, whToken, "USPS", "9400");
    const e = await failure(w.assignment.cancelOrderAssignment({ orderId }, w.service));
    expect(e.code).to.equal(Code.FailedPrecondition);
    expect(e.rawMessage).to.match(/has shipped/);
    expect((await w.assignment.getWarehouseOrder({ warehouseOrderId: wo.id }, w.admin)).warehouseOrder!.status).to.equal(S.SHIPPED);
  });

  it("completes a SHIPPED report whose recording was interrupted, and meanwhile refuses to cancel the order", async () => {
    const { orderId, itemId, wo } = await assignedOrder(2);
    await report(wo.id, S.PICKED);
    await report(wo.id, S.PACKED);
    // As if the process died right after recording the report (before Inventory heard of it).
    await w.sql.query(
      `UPDATE assignment.warehouse_orders SET carrier = 'DHL', tracking_number = 'JD01', ship_requested_at = now() WHERE id = $1`, [wo.id]);
    expect(await codeOf(w.assignment.cancelOrderAssignment({ orderId }, w.service))).to.equal(Code.FailedPrecondition);

    const done = await eventually(async () => {
      const o = (await w.assignment.getWarehouseOrder({ warehouseOrderId: wo.id }, w.admin)).warehouseOrder!;
      return o.status === S.SHIPPED ? o : undefined;
    }, 10_000, "recovery completes the shipment");
    expect([done.carrier, done.trackingNumber]).to.deep.equal(["DHL", "JD01"]);
    expect(await w.shelf(itemId, wh.id)).to.deep.equal({ physical: 8, available: 8 });
    await w.expectAuditClean();
  });

  it("answers bad requests with InvalidArgument naming the field, and unknown ids with NotFound", async () => {
    const { wo } = await assignedOrder(1);
    const cases: [Promise<unknown>, RegExp][] = [
      [w.assignment.getWarehouseOrder({ warehouseOrderId: "x" }, w.admin), /warehouse_order_id/],
      [w.assignment.listWarehouseOrders({}, w.admin), /warehouse_id: is required/],
      [w.assignment.listWarehouseOrders({ warehouseId: wh.id, pageSize: 201 }, w.admin), /page_size/],
      [w.assignment.listWarehouseOrders({ warehouseId: wh.id, pageToken: "garbage!" }, w.admin), /page_token/],
      [w.assignment.listWarehouseOrders({ warehouseId: wh.id, status: 99 as S }, w.admin), /status: unknown/],
      [report(wo.id, S.UNSPECIFIED), /status: is required/],
      [report(wo.id, S.CANCELLED), /CancelOrderAssignment/],
      [report(wo.id, S.PICKED, whToken, "UPS"), /carrier: is only given with SHIPPED/],
      [report(wo.id, S.SHIPPED, whToken, "", "1Z"), /carrier: is required/],
      [report(wo.id, S.SHIPPED, whToken, "UPS", "x".repeat(101)), /tracking_number: must be at most 100/],
      [w.assignment.listOrderShipments({ orderId: "" }, w.service), /order_id: is required/],
      [w.assignment.cancelOrderAssignment({ orderId: "1" }, w.service), /order_id: must be a UUID/],
    ];
    for (const [call, message] of cases) {
      const e = await failure(call);
      expect([e.code, e.rawMessage], String(message)).to.satisfy(([code, m]: [Code, string]) => code === Code.InvalidArgument && message.test(m));
    }
    expect(await codeOf(w.assignment.getWarehouseOrder({ warehouseOrderId: randomUUID() }, w.admin))).to.equal(Code.NotFound);
    expect(await codeOf(report(randomUUID(), S.PICKED, w.admin))).to.equal(Code.NotFound);
    expect((await w.assignment.listOrderShipments({ orderId: randomUUID() }, w.service)).warehouseOrders).to.deep.equal([]);
  });
});
