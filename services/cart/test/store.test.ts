// The cart's SQL against a real Postgres: line writes are per line (concurrent writers all survive) and the
// line cap holds exactly under concurrency.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../lib/db.js";
import { freshDatabase } from "../../../test/harness.js";
import { CartStore } from "../src/store/cart-store.js";
import { cart } from "../src/main.js";

describe("cart store", () => {
  let ds: DataSource;
  let store: CartStore;
  const MAX_LINES = 5;

  before(async () => {
    ds = await openDatabase(await freshDatabase("cart"), cart.database!, 30);
    store = new CartStore(ds, MAX_LINES);
  });

  after(async () => {
    await ds?.destroy();
  });

  it("keeps the first price as price_when_added when a line's quantity changes", async () => {
    const user = randomUUID();
    const item = randomUUID();
    expect(await store.setLine(user, item, 1, 500n, "USD")).to.equal("saved");
    expect(await store.setLine(user, item, 4, 800n, "USD")).to.equal("saved");
    const cart = await store.load(user);
    expect(cart.lines).to.have.length(1);
    expect(cart.lines[0]).to.include({ itemId: item, quantity: 4, priceWhenAddedMinor: 500n });
    expect(cart.updateTime).to.be.instanceOf(Date);
  });

  it("lets concurrent writers of different lines all survive", async () => {
    const store100 = new CartStore(ds, 100);
    const user = randomUUID();
    const items = Array.from({ length: 20 }, () => randomUUID());
    const results = await Promise.all(items.map((item, i) => store100.setLine(user, item, (i % 99) + 1, 100n, "USD")));
    expect(results.every((r) => r === "saved")).to.equal(true);
    const cart = await store100.load(user);
    expect(cart.lines.map((l) => l.itemId).sort()).to.deep.equal([...items].sort());
  });

  it("admits exactly the cap of lines when many are added at once, and still updates existing lines", async () => {
    const user = randomUUID();
    const items = Array.from({ length: 20 }, () => randomUUID());
    const results = await Promise.all(items.map((item) => store.setLine(user, item, 1, 100n, "USD")));
    expect(results.filter((r) => r === "saved")).to.have.length(MAX_LINES);
    const cart = await store.load(user);
    expect(cart.lines).to.have.length(MAX_LINES);
    expect(await store.setLine(user, cart.lines[0].itemId, 7, 100n, "USD")).to.equal("saved");
    expect(await store.setLine(user, randomUUID(), 1, 100n, "USD")).to.equal("cart-full");
  });

  it("clears only the named lines, or all of them, and clearing an unknown cart is a no-op", async () => {
    const user = randomUUID();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const item of [a, b, c]) await store.setLine(user, item, 1, 100n, "USD");
    await store.clear(user, [a, c]);
    expect((await store.load(user)).lines.map((l) => l.itemId)).to.deep.equal([b]);
    await store.removeLine(user, b);
    await store.removeLine(user, b);
    expect((await store.load(user)).lines).to.have.length(0);
    await store.clear(randomUUID());
    expect(await store.load(randomUUID())).to.deep.equal({ lines: [] });
  });

  it("refuses quantities outside 1..99 in the table itself", async () => {
    const user = randomUUID();
    let code: unknown;
    await store.setLine(user, randomUUID(), 100, 100n, "USD").catch((err) => { code = err.driverError?.code ?? err.code; });
    expect(code).to.equal("23514");
  });
});
