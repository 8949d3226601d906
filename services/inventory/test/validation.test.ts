// Bad input to every RPC answers InvalidArgument (naming the field) or NotFound and changes nothing; callers
// without the right role or warehouse are refused.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { bearer, tokenFor } from "../../../test/harness.js";
import { lines, startInventory, ttl, type Fixture } from "./fixture.js";

async function codeOf(call: Promise<unknown>): Promise<{ code: Code | "ok"; message: string }> {
  try {
    await call;
    return { code: "ok", message: "" };
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.rawMessage };
  }
}

describe("inventory input validation and access", function () {
  this.timeout(60_000);
  let f: Fixture;
  let wh: string;
  let item: string;
  let orderId: string;
  before(async () => {
    f = await startInventory();
    wh = (await f.warehouse("VAL-1")).id;
    item = await f.stockedItem(wh, 10);
    const checkoutId = randomUUID();
    orderId = randomUUID();
    await f.client.reserve({ checkoutId, lines: lines([item, 2]) }, f.service);
    await f.client.commit({ checkoutId, orderId }, f.service);
  });
  after(async () => { await f?.stop(); });

  const many = (n: number) => Array.from({ length: n }, () => [randomUUID(), 1] as [string, number]);

  it("answers InvalidArgument naming the field, or NotFound, and changes nothing", async () => {
    const c = f.client;
    const s = f.service;
    const a = f.admin;
    const cases: [string, () => Promise<unknown>, Code, string][] = [
      ["createWarehouse bad code", () => c.createWarehouse({ code: "no spaces", name: "x" }, a), Code.InvalidArgument, "code"],
      ["createWarehouse long code", () => c.createWarehouse({ code: "X".repeat(33), name: "x" }, a), Code.InvalidArgument, "code"],
      ["createWarehouse no name", () => c.createWarehouse({ code: "OK-1", name: " " }, a), Code.InvalidArgument, "name"],
      ["createWarehouse lat", () => c.createWarehouse({ code: "OK-1", name: "x", location: { lat: 91, lon: 0 } }, a), Code.InvalidArgument, "location.lat"],
      ["createWarehouse lon", () => c.createWarehouse({ code: "OK-1", name: "x", location: { lat: 0, lon: Number.NaN } }, a), Code.InvalidArgument, "location.lon"],
      ["createWarehouse country", () => c.createWarehouse({ code: "OK-1", name: "x", address: { countryCode: "usa" } }, a), Code.InvalidArgument, "address.country_code"],
      ["createWarehouse priority", () => c.createWarehouse({ code: "OK-1", name: "x", priority: -1 }, a), Code.InvalidArgument, "priority"],
      ["createWarehouse duplicate code", () => c.createWarehouse({ code: "val-1", name: "x" }, a), Code.AlreadyExists, "val-1"],
      ["getWarehouse malformed", () => c.getWarehouse({ warehouseId: "no such!" }, a), Code.InvalidArgument, "warehouse_id"],
      ["getWarehouse empty", () => c.getWarehouse({ warehouseId: "" }, a), Code.InvalidArgument, "warehouse_id"],
      ["getWarehouse unknown", () => c.getWarehouse({ warehouseId: randomUUID() }, a), Code.NotFound, "warehouse"],
      ["getWarehouse unknown code", () => c.getWarehouse({ warehouseId: "NOPE-1" }, a), Code.NotFound, "warehouse"],
      ["receive zero", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: 0 }, a), Code.InvalidArgument, "quantity"],
      ["receive negative", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: -5 }, a), Code.InvalidArgument, "quantity"],
      ["receive huge", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: 1_000_001 }, a), Code.InvalidArgument, "quantity"],
      ["receive bad item", () => c.receiveStock({ warehouseId: wh, itemId: "42", quantity: 1 }, a), Code.InvalidArgument, "item_id"],
      ["receive bad warehouse", () => c.receiveStock({ warehouseId: "x", itemId: item, quantity: 1 }, a), Code.InvalidArgument, "warehouse_id"],
      ["receive unknown warehouse", () => c.receiveStock({ warehouseId: randomUUID(), itemId: item, quantity: 1 }, a), Code.NotFound, "warehouse"],
      ["receive long reference", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: 1, reference: "r".repeat(201) }, a), Code.InvalidArgument, "reference"],
      ["writeOff no reason", () => c.writeOff({ warehouseId: wh, itemId: item, quantity: 1 }, a), Code.InvalidArgument, "reason"],
      ["writeOff zero", () => c.writeOff({ warehouseId: wh, itemId: item, quantity: 0, reason: "x" }, a), Code.InvalidArgument, "quantity"],
      ["writeOff unknown warehouse", () => c.writeOff({ warehouseId: randomUUID(), itemId: item, quantity: 1, reason: "x" }, a), Code.NotFound, "warehouse"],
      ["writeOff unknown item", () => c.writeOff({ warehouseId: wh, itemId: randomUUID(), quantity: 1, reason: "x" }, a), Code.FailedPrecondition, "0 unassigned"],
      ["getAvailability malformed", () => c.getAvailability({ itemId: "nope" }), Code.InvalidArgument, "item_id"],
      ["batch empty", () => c.batchGetAvailability({ itemIds: [] }), Code.InvalidArgument, "item_ids"],
      ["batch too many", () => c.batchGetAvailability({ itemIds: many(501).map(([id]) => id) }), Code.InvalidArgument, "item_ids"],
      ["batch malformed", () => c.batchGetAvailability({ itemIds: [item, "x"] }), Code.InvalidArgument, "item_ids[1]"],
      ["getItemStock malformed", () => c.getItemStock({ itemId: "" }, a), Code.InvalidArgument, "item_id"],
      ["reserve bad checkout", () => c.reserve({ checkoutId: "c1", lines: lines([item, 1]) }, s), Code.InvalidArgument, "checkout_id"],
      ["reserve no lines", () => c.reserve({ checkoutId: randomUUID(), lines: [] }, s), Code.InvalidArgument, "lines"],
      ["reserve 101 lines", () => c.reserve({ checkoutId: randomUUID(), lines: lines(...many(101)) }, s), Code.InvalidArgument, "lines"],
      ["reserve duplicate item", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1], [item.toUpperCase(), 1]) }, s), Code.InvalidArgument, "lines[1].item_id"],
      ["reserve zero", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 0]) }, s), Code.InvalidArgument, "lines[0].quantity"],
      ["reserve negative", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, -1]) }, s), Code.InvalidArgument, "lines[0].quantity"],
      ["reserve over 1000", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1001]) }, s), Code.InvalidArgument, "lines[0].quantity"],
      ["reserve malformed item", () => c.reserve({ checkoutId: randomUUID(), lines: lines(["abc", 1]) }, s), Code.InvalidArgument, "lines[0].item_id"],
      ["reserve ttl short", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]), ttl: ttl(0.5) }, s), Code.InvalidArgument, "ttl"],
      ["reserve ttl long", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]), ttl: ttl(3601) }, s), Code.InvalidArgument, "ttl"],
      ["reserve ttl negative", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]), ttl: { seconds: -5n, nanos: 0 } }, s), Code.InvalidArgument, "ttl"],
      ["release malformed", () => c.release({ checkoutId: "x" }, s), Code.InvalidArgument, "checkout_id"],
      ["release unknown", () => c.release({ checkoutId: randomUUID() }, s), Code.NotFound, "reservation"],
      ["commit no order", () => c.commit({ checkoutId: randomUUID(), orderId: "" }, s), Code.InvalidArgument, "order_id"],
      ["commit unknown", () => c.commit({ checkoutId: randomUUID(), orderId: randomUUID() }, s), Code.NotFound, "reservation"],
      ["allocate empty", () => c.allocateOrder({ orderId, allocations: [] }, s), Code.InvalidArgument, "allocations"],
      ["allocate bad quantity", () => c.allocateOrder({ orderId, allocations: [{ warehouseId: wh, itemId: item, quantity: 0, warehouseOrderId: randomUUID() }] }, s), Code.InvalidArgument, "allocations[0].quantity"],
      ["allocate bad warehouse order", () => c.allocateOrder({ orderId, allocations: [{ warehouseId: wh, itemId: item, quantity: 2, warehouseOrderId: "w" }] }, s), Code.InvalidArgument, "allocations[0].warehouse_order_id"],
      ["allocate unknown order", () => c.allocateOrder({ orderId: randomUUID(), allocations: [{ warehouseId: wh, itemId: item, quantity: 2, warehouseOrderId: randomUUID() }] }, s), Code.NotFound, "order"],
      ["allocate foreign item", () => c.allocateOrder({ orderId, allocations: [{ warehouseId: wh, itemId: randomUUID(), quantity: 2, warehouseOrderId: randomUUID() }] }, s), Code.InvalidArgument, "allocations[0].item_id"],
      ["allocate too few", () => c.allocateOrder({ orderId, allocations: [{ warehouseId: wh, itemId: item, quantity: 1, warehouseOrderId: randomUUID() }] }, s), Code.InvalidArgument, "allocations"],
      ["allocate unknown warehouse", () => c.allocateOrder({ orderId, allocations: [{ warehouseId: randomUUID(), itemId: item, quantity: 2, warehouseOrderId: randomUUID() }] }, s), Code.NotFound, "warehouse"],
      ["deallocate malformed", () => c.deallocateOrder({ orderId: "1" }, s), Code.InvalidArgument, "order_id"],
      ["deallocate unknown", () => c.deallocateOrder({ orderId: randomUUID() }, s), Code.NotFound, "order"],
      ["ship malformed", () => c.recordShipment({ orderId, warehouseOrderId: "" }, s), Code.InvalidArgument, "warehouse_order_id"],
      ["ship unknown warehouse order", () => c.recordShipment({ orderId, warehouseOrderId: randomUUID() }, s), Code.NotFound, "warehouse order"],
      ["ship unknown order", () => c.recordShipment({ orderId: randomUUID(), warehouseOrderId: randomUUID() }, s), Code.NotFound, "order"],
    ];
    const before = await f.snapshot();
    const wrong: string[] = [];
    for (const [name, call, code, field] of cases) {
      const got = await codeOf(call());
      if (got.code !== code || !got.message.includes(field)) wrong.push(`${name}: got ${Code[got.code as Code] ?? got.code} "${got.message}", want ${Code[code]} naming ${field}`);
    }
    expect(wrong).to.deep.equal([]);
    expect(await f.snapshot()).to.equal(before);
    await f.expectAuditClean();
  });

  it("reports unknown items as 0 available, in request order", async () => {
    const unknown = randomUUID();
    const r = await f.client.batchGetAvailability({ itemIds: [unknown, item] });
    expect(r.availabilities.map((x) => [x.itemId, x.available])).to.deep.equal([[unknown, 0], [item, 8]]);
  });

  it("refuses callers without the right role or warehouse", async () => {
    const c = f.client;
    const anon = {};
    const customer = bearer(await tokenFor("customer"));
    const otherWarehouse = bearer(await tokenFor("warehouse", randomUUID(), randomUUID()));
    const ownWarehouse = bearer(await tokenFor("warehouse", randomUUID(), wh));
    const cases: [string, () => Promise<unknown>, Code | "ok"][] = [
      ["anonymous availability", () => c.getAvailability({ itemId: item }, anon), "ok"],
      ["anonymous batch availability", () => c.batchGetAvailability({ itemIds: [item] }, anon), "ok"],
      ["anonymous create warehouse", () => c.createWarehouse({ code: "A-1", name: "x" }, anon), Code.Unauthenticated],
      ["customer create warehouse", () => c.createWarehouse({ code: "A-1", name: "x" }, customer), Code.PermissionDenied],
      ["service create warehouse", () => c.createWarehouse({ code: "A-1", name: "x" }, f.service), Code.PermissionDenied],
      ["customer list warehouses", () => c.listWarehouses({}, customer), Code.PermissionDenied],
      ["service list warehouses", () => c.listWarehouses({}, f.service), "ok"],
      ["anonymous audit", () => c.auditStock({}, anon), Code.Unauthenticated],
      ["service audit", () => c.auditStock({}, f.service), Code.PermissionDenied],
      ["customer receive", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: 1 }, customer), Code.PermissionDenied],
      ["service receive", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: 1 }, f.service), Code.PermissionDenied],
      ["other warehouse receive", () => c.receiveStock({ warehouseId: wh, itemId: item, quantity: 1 }, otherWarehouse), Code.PermissionDenied],
      ["other warehouse write-off", () => c.writeOff({ warehouseId: wh, itemId: item, quantity: 1, reason: "x" }, otherWarehouse), Code.PermissionDenied],
      ["anonymous reserve", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, anon), Code.Unauthenticated],
      ["customer reserve", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, customer), Code.PermissionDenied],
      ["warehouse reserve", () => c.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, ownWarehouse), Code.PermissionDenied],
      ["customer release", () => c.release({ checkoutId: randomUUID() }, customer), Code.PermissionDenied],
      ["customer commit", () => c.commit({ checkoutId: randomUUID(), orderId: randomUUID() }, customer), Code.PermissionDenied],
      ["customer allocate", () => c.allocateOrder({ orderId, allocations: [] }, customer), Code.PermissionDenied],
      ["anonymous deallocate", () => c.deallocateOrder({ orderId }, anon), Code.Unauthenticated],
      ["customer ship", () => c.recordShipment({ orderId, warehouseOrderId: randomUUID() }, customer), Code.PermissionDenied],
      ["customer item stock", () => c.getItemStock({ itemId: item }, customer), Code.PermissionDenied],
      ["bad token", () => c.getAvailability({ itemId: item }, bearer("not-a-jwt")), Code.Unauthenticated],
    ];
    const before = await f.snapshot();
    const wrong: string[] = [];
    for (const [name, call, code] of cases) {
      const got = await codeOf(call());
      if (got.code !== code) wrong.push(`${name}: got ${Code[got.code as Code] ?? got.code}, want ${code === "ok" ? "ok" : Code[code]}`);
    }
    expect(wrong).to.deep.equal([]);
    expect(await f.snapshot()).to.equal(before);
  });

  it("lets a warehouse token change and see only its own warehouse's stock", async () => {
    const other = await f.warehouse("VAL-2");
    await f.client.receiveStock({ warehouseId: other.id, itemId: item, quantity: 1 }, f.admin);
    const own = bearer(await tokenFor("warehouse", randomUUID(), wh));
    const r = await f.client.receiveStock({ warehouseId: wh, itemId: item, quantity: 3, reference: "dock 4" }, own);
    expect(r.stock!.physical).to.equal(13);
    const seen = await f.client.getItemStock({ itemId: item }, own);
    expect(seen.warehouses.map((w) => w.warehouseId)).to.deep.equal([wh]);
    const all = await f.client.getItemStock({ itemId: item }, f.admin);
    expect(all.warehouses.map((w) => w.warehouseId)).to.have.members([wh, other.id]);
    expect((await f.client.getWarehouse({ warehouseId: "val-1" }, own)).warehouse!.id).to.equal(wh);
  });
});
