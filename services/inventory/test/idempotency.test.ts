// ReceiveStock and WriteOff with an idempotency key: a warehouse system that retries after a timeout (or sends
// the same delivery ten times at once) changes stock once and gets the first answer back each time.
import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { expect } from "chai";
import { failure } from "../../../test/harness.js";
import { startInventory, type Fixture } from "./fixture.js";

describe("inventory: idempotent warehouse writes", function () {
  this.timeout(60_000);
  let f: Fixture;
  before(async () => { f = await startInventory(); });
  after(async () => { await f?.stop(); });

  const ledgerOf = async (itemId: string) =>
    (await f.sql.query(`SELECT reason, counter, delta FROM inventory.stock_ledger WHERE item_id = $1 ORDER BY id`, [itemId])).rows;

  it("receives a delivery sent 10 times at once with one key once: one change, one set of ledger rows, the same answer", async () => {
    const wh = await f.warehouse();
    const itemId = randomUUID();
    const key = `delivery-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 10 }, () =>
      f.client.receiveStock({ warehouseId: wh.id, itemId, quantity: 7, reference: "DN-1", idempotencyKey: key }, f.admin)));
    expect(new Set(answers.map((a) => JSON.stringify([a.stock?.physical, a.stock?.available, a.availability?.available])))).to.have.property("size", 1);
    expect(answers[0].stock!.physical).to.equal(7);
    expect(await f.aggregated(itemId)).to.equal(7);
    expect((await ledgerOf(itemId)).filter((r) => r.reason === "receive")).to.have.length(3); // physical, available, aggregated
    // A retry later still answers the first result and changes nothing.
    const before = await f.snapshot();
    const late = await f.client.receiveStock({ warehouseId: wh.id, itemId, quantity: 7, reference: "DN-1", idempotencyKey: key }, f.admin);
    expect(late.stock!.physical).to.equal(7);
    expect(await f.snapshot()).to.equal(before);
    await f.expectAuditClean();
  });

  it("writes off once per key, even when sent 10 times at once", async () => {
    const wh = await f.warehouse();
    const itemId = await f.stockedItem(wh.id, 20);
    const key = `writeoff-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 10 }, () =>
      f.client.writeOff({ warehouseId: wh.id, itemId, quantity: 3, reason: "damaged", idempotencyKey: key }, f.admin)));
    expect(answers.every((a) => a.stock!.physical === 17)).to.equal(true);
    expect(await f.aggregated(itemId)).to.equal(17);
    expect((await ledgerOf(itemId)).filter((r) => r.reason === "write_off")).to.have.length(3);
    await f.expectAuditClean();
  });

  it("refuses the same key with other content, naming the field, and changes nothing", async () => {
    const wh = await f.warehouse();
    const itemId = randomUUID();
    const key = `delivery-${randomUUID()}`;
    await f.client.receiveStock({ warehouseId: wh.id, itemId, quantity: 5, reference: "DN-2", idempotencyKey: key }, f.admin);
    const before = await f.snapshot();
    const err = await failure(f.client.receiveStock({ warehouseId: wh.id, itemId, quantity: 6, reference: "DN-2", idempotencyKey: key }, f.admin));
    expect(err.code).to.equal(Code.InvalidArgument);
    expect(err.rawMessage).to.match(/^quantity: .*idempotency_key/);
    const other = await failure(f.client.receiveStock({ warehouseId: wh.id, itemId: randomUUID(), quantity: 5, reference: "DN-2", idempotencyKey: key }, f.admin));
    expect(other.rawMessage).to.match(/^item_id: /);
    expect(await f.snapshot()).to.equal(before);
  });

  it("scopes keys to the warehouse and to the operation; a write without a key counts every time", async () => {
    const [a, b] = [await f.warehouse(), await f.warehouse()];
    const itemId = randomUUID();
    const key = `shared-${randomUUID()}`;
    await f.client.receiveStock({ warehouseId: a.id, itemId, quantity: 4, idempotencyKey: key }, f.admin);
    await f.client.receiveStock({ warehouseId: b.id, itemId, quantity: 4, idempotencyKey: key }, f.admin);
    await f.client.writeOff({ warehouseId: a.id, itemId, quantity: 1, reason: "lost", idempotencyKey: key }, f.admin);
    await f.client.receiveStock({ warehouseId: a.id, itemId, quantity: 1 }, f.admin);
    await f.client.receiveStock({ warehouseId: a.id, itemId, quantity: 1 }, f.admin);
    expect(await f.aggregated(itemId)).to.equal(9);
  });

  it("answers InvalidArgument for a malformed key before anything changes", async () => {
    const wh = await f.warehouse();
    const before = await f.snapshot();
    for (const bad of ["short", "has spaces in it", "x".repeat(129)]) {
      const err = await failure(f.client.receiveStock({ warehouseId: wh.id, itemId: randomUUID(), quantity: 1, idempotencyKey: bad }, f.admin));
      expect(err.code, bad).to.equal(Code.InvalidArgument);
      expect(err.rawMessage).to.match(/^idempotency_key: /);
    }
    expect(await f.snapshot()).to.equal(before);
  });

  it("forgets a refused write: the same key runs again once the stock is there", async () => {
    const wh = await f.warehouse();
    const itemId = await f.stockedItem(wh.id, 1);
    const key = `writeoff-${randomUUID()}`;
    const err = await failure(f.client.writeOff({ warehouseId: wh.id, itemId, quantity: 2, reason: "damaged", idempotencyKey: key }, f.admin));
    expect(err.code).to.equal(Code.FailedPrecondition);
    await f.client.receiveStock({ warehouseId: wh.id, itemId, quantity: 1 }, f.admin);
    const ok = await f.client.writeOff({ warehouseId: wh.id, itemId, quantity: 2, reason: "damaged", idempotencyKey: key }, f.admin);
    expect(ok.stock!.physical).to.equal(0);
  });
});
