// Every status change goes through its domain's table, and the store refuses the rest: driven here straight at
// the stores on a real database, each illegal edge is refused with IllegalTransition and the row stays as it was.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { freshDatabase } from "../../../test/harness.js";
import { openDatabase } from "../../lib/db.js";
import { IllegalTransition } from "../../lib/state-machine.js";
import { assignment } from "../../assignment/src/main.js";
import * as warehouseOrders from "../../assignment/src/store/warehouse-orders.js";
import { order } from "../src/main.js";
import * as cancellations from "../src/store/cancellations.js";
import * as checkouts from "../src/store/checkouts.js";
import * as orders from "../src/store/orders.js";
import * as submissions from "../src/store/submissions.js";

async function refused(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    expect(err).to.be.instanceOf(IllegalTransition);
    return (err as Error).message;
  }
  throw new Error("the store accepted a change its table does not allow");
}

describe("state machines guard the stores", function () {
  this.timeout(30_000);
  let ds: DataSource;
  let wds: DataSource;
  before(async () => {
    const url = await freshDatabase("guards");
    ds = await openDatabase(url, order.database!, 4);
    wds = await openDatabase(url, assignment.database!, 4);
  });
  after(async () => {
    await ds?.destroy();
    await wds?.destroy();
  });

  const address = { recipient: "A", line1: "1 Main St", line2: "", city: "X", region: "MN", postalCode: "55401", countryCode: "US" };

  it("refuses a checkout change its table does not allow (COMPLETED -> CANCELLED, RESERVING -> COMPLETED)", async () => {
    const id = randomUUID();
    await checkouts.insertReserving(ds, { id, userId: randomUUID(), lines: [], currency: "USD", totalMinor: 0n });
    expect(await refused(checkouts.complete(ds, id, randomUUID()))).to.match(/RESERVING -> COMPLETED/);
    await checkouts.activate(ds, id, new Date(Date.now() + 60_000));
    await checkouts.complete(ds, id, randomUUID());
    expect(await refused(checkouts.markForRelease(ds, id, "CANCELLED"))).to.match(/COMPLETED -> CANCELLED/);
    expect((await checkouts.lock(ds, id))!.status).to.equal("COMPLETED");
  });

  it("refuses a submission change its table does not allow (PENDING -> PLACED, PLACED -> PAID)", async () => {
    const owner = randomUUID();
    const checkoutId = randomUUID();
    await checkouts.insertReserving(ds, { id: checkoutId, userId: randomUUID(), lines: [], currency: "USD", totalMinor: 0n });
    const s = (await submissions.insert(ds, {
      id: randomUUID(), userId: randomUUID(), idempotencyKey: randomUUID(), checkoutId, orderId: randomUUID(),
      amountMinor: 100n, currency: "USD", cardLast4: "4242", shippingAddress: address,
    }, owner, 60_000))!;
    await refused(submissions.transition(ds, s.id, owner, ["PENDING"], "PLACED"));
    await refused(submissions.transition(ds, s.id, owner, ["PLACED"], "PAID"));
    expect((await submissions.byId(ds, s.id))!.state).to.equal("PENDING");
    expect((await submissions.transition(ds, s.id, owner, ["PENDING"], "DECLINED"))!.state).to.equal("DECLINED");
  });

  it("refuses an order moving backwards or a shipped order becoming CANCELLED", async () => {
    const id = randomUUID();
    const checkoutId = randomUUID();
    await checkouts.insertReserving(ds, { id: checkoutId, userId: randomUUID(), lines: [], currency: "USD", totalMinor: 0n });
    await ds.query(
      `INSERT INTO "order".orders (id, user_id, checkout_id, status, currency, total_minor, shipping_address, payment_provider, charge_id, payment_status, card_last4)
       VALUES ($1, $2, $3, 'PLACED', 'USD', 100, '{}', 'test', 'c', 'CAPTURED', '4242')`, [id, randomUUID(), checkoutId]);
    await orders.setProgress(ds, id, "PLACED", "SHIPPED", true);
    await refused(orders.setProgress(ds, id, "SHIPPED", "PROCESSING", true));
    expect(await refused(orders.markCancelled(ds, id))).to.match(/may become CANCELLED/);
    // The caller read PLACED but the row moved on: refused, not overwritten.
    await refused(orders.setProgress(ds, id, "PLACED", "PACKED", true));
    expect((await orders.lockProgress(ds, id))!.status).to.equal("SHIPPED");
  });

  it("refuses a cancellation skipping a step", async () => {
    await refused(cancellations.advance(ds, randomUUID(), "owner", "REQUESTED", "DONE"));
  });

  it("refuses a warehouse order change its table does not allow (ASSIGNED -> SHIPPED, SHIPPED -> CANCELLED)", async () => {
    const [wo] = await warehouseOrders.insertWarehouseOrders(wds, [{
      id: randomUUID(), orderId: randomUUID(), warehouseId: randomUUID(), warehouseCode: "MSP1", lines: [], shippingAddress: address,
    }], "test");
    await refused(warehouseOrders.setStatus(wds, wo.id, "ASSIGNED", "SHIPPED"));
    await warehouseOrders.setStatus(wds, wo.id, "ASSIGNED", "PICKED");
    await refused(warehouseOrders.setStatus(wds, wo.id, "ASSIGNED", "PICKED")); // no longer ASSIGNED
    await warehouseOrders.setStatus(wds, wo.id, "PICKED", "PACKED");
    await warehouseOrders.requestShipment(wds, wo.id, "UPS", "1Z");
    await warehouseOrders.setStatus(wds, wo.id, "PACKED", "SHIPPED");
    await refused(warehouseOrders.setStatus(wds, wo.id, "SHIPPED", "CANCELLED"));
  });
});
