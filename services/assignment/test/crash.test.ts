// The assignment process dying between Inventory.AllocateOrder and its own commit (the test-only fault
// ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE=1) loses no order and allocates nothing twice: the unacknowledged event
// comes back to the restarted process, which re-sends the split it remembered (a fresh plan would now see the
// near warehouse empty and choose another, which Inventory would refuse), and completes the order.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { AssignmentService, WarehouseOrderAssignedSchema } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { EVENTS } from "../../lib/events.js";
import { eventually, spawnedForSuite, spawnService, suiteFixture, type ServiceProcess } from "../../../test/harness.js";
import { warehouseOrderId } from "../src/domain/ids.js";
import { PLACES, startWorld } from "./fixture.js";

describe("assignment: crash between allocation and commit", function () {
  this.timeout(90_000);
  const children = spawnedForSuite();
  // A short ack wait so the unacknowledged event comes back within seconds of the crash.
  const w = suiteFixture(() => startWorld({ assignment: false, ackWaitMs: 2000 }));

  /** `node --import tsx services/assignment/src/main.ts`, wired to the in-process Inventory. */
  async function startAssignmentProcess(env: Record<string, string>): Promise<ServiceProcess> {
    const child = await spawnService("assignment", {
      DATABASE_URL: w.databaseUrl,
      INVENTORY_ADDR: w.inventoryUrl,
      ...env,
    });
    children.push(child);
    const client = createClient(AssignmentService, createGrpcTransport({ baseUrl: child.url }));
    await eventually(async () => {
      try {
        await client.listOrderShipments({ orderId: randomUUID() }, w.service);
        return true;
      } catch (err) {
        return ConnectError.from(err).code !== Code.Unavailable;
      }
    }, 30_000, "assignment process up");
    return child;
  }

  it("re-sends the remembered split after a restart: one allocation, the order assigned, the audit clean", async () => {
    const near = await w.warehouse(PLACES.minneapolis);
    const far = await w.warehouse(PLACES.newYork);
    const item = randomUUID();
    await w.receive(near.id, item, 2);
    await w.receive(far.id, item, 5);
    const orderId = await w.committedOrder([[item, 2]]);
    const announced = await w.listen(EVENTS.warehouseOrderAssigned.at(near.code).subject, WarehouseOrderAssignedSchema);

    const crashing = await startAssignmentProcess({ ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE: "1" });
    await w.publish(w.placed(orderId, [[item, 2]], { location: PLACES.minneapolis }));
    expect(await crashing.exited).to.equal(137);

    // Inventory applied the split; Assignment committed nothing but the split it was about to send.
    const allocations = async () => (await w.sql.query(
      `SELECT warehouse_order_id, warehouse_id, quantity FROM inventory.order_allocations WHERE order_id = $1`, [orderId])).rows;
    const applied = [{ warehouse_order_id: warehouseOrderId(orderId, near.id), warehouse_id: near.id, quantity: 2 }];
    expect(await allocations()).to.deep.equal(applied);
    expect(await w.shelf(item, near.id)).to.deep.equal({ physical: 2, available: 0 });
    expect((await w.sql.query(`SELECT count(*)::int AS n FROM assignment.warehouse_orders`)).rows[0].n).to.equal(0);
    expect((await w.sql.query(`SELECT status FROM assignment.order_assignments WHERE order_id = $1`, [orderId])).rows)
      .to.deep.equal([{ status: "PLANNED" }]);

    const restarted = await startAssignmentProcess({});
    const client = createClient(AssignmentService, createGrpcTransport({ baseUrl: restarted.url }));
    const orders = await eventually(async () => {
      const r = await client.listOrderShipments({ orderId }, w.service);
      return r.warehouseOrders.length ? r.warehouseOrders : undefined;
    }, 20_000, "order assigned after restart");
    expect(orders.map((o) => [o.id, o.warehouseCode, o.lines.map((l) => l.quantity)]))
      .to.deep.equal([[warehouseOrderId(orderId, near.id), near.code, [2]]]);
    expect(await allocations()).to.deep.equal(applied);
    expect(await w.shelf(item, near.id)).to.deep.equal({ physical: 2, available: 0 });
    expect(await w.shelf(item, far.id)).to.deep.equal({ physical: 5, available: 5 });
    await eventually(async () => announced.messages.some((m) => m.warehouseOrder?.orderId === orderId), 10_000, "warehouse announcement");
    await w.expectAuditClean();
  });
});
