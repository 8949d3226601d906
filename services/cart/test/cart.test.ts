// CartService against real Catalog and Inventory services (real Postgres, Redis, NATS from the harness); the
// cart's price-and-stock view is fed by their real events.
import { randomUUID } from "node:crypto";
import http2 from "node:http2";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import fc from "fast-check";
import { CartService, type Cart } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { money } from "../../lib/money.js";
import { bearer, eventually, isolatedConsumers, startServices, tokenFor, failure } from "../../../test/harness.js";
import { catalog } from "../../catalog/src/main.js";
import { inventory } from "../../inventory/src/main.js";
import { cart } from "../src/main.js";

type Mesh = Awaited<ReturnType<typeof startServices>>;

async function codeOf(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  const e = await failure(call);
  return { code: e.code, message: e.rawMessage };
}

function cartClient(url: string): Client<typeof CartService> {
  return createClient(CartService, createGrpcTransport({ baseUrl: url }));
}

/** A shopper: their own token and shorthand for their calls. */
async function shopper(carts: Client<typeof CartService>, subject = randomUUID()) {
  const opts = bearer(await tokenFor("customer", subject));
  return {
    id: subject,
    opts,
    get: async (): Promise<Cart> => (await carts.getCart({}, opts)).cart!,
    set: async (itemId: string, quantity: number): Promise<Cart> => (await carts.updateCartItemQuantity({ itemId, quantity }, opts)).cart!,
    clear: (req: { userId?: string; itemIds?: string[] } = {}) => carts.clearCart(req, opts),
  };
}

describe("CartService", function () {
  this.timeout(60_000);
  let mesh: Mesh;
  let carts: Client<typeof CartService>;
  let catalogClient: Client<typeof CatalogService>;
  let inventoryClient: Client<typeof InventoryService>;
  let admin: ReturnType<typeof bearer>;
  let warehouseId: string;
  // Catalog loads the real category tree at start; TVs are a leaf in it.
  const categoryId = "abcat0101000";

  /** An active item priced `priceMinor` USD with `stock` units received. */
  async function makeItem(stock: number, priceMinor = 1999n): Promise<Item> {
    const sku = `cart-${randomUUID().slice(0, 8)}`;
    const { item } = await catalogClient.createItem({
      sku, name: `Test ${sku}`, brand: "Acme", categoryId, price: money(priceMinor), imageUrl: "https://example.com/i.png",
    }, admin);
    if (stock > 0) {
      await inventoryClient.receiveStock({ warehouseId, itemId: item!.id, quantity: stock, reference: "test" }, admin);
    }
    return item!;
  }

  /** Environment of every cart instance of this file: its own durable consumers, sharing the file's database. */
  const consumers = isolatedConsumers();

  /** Waits until the cart's view has heard of the item at `version` or later and, if given, `available` units. */
  async function viewHeard(itemId: string, want: { version?: bigint; available?: number }): Promise<void> {
    await eventually(async () => {
      const [r]: { version: string | null; available: number | null }[] = await mesh.services.cart.ctx.db.query(
        `SELECT version, available FROM cart.item_view WHERE item_id = $1`, [itemId]);
      return !!r && (want.version === undefined || (r.version !== null && BigInt(r.version) >= want.version))
        && (want.available === undefined || r.available === want.available);
    }, 10_000, `the cart's view of item ${itemId} at ${JSON.stringify(want, (_, v) => typeof v === "bigint" ? String(v) : v)}`);
  }

  before(async () => {
    mesh = await startServices([catalog, inventory, cart], { env: consumers });
    carts = cartClient(mesh.services.cart.url);
    catalogClient = createClient(CatalogService, createGrpcTransport({ baseUrl: mesh.services.catalog.url }));
    inventoryClient = createClient(InventoryService, createGrpcTransport({ baseUrl: mesh.services.inventory.url }));
    admin = bearer(await tokenFor("admin"));
    const { warehouse } = await inventoryClient.createWarehouse({ code: "cart-wh", name: "Cart test warehouse", priority: 1 }, admin);
    warehouseId = warehouse!.id;
  });

  after(async () => {
    await mesh?.stop();
  });

  it("answers Unauthenticated without a token and PermissionDenied to non-customers", async () => {
    const itemId = randomUUID();
    expect((await codeOf(carts.getCart({}))).code).to.equal(Code.Unauthenticated);
    expect((await codeOf(carts.updateCartItemQuantity({ itemId, quantity: 1 }))).code).to.equal(Code.Unauthenticated);
    expect((await codeOf(carts.clearCart({}))).code).to.equal(Code.Unauthenticated);
    expect((await codeOf(carts.getCart({}, bearer("not-a-jwt")))).code).to.equal(Code.Unauthenticated);
    expect((await codeOf(carts.getCart({}, admin))).code).to.equal(Code.PermissionDenied);
    const service = bearer(await tokenFor("service", "service:order"));
    expect((await codeOf(carts.updateCartItemQuantity({ itemId, quantity: 1 }, service))).code).to.equal(Code.PermissionDenied);
  });

  it("gives a new shopper an empty cart of their own", async () => {
    const a = await shopper(carts);
    const c = await a.get();
    expect(c.userId).to.equal(a.id);
    expect(c.lines).to.have.length(0);
    expect(c.subtotal).to.include({ currencyCode: "USD", minorUnits: 0n });
  });

  it("adds a line, changes its quantity and removes it with quantity 0 (idempotently)", async () => {
    const a = await shopper(carts);
    const item = await makeItem(10, 1250n);
    let c = await a.set(item.id, 2);
    expect(c.lines).to.have.length(1);
    expect(c.lines[0]).to.include({ itemId: item.id, name: item.name, quantity: 2, available: true, stockLeft: 10, imageUrl: item.imageUrl });
    expect(c.lines[0].unitPrice?.minorUnits).to.equal(1250n);
    expect(c.lines[0].priceWhenAdded?.minorUnits).to.equal(1250n);
    expect(c.subtotal?.minorUnits).to.equal(2500n);
    expect(c.updateTime).not.to.equal(undefined);

    c = await a.set(item.id, 5);
    expect(c.lines.map((l) => l.quantity)).to.deep.equal([5]);
    expect(c.subtotal?.minorUnits).to.equal(6250n);

    c = await a.set(item.id, 0);
    expect(c.lines).to.have.length(0);
    c = await a.set(item.id, 0);
    expect(c.lines).to.have.length(0);
    expect((await a.get()).lines).to.have.length(0);
  });

  it("refuses an item with no stock as out of stock and leaves the cart unchanged", async () => {
    const a = await shopper(carts);
    const held = await makeItem(5);
    await a.set(held.id, 1);
    const empty = await makeItem(0);
    const err = await codeOf(a.set(empty.id, 1));
    expect(err.code).to.equal(Code.FailedPrecondition);
    expect(err.message).to.contain("out of stock");
    expect((await a.get()).lines.map((l) => l.itemId)).to.deep.equal([held.id]);
  });

  it("refuses more units than are left, saying how many are left", async () => {
    const a = await shopper(carts);
    const item = await makeItem(3);
    const err = await codeOf(a.set(item.id, 4));
    expect(err.code).to.equal(Code.FailedPrecondition);
    expect(err.message).to.contain("only 3 left");
    expect((await a.set(item.id, 3)).lines[0].quantity).to.equal(3);
    // Raising an existing line is checked the same way, and the refused change leaves the line as it was.
    expect((await codeOf(a.set(item.id, 4))).code).to.equal(Code.FailedPrecondition);
    expect((await a.get()).lines[0].quantity).to.equal(3);
  });

  it("refuses quantities over the per-line cap or below zero with InvalidArgument on quantity", async () => {
    const a = await shopper(carts);
    const item = await makeItem(200);
    for (const quantity of [100, 2 ** 31 - 1, -1, -(2 ** 31)]) {
      const err = await codeOf(a.set(item.id, quantity));
      expect(err.code, `quantity ${quantity}`).to.equal(Code.InvalidArgument);
      expect(err.message).to.match(/^quantity: /);
    }
    expect((await codeOf(a.set(item.id, 100))).message).to.contain("99");
    expect((await a.set(item.id, 99)).lines[0].quantity).to.equal(99);
    expect((await a.get()).lines).to.have.length(1);
  });

  it("refuses an archived item and marks a line unavailable once its item is archived", async () => {
    const a = await shopper(carts);
    const kept = await makeItem(5);
    await a.set(kept.id, 2);
    const archived = await makeItem(5);
    await viewHeard(archived.id, { version: (await catalogClient.archiveItem({ itemId: archived.id }, admin)).item!.version });
    const err = await codeOf(a.set(archived.id, 1));
    expect(err.code).to.equal(Code.FailedPrecondition);
    expect(err.message).to.contain("archived");

    await viewHeard(kept.id, { version: (await catalogClient.archiveItem({ itemId: kept.id }, admin)).item!.version, available: 5 });
    const line = (await a.get()).lines[0];
    expect(line).to.include({ itemId: kept.id, quantity: 2, available: false, stockLeft: 5 });
  });

  it("shows the current price next to the price when added after a price change", async () => {
    const a = await shopper(carts);
    const item = await makeItem(5, 1000n);
    await a.set(item.id, 2);
    const { item: changed } = await catalogClient.updateItem({ itemId: item.id, expectedVersion: item.version, price: money(1500n) }, admin);
    await viewHeard(item.id, { version: changed!.version });
    const c = await a.get();
    expect(c.lines[0].unitPrice?.minorUnits).to.equal(1500n);
    expect(c.lines[0].priceWhenAdded?.minorUnits).to.equal(1000n);
    expect(c.subtotal?.minorUnits).to.equal(3000n);
    // Changing the quantity keeps the first price as price_when_added.
    expect((await a.set(item.id, 1)).lines[0].priceWhenAdded?.minorUnits).to.equal(1000n);
  });

  it("answers lines_only with each line's item, quantity and price when added, and the full view beside a line just changed", async () => {
    const a = await shopper(carts);
    const first = await makeItem(5, 1000n);
    const second = await makeItem(7, 2000n);
    await a.set(first.id, 2);
    const full = await a.set(second.id, 3);
    // The update looked up only the changed item itself; the other line still shows its live details.
    expect(full.lines.map((l) => [l.itemId, l.name, l.quantity, l.stockLeft, l.available])).to.have.deep.members([
      [first.id, first.name, 2, 5, true], [second.id, second.name, 3, 7, true],
    ]);
    const bare = (await carts.getCart({ linesOnly: true }, a.opts)).cart!;
    expect(bare.userId).to.equal(a.id);
    expect(bare.lines.map((l) => [l.itemId, l.quantity, l.priceWhenAdded?.minorUnits, l.name, l.stockLeft])).to.have.deep.members([
      [first.id, 2, 1000n, "", 0], [second.id, 3, 2000n, "", 0],
    ]);
  });

  it("marks a line unavailable when the stock left falls under its quantity", async () => {
    const a = await shopper(carts);
    const item = await makeItem(4);
    await a.set(item.id, 3);
    await inventoryClient.writeOff({ warehouseId, itemId: item.id, quantity: 2, reason: "damaged" }, admin);
    await viewHeard(item.id, { available: 2 });
    const line = (await a.get()).lines[0];
    expect(line).to.include({ quantity: 3, stockLeft: 2, available: false });
  });

  it("keeps each shopper's cart private: B never sees or changes A's lines", async () => {
    const a = await shopper(carts);
    const b = await shopper(carts);
    const item = await makeItem(10);
    await a.set(item.id, 2);
    expect((await b.get()).lines).to.have.length(0);
    await b.set(item.id, 5);
    expect((await a.get()).lines.map((l) => l.quantity)).to.deep.equal([2]);

    const denied = await codeOf(b.clear({ userId: a.id }));
    expect(denied.code).to.equal(Code.PermissionDenied);
    expect((await a.get()).lines).to.have.length(1);

    await b.clear();
    expect((await b.get()).lines).to.have.length(0);
    expect((await a.get()).lines).to.have.length(1);
    await a.clear({ userId: a.id }); // naming oneself is allowed
    expect((await a.get()).lines).to.have.length(0);
  });

  it("lets a service token clear a named user's cart, only the named items when given", async () => {
    const a = await shopper(carts);
    const [x, y, z] = await Promise.all([makeItem(5), makeItem(5), makeItem(5)]);
    for (const item of [x, y, z]) await a.set(item.id, 1);
    const order = bearer(await tokenFor("service", "service:order"));

    await carts.clearCart({ userId: a.id, itemIds: [x.id, y.id] }, order);
    expect((await a.get()).lines.map((l) => l.itemId)).to.deep.equal([z.id]);
    await carts.clearCart({ userId: a.id, itemIds: [x.id, y.id] }, order); // a retry changes nothing
    await carts.clearCart({ userId: a.id }, order);
    expect((await a.get()).lines).to.have.length(0);
    await carts.clearCart({ userId: randomUUID() }, order); // a user with no cart: nothing to do

    expect((await codeOf(carts.clearCart({}, order))).code).to.equal(Code.InvalidArgument);
    expect((await codeOf(carts.clearCart({ userId: "nope" }, order))).code).to.equal(Code.InvalidArgument);
    expect((await codeOf(carts.clearCart({ userId: a.id }, admin))).code).to.equal(Code.PermissionDenied);
  });

  it("keeps every line when 20 different items are updated concurrently", async () => {
    const a = await shopper(carts);
    const items = await Promise.all(Array.from({ length: 20 }, () => makeItem(10)));
    await Promise.all(items.map((item, i) => a.set(item.id, (i % 10) + 1)));
    const c = await a.get();
    expect(c.lines).to.have.length(20);
    const byId = new Map(c.lines.map((l) => [l.itemId, l.quantity]));
    items.forEach((item, i) => expect(byId.get(item.id)).to.equal((i % 10) + 1));
  });

  it("refuses malformed and unknown item ids (InvalidArgument / NotFound) and changes nothing", async () => {
    const a = await shopper(carts);
    const item = await makeItem(5);
    await a.set(item.id, 1);
    const before = await a.get();

    for (const itemId of ["", "abc", `${item.id}x`, "' OR 1=1 --", "00000000-0000-0000-0000-000000000000"]) {
      const err = await codeOf(a.set(itemId, 1));
      expect(err.code, JSON.stringify(itemId)).to.equal(Code.InvalidArgument);
      expect(err.message).to.match(/^item_id: /);
    }
    const unknown = randomUUID();
    const missing = await codeOf(a.set(unknown, 1));
    expect(missing.code).to.equal(Code.NotFound);
    expect(missing.message).to.contain(unknown);
    expect((await codeOf(a.clear({ itemIds: ["bad"] }))).code).to.equal(Code.InvalidArgument);
    expect((await codeOf(a.clear({ userId: "bad" }))).code).to.equal(Code.InvalidArgument);

    const after = await a.get();
    expect(after.lines).to.deep.equal(before.lines);
  });

  it("answers random requests with a caller's error, never Internal, and leaves the cart intact", async () => {
    const a = await shopper(carts);
    const item = await makeItem(5);
    await a.set(item.id, 2);
    const allowed = new Set([Code.InvalidArgument, Code.NotFound, Code.FailedPrecondition]);
    await fc.assert(fc.asyncProperty(
      fc.oneof(fc.string(), fc.uuid().map((u) => u.toString()), fc.constant(randomUUID())),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      async (itemId, quantity) => {
        if (itemId === item.id) return;
        try {
          await a.set(itemId, quantity);
          return quantity === 0; // only a removal of a line the cart does not hold can succeed
        } catch (err) {
          const code = ConnectError.from(err).code;
          if (!allowed.has(code)) throw new Error(`${Code[code]} for ${JSON.stringify(itemId)} x ${quantity}`);
        }
      },
    ), { numRuns: 60 });
    const c = await a.get();
    expect(c.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[item.id, 2]]);
  });

  it("answers a request body that is not protobuf with InvalidArgument", async () => {
    const customer = await tokenFor("customer");
    const session = http2.connect(mesh.services.cart.url);
    try {
      const status = await new Promise<string | undefined>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST", ":path": "/shop.cart.v1.CartService/UpdateCartItemQuantity",
          "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${customer}`,
        });
        let code: string | undefined;
        stream.on("response", (headers) => { code ??= headers["grpc-status"] as string | undefined; });
        stream.on("trailers", (trailers) => { code = trailers["grpc-status"] as string | undefined; });
        stream.on("error", reject);
        stream.on("close", () => resolve(code));
        stream.resume();
        const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
        const frame = Buffer.alloc(5);
        frame.writeUInt32BE(garbage.length, 1);
        stream.end(Buffer.concat([frame, garbage]));
      });
      expect(Number(status)).to.equal(Code.InvalidArgument);
    } finally {
      session.close();
    }
  });

  describe("with a small line cap", () => {
    let small: Mesh;

    before(async () => {
      small = await startServices([cart], {
        databaseUrl: mesh.databaseUrl,
        env: { ...consumers, CATALOG_ADDR: mesh.services.catalog.url, INVENTORY_ADDR: mesh.services.inventory.url, CART_MAX_LINES: "3" },
      });
    });

    after(async () => {
      await small?.stop();
    });

    it("refuses a new line beyond the cap but still changes lines already in the cart", async () => {
      const a = await shopper(cartClient(small.services.cart.url));
      const items = await Promise.all(Array.from({ length: 4 }, () => makeItem(5)));
      for (const item of items.slice(0, 3)) await a.set(item.id, 1);
      const err = await codeOf(a.set(items[3].id, 1));
      expect(err.code).to.equal(Code.FailedPrecondition);
      expect(err.message).to.contain("at most 3");
      expect((await a.set(items[0].id, 4)).lines.map((l) => l.quantity)).to.deep.equal([4, 1, 1]);
      await a.set(items[1].id, 0);
      expect((await a.set(items[3].id, 1)).lines).to.have.length(3);
    });
  });

  describe("when a dependency is down", () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    let silentAddr: string;
    let broken: Mesh[] = [];

    /** A second cart instance on the same database whose Catalog or Inventory is at `addrs`. */
    async function cartWith(addrs: { CATALOG_ADDR?: string; INVENTORY_ADDR?: string }) {
      const m = await startServices([cart], {
        databaseUrl: mesh.databaseUrl,
        env: { ...consumers, CATALOG_ADDR: mesh.services.catalog.url, INVENTORY_ADDR: mesh.services.inventory.url, CART_DEPENDENCY_TIMEOUT_MS: "300", ...addrs },
      });
      broken.push(m);
      return cartClient(m.services.cart.url);
    }

    before(async () => {
      // Accepts connections and never answers: a hung dependency.
      silent = createServer((s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
      await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
      silentAddr = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    });

    after(async () => {
      for (const m of broken) await m.stop();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    });

    it("answers Unavailable, not Internal, when Catalog or Inventory refuses connections or hangs for an item its view lacks", async () => {
      const item = await makeItem(5);
      const subject = randomUUID();
      await (await shopper(carts, subject)).set(item.id, 1);
      await viewHeard(item.id, { version: item.version, available: 5 });
      // A closed port: bind one and release it.
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const closedAddr = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise((r) => closed.close(r));

      // Held in the view: neither service is asked, so both down changes nothing for the shopper.
      const cut = await shopper(await cartWith({ CATALOG_ADDR: closedAddr, INVENTORY_ADDR: silentAddr }), subject);
      expect((await cut.get()).lines.map((l) => [l.quantity, l.stockLeft, l.available])).to.deep.equal([[1, 5, true]]);
      expect((await cut.set(item.id, 2)).lines.map((l) => l.quantity)).to.deep.equal([2]);
      await cut.set(item.id, 1);

      for (const addrs of [{ CATALOG_ADDR: closedAddr }, { INVENTORY_ADDR: closedAddr }, { CATALOG_ADDR: silentAddr }, { INVENTORY_ADDR: silentAddr }]) {
        const a = await shopper(await cartWith(addrs), subject);
        const what = JSON.stringify(addrs);
        // The view has not heard of the item (as at a cold start): the cart must ask.
        await mesh.services.cart.ctx.db.query(`DELETE FROM cart.item_view WHERE item_id = $1`, [item.id]);
        expect((await codeOf(a.get())).code, `GetCart ${what}`).to.equal(Code.Unavailable);
        await mesh.services.cart.ctx.db.query(`DELETE FROM cart.item_view WHERE item_id = $1`, [item.id]);
        expect((await codeOf(a.set(item.id, 2))).code, `UpdateCartItemQuantity ${what}`).to.equal(Code.Unavailable);
      }
      // Nothing was changed by the failed updates.
      expect((await (await shopper(carts, subject)).get()).lines.map((l) => l.quantity)).to.deep.equal([1]);
    });
  });
});
