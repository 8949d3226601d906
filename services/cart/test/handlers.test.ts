// Cart's handlers without a server: the real handlers, store, price-and-stock view and token checks, called over
// an in-memory transport (connect-es createRouterTransport), with Catalog and Inventory as typed stub services
// whose answers each test chooses (they are asked only about items the view has not heard of). What is tested
// here is the handlers' logic (stock rules, how a dependency's failure reaches the shopper); cart.test.ts runs
// the same service against the real mesh and its events.
import { randomUUID } from "node:crypto";
import { create, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type Client, type ServiceImpl } from "@connectrpc/connect";
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService, ItemSchema, ItemStatus, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { freshDatabase, testVerifier, tokenFor } from "../../../test/harness.js";
import { authInterceptor } from "../../lib/auth.js";
import { openDatabase } from "../../lib/db.js";
import { createLogger } from "../../lib/log.js";
import { money } from "../../lib/money.js";
import { errorInterceptor } from "../../lib/server.js";
import { cart } from "../src/main.js";
import { ItemView } from "../src/item-view.js";
import { cartHandlers } from "../src/service.js";
import { CartStore } from "../src/store/cart-store.js";
import { upsertItems, upsertStock } from "../src/store/item-view.js";
import { meshUpstream } from "../src/upstream.js";

/** A stub of a dependency: only the methods the cart calls, typed by the service's descriptor. */
type Stub<S extends DescService> = Partial<ServiceImpl<S>>;

describe("CartService handlers (in-memory transport, stub dependencies)", function () {
  this.timeout(30_000);
  const log = createLogger("cart-test", "silent");
  const verifier = testVerifier();
  let ds: DataSource;
  const items = new Map<string, Item>();
  const stock = new Map<string, number>();
  /** Replaced by a test to make Catalog or Inventory fail. */
  let catalogFault: ConnectError | undefined;
  let inventoryFault: ConnectError | undefined;
  /** Calls the stubs answered. */
  const calls: string[] = [];

  const catalogStub: Stub<typeof CatalogService> = {
    getItem(req) {
      calls.push("GetItem");
      if (catalogFault) throw catalogFault;
      const item = items.get(req.itemId);
      if (!item) throw new ConnectError(`item ${req.itemId} not found`, Code.NotFound);
      return { item };
    },
    batchGetItems(req) {
      calls.push("BatchGetItems");
      if (catalogFault) throw catalogFault;
      return { items: req.itemIds.flatMap((id) => items.get(id) ?? []) };
    },
  };
  const inventoryStub: Stub<typeof InventoryService> = {
    getAvailability(req) {
      calls.push("GetAvailability");
      if (inventoryFault) throw inventoryFault;
      return { availability: { itemId: req.itemId, available: stock.get(req.itemId) ?? 0 } };
    },
    batchGetAvailability(req) {
      calls.push("BatchGetAvailability");
      if (inventoryFault) throw inventoryFault;
      return { availabilities: req.itemIds.map((itemId) => ({ itemId, available: stock.get(itemId) ?? 0 })) };
    },
  };
  let carts: Client<typeof CartService>;

  before(async () => {
    ds = await openDatabase(await freshDatabase("carth"), cart.database!, 4);
    const catalog = createClient(CatalogService, createRouterTransport(({ service }) => service(CatalogService, catalogStub)));
    const inventory = createClient(InventoryService, createRouterTransport(({ service }) => service(InventoryService, inventoryStub)));
    const handlers = cartHandlers(new CartStore(ds, 100), new ItemView(ds, meshUpstream(catalog, inventory, log, 1000)));
    // The interceptors every service runs (server.ts): token verification and error hygiene.
    carts = createClient(CartService, createRouterTransport(({ service }) => service(CartService, handlers), {
      router: { interceptors: [errorInterceptor(log), authInterceptor(verifier)] },
    }));
  });
  after(async () => { await ds?.destroy(); });
  afterEach(() => { catalogFault = undefined; inventoryFault = undefined; calls.length = 0; });

  const item = (priceMinor: bigint, units: number): Item => {
    const it = create(ItemSchema, { id: randomUUID(), name: "Lamp", price: money(priceMinor, "USD"), status: ItemStatus.ACTIVE, version: 1n });
    items.set(it.id, it);
    stock.set(it.id, units);
    return it;
  };
  const shopper = async () => ({ headers: { authorization: `Bearer ${await tokenFor("customer")}` } });
  const codeOf = (p: Promise<unknown>) => p.then(() => undefined, (e) => ConnectError.from(e));

  it("looks an item the view has not heard of up once, then shows what later events bring", async () => {
    const h = await shopper();
    const lamp = item(1999n, 7);
    await carts.updateCartItemQuantity({ itemId: lamp.id, quantity: 2 }, h);
    expect(calls).to.deep.equal(["GetItem", "GetAvailability"]);
    // What the consumers write on catalog.items.changed and inventory.stock.changed.
    await upsertItems(ds, [{ itemId: lamp.id, version: 2n, name: "Lamp", status: ItemStatus.ACTIVE, priceMinor: 1799n, currency: "USD", imageUrl: "" }]);
    await upsertStock(ds, [{ itemId: lamp.id, available: 3, sequence: 5n }]);
    await upsertItems(ds, [{ itemId: lamp.id, version: 1n, name: "Lamp", status: ItemStatus.ACTIVE, priceMinor: 1n, currency: "USD", imageUrl: "" }]);
    await upsertStock(ds, [{ itemId: lamp.id, available: 1, sequence: 4n }]); // older ones change nothing
    const line = (await carts.getCart({}, h)).cart!.lines[0];
    expect([line.itemId, line.quantity, line.stockLeft]).to.deep.equal([lamp.id, 2, 3]);
    expect(line.unitPrice?.minorUnits).to.equal(1799n);
    await carts.updateCartItemQuantity({ itemId: lamp.id, quantity: 3 }, h);
    const priced = (await carts.getCart({ linesOnly: true, priced: true }, h)).cart!.lines[0];
    expect([priced.itemVersion, priced.onSale, priced.unitPrice?.minorUnits, priced.quantity]).to.deep.equal([2n, true, 1799n, 3]);
    expect(calls, "no call once the view holds the item").to.deep.equal(["GetItem", "GetAvailability"]);
  });

  it("refuses more units than Inventory has left, naming how many are left", async () => {
    const h = await shopper();
    const lamp = item(500n, 2);
    const err = await codeOf(carts.updateCartItemQuantity({ itemId: lamp.id, quantity: 3 }, h));
    expect(err?.code).to.equal(Code.FailedPrecondition);
    expect(err?.rawMessage).to.match(/2/);
    expect((await carts.getCart({}, h)).cart!.lines).to.have.length(0);
  });

  it("answers NotFound naming the item when Catalog does not know it", async () => {
    const err = await codeOf(carts.updateCartItemQuantity({ itemId: randomUUID(), quantity: 1 }, await shopper()));
    expect(err?.code).to.equal(Code.NotFound);
    expect(err?.rawMessage).to.match(/item/);
  });

  it("answers Unavailable when a dependency is down, and Internal (our bug) when it refuses our request", async () => {
    const h = await shopper();
    const lamp = item(500n, 5);
    await carts.updateCartItemQuantity({ itemId: lamp.id, quantity: 1 }, h);
    catalogFault = new ConnectError("down", Code.Unavailable);
    expect((await codeOf(carts.updateCartItemQuantity({ itemId: item(500n, 5).id, quantity: 2 }, h)))?.code).to.equal(Code.Unavailable);
    catalogFault = undefined;
    await ds.query(`UPDATE cart.item_view SET available = NULL, stock_sequence = NULL WHERE item_id = $1`, [lamp.id]); // stock never heard of
    inventoryFault = new ConnectError("slow", Code.DeadlineExceeded);
    expect((await codeOf(carts.getCart({}, h)))?.code).to.equal(Code.Unavailable);
    inventoryFault = new ConnectError("item_ids: too many", Code.InvalidArgument);
    const err = await codeOf(carts.getCart({}, h));
    expect(err?.code).to.equal(Code.Internal);
    expect(err?.rawMessage).to.not.match(/item_ids/); // the dependency's words are not the shopper's business
  });

  it("answers Unauthenticated without a token, before asking any dependency", async () => {
    catalogFault = new ConnectError("must not be called", Code.Unavailable);
    expect((await codeOf(carts.getCart({})))?.code).to.equal(Code.Unauthenticated);
  });
});
