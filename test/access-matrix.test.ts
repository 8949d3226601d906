// Who may call what: every RPC of every public service, through the gateway as a browser calls it, as an
// anonymous caller, customer A, customer B, an admin and a warehouse user (bound to warehouse W1). Each
// answer is checked against the table: Unauthenticated, PermissionDenied, or allowed (success, or the
// business answer the request deserves, such as NotFound for someone else's order). Internal RPCs are not
// routable at all. Customer B never sees customer A's cart, checkout or orders.
import { randomUUID } from "node:crypto";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { AssignmentService, WarehouseOrderStatus, type WarehouseOrder } from "../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { CatalogService, type Item } from "../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService } from "../gen/shop/identity/v1/identity_pb.js";
import { InventoryService, type Warehouse } from "../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, type Order } from "../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../gen/shop/search/v1/search_pb.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { money } from "../services/lib/money.js";
import { unknownKeySigner } from "./forged-tokens.js";
import { DESK_LAMPS, PASSWORD, startShop, TEST_ADDRESS, TEST_CARD, type Account, type Shop } from "./shop-fixture.js";

type Caller = "anonymous" | "customerA" | "customerB" | "admin" | "warehouse";
const CALLERS: Caller[] = ["anonymous", "customerA", "customerB", "admin", "warehouse"];

/** What a call answered, in the table's words. */
type Outcome = "ok" | "unauthenticated" | "denied" | "notFound" | "failedPrecondition" | "invalid" | "unexposed" | string;

const OUTCOME_OF: Partial<Record<Code, Outcome>> = {
  [Code.Unauthenticated]: "unauthenticated",
  [Code.PermissionDenied]: "denied",
  [Code.NotFound]: "notFound",
  [Code.FailedPrecondition]: "failedPrecondition",
  [Code.InvalidArgument]: "invalid",
  // The gateway has no route for internal RPCs: HTTP 404, which Connect reads as Unimplemented.
  [Code.Unimplemented]: "unexposed",
};

const U = "unauthenticated";
const D = "denied";
/** Staff (admin, warehouse) are not shoppers: customer-scoped RPCs refuse them. */
const customersOnly = { anonymous: U, customerA: "ok", customerB: "ok", admin: D, warehouse: D } as const;
const everyone = { anonymous: "ok", customerA: "ok", customerB: "ok", admin: "ok", warehouse: "ok" } as const;
const adminOnly = { anonymous: U, customerA: D, customerB: D, admin: "ok", warehouse: D } as const;
const staff = { anonymous: U, customerA: D, customerB: D, admin: "ok", warehouse: "ok" } as const;
const unexposed = { anonymous: "unexposed", customerA: "unexposed", customerB: "unexposed", admin: "unexposed", warehouse: "unexposed" } as const;

interface Row {
  rpc: string;
  expect: Record<Caller, Outcome>;
  call(as: Caller): Promise<unknown>;
}

describe("access matrix (every public RPC x every kind of caller, through the gateway)", function () {
  this.timeout(180_000);
  let shop: Shop;
  let accounts: Record<Exclude<Caller, "anonymous">, Account>;
  let w1: Warehouse;
  let w2: Warehouse;
  let lamp: Item; // stocked at W1 only
  let kettle: Item; // stocked at W2 only
  let orderA: Order;
  let orderB: Order;
  let shipmentA: WarehouseOrder; // at W1
  let shipmentB: WarehouseOrder; // at W2
  let checkoutA: string;
  const results: string[] = [];

  const client = <T extends DescService>(service: T, as: Caller) => shop.client(service, as === "anonymous" ? undefined : accounts[as].token);

  before(async () => {
    shop = await startShop({ warehouses: 2 });
    [w1, w2] = shop.warehouses;
    const [a, b] = await Promise.all([shop.newCustomer("Alice"), shop.newCustomer("Bob")]);
    accounts = { customerA: a, customerB: b, admin: shop.admin, warehouse: shop.warehouseUser };
    lamp = await shop.newItem({ name: "Matrix Desk Lamp", priceCents: 3999, stock: [[0, 40]] });
    kettle = await shop.newItem({ name: "Matrix Kettle", priceCents: 2599, stock: [[1, 40]] });
    orderA = await shop.placeOrder(a, [[lamp.id, 1]]);
    orderB = await shop.placeOrder(b, [[kettle.id, 1]]);
    [shipmentA] = await shop.assigned(orderA.id);
    [shipmentB] = await shop.assigned(orderB.id);
    expect(shipmentA.warehouseId).to.equal(w1.id);
    expect(shipmentB.warehouseId).to.equal(w2.id);
    // A has a lamp in the cart and an active checkout reserving it.
    await client(CartService, "customerA").updateCartItemQuantity({ itemId: lamp.id, quantity: 2 });
    checkoutA = (await client(OrderService, "customerA").beginCheckout({})).checkout!.id;
  });

  after(async () => {
    if (results.length) console.log(`      ${results.length} (RPC, caller) answers checked`);
    await shop?.stop();
  });

  async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
    try {
      await call();
      return "ok";
    } catch (err) {
      const e = ConnectError.from(err);
      return OUTCOME_OF[e.code] ?? `${Code[e.code]}: ${e.rawMessage}`;
    }
  }

  async function check(rows: Row[]): Promise<void> {
    const wrong: string[] = [];
    for (const row of rows) {
      for (const as of CALLERS) {
        const got = await outcome(() => row.call(as));
        results.push(`${row.rpc} ${as} ${got}`);
        if (got !== row.expect[as]) wrong.push(`${row.rpc} as ${as}: expected ${row.expect[as]}, got ${got}`);
      }
    }
    expect(wrong, wrong.join("\n")).to.deep.equal([]);
  }

  /** Drains a server stream's first message (WatchOrder sends the order at once), then hangs up. */
  async function firstOf<T>(stream: AsyncIterable<T>, abort: AbortController): Promise<T> {
    try {
      for await (const msg of stream) return msg;
      throw new Error("stream ended without a message");
    } finally {
      abort.abort();
    }
  }

  it("identity: anyone may register and sign in; Me needs a token", () => check([
    { rpc: "IdentityService/Register", expect: everyone,
      call: (as) => client(IdentityService, as).register({ email: `new-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, displayName: "New" }) },
    { rpc: "IdentityService/Login", expect: everyone,
      call: (as) => client(IdentityService, as).login({ email: accounts.customerA.email, password: PASSWORD }) },
    { rpc: "IdentityService/Me", expect: { ...everyone, anonymous: U },
      call: (as) => client(IdentityService, as).me({}) },
  ]));

  it("catalog: reads are public, writes are the admin's", () => check([
    { rpc: "CatalogService/GetItem", expect: everyone, call: (as) => client(CatalogService, as).getItem({ itemId: lamp.id }) },
    { rpc: "CatalogService/BatchGetItems", expect: everyone, call: (as) => client(CatalogService, as).batchGetItems({ itemIds: [lamp.id, kettle.id] }) },
    { rpc: "CatalogService/ListItems", expect: everyone, call: (as) => client(CatalogService, as).listItems({ pageSize: 5 }) },
    { rpc: "CatalogService/ListCategories", expect: everyone, call: (as) => client(CatalogService, as).listCategories({ parentId: "abcat0010000" }) },
    { rpc: "CatalogService/CreateItem", expect: adminOnly,
      call: (as) => client(CatalogService, as).createItem({
        sku: `M-${randomUUID().slice(0, 8)}`, name: "Matrix lamp", brand: "Acme", categoryId: DESK_LAMPS, price: money(1000n, "USD"),
      }) },
    { rpc: "CatalogService/UpdateItem", expect: adminOnly,
      call: async (as) => {
        const { item } = await client(CatalogService, "anonymous").getItem({ itemId: lamp.id });
        return client(CatalogService, as).updateItem({ itemId: lamp.id, expectedVersion: item!.version, description: `Seen by ${as}` });
      } },
    { rpc: "CatalogService/ArchiveItem", expect: adminOnly,
      call: async (as) => {
        const spare = await shop.newItem({ name: "Spare lamp", priceCents: 100, stock: [] });
        return client(CatalogService, as).archiveItem({ itemId: spare.id });
      } },
  ]));

  it("search: public", () => check([
    { rpc: "SearchService/GetItemCatalog", expect: everyone, call: (as) => client(SearchService, as).getItemCatalog({ query: "lamp" }) },
    { rpc: "SearchService/Suggest", expect: everyone, call: (as) => client(SearchService, as).suggest({ prefix: "lam" }) },
  ]));

  it("cart: each customer's own, nobody else's", async () => {
    await check([
      { rpc: "CartService/GetCart", expect: customersOnly, call: (as) => client(CartService, as).getCart({}) },
      { rpc: "CartService/UpdateCartItemQuantity", expect: customersOnly,
        call: (as) => client(CartService, as).updateCartItemQuantity({ itemId: kettle.id, quantity: as === "customerA" ? 0 : 1 }) },
      { rpc: "CartService/ClearCart (named items only)", expect: customersOnly,
        call: (as) => client(CartService, as).clearCart({ itemIds: [randomUUID()] }) },
      { rpc: "CartService/ClearCart (another user's cart)", expect: { ...customersOnly, customerA: D, customerB: D },
        call: (as) => client(CartService, as).clearCart({ userId: as === "customerA" ? accounts.customerB.user.id : accounts.customerA.user.id }) },
    ]);
    const cartA = (await client(CartService, "customerA").getCart({})).cart!;
    const cartB = (await client(CartService, "customerB").getCart({})).cart!;
    expect(cartA.userId).to.equal(accounts.customerA.user.id);
    expect(cartA.lines.map((l) => [l.itemId, l.quantity])).to.deep.equal([[lamp.id, 2]]);
    expect(cartB.userId).to.equal(accounts.customerB.user.id);
    expect(cartB.lines.map((l) => l.itemId)).not.to.include(lamp.id);
  });

  it("checkout and orders: the caller's own; another customer's answer NotFound", async () => {
    await check([
      { rpc: "OrderService/GetCheckout", expect: { ...customersOnly, customerB: "notFound" },
        call: (as) => client(OrderService, as).getCheckout({ checkoutId: checkoutA }) },
      { rpc: "OrderService/SubmitOrder (A's checkout)", expect: { ...customersOnly, customerA: "failedPrecondition", customerB: "notFound" },
        // A test card the provider declines: A is let in and told the payment failed; B cannot even find it.
        call: (as) => client(OrderService, as).submitOrder({
          checkoutId: checkoutA, idempotencyKey: randomUUID(), card: { ...TEST_CARD, number: "4000000000000002" }, shippingAddress: TEST_ADDRESS,
        }) },
      { rpc: "OrderService/CancelCheckout (A's checkout)", expect: { ...customersOnly, customerB: "notFound" },
        call: (as) => client(OrderService, as).cancelCheckout({ checkoutId: checkoutA }) },
      { rpc: "OrderService/BeginCheckout", expect: customersOnly, call: (as) => client(OrderService, as).beginCheckout({}) },
      { rpc: "OrderService/GetOrder (A's order)", expect: { ...customersOnly, customerB: "notFound" },
        call: (as) => client(OrderService, as).getOrder({ orderId: orderA.id }) },
      { rpc: "OrderService/GetMyOrders", expect: customersOnly, call: (as) => client(OrderService, as).getMyOrders({}) },
      { rpc: "OrderService/WatchOrder (A's order)", expect: { ...customersOnly, customerB: "notFound" },
        call: (as) => {
          const abort = new AbortController();
          return firstOf(client(OrderService, as).watchOrder({ orderId: orderA.id }, { signal: abort.signal }), abort);
        } },
    ]);
    const mineA = (await client(OrderService, "customerA").getMyOrders({})).orders.map((o) => o.id);
    const mineB = (await client(OrderService, "customerB").getMyOrders({})).orders.map((o) => o.id);
    expect(mineA).to.include(orderA.id).and.not.include(orderB.id);
    expect(mineB).to.include(orderB.id).and.not.include(orderA.id);
    // "My latest checkout" is each customer's own.
    const lastA = (await client(OrderService, "customerA").getCheckout({})).checkout!;
    const lastB = (await client(OrderService, "customerB").getCheckout({})).checkout!;
    expect(lastA.lines.map((l) => l.itemId)).to.deep.equal([lamp.id]);
    expect(lastB.id).not.to.equal(lastA.id);
    expect(lastB.lines.map((l) => l.itemId)).not.to.include(lamp.id);
  });

  it("inventory: availability is public; stock administration is staff's, each warehouse its own", () => check([
    { rpc: "InventoryService/GetAvailability", expect: everyone, call: (as) => client(InventoryService, as).getAvailability({ itemId: lamp.id }) },
    { rpc: "InventoryService/BatchGetAvailability", expect: everyone,
      call: (as) => client(InventoryService, as).batchGetAvailability({ itemIds: [lamp.id, kettle.id] }) },
    { rpc: "InventoryService/ListWarehouses", expect: staff, call: (as) => client(InventoryService, as).listWarehouses({}) },
    { rpc: "InventoryService/GetWarehouse", expect: staff, call: (as) => client(InventoryService, as).getWarehouse({ warehouseId: w1.id }) },
    { rpc: "InventoryService/GetItemStock", expect: staff, call: (as) => client(InventoryService, as).getItemStock({ itemId: lamp.id }) },
    { rpc: "InventoryService/CreateWarehouse", expect: adminOnly,
      call: (as) => client(InventoryService, as).createWarehouse({ code: `M${randomUUID().slice(0, 6)}`, name: "Matrix depot" }) },
    { rpc: "InventoryService/ReceiveStock (W1)", expect: staff,
      call: (as) => client(InventoryService, as).receiveStock({ warehouseId: w1.id, itemId: lamp.id, quantity: 1, reference: as }) },
    { rpc: "InventoryService/ReceiveStock (W2)", expect: adminOnly,
      call: (as) => client(InventoryService, as).receiveStock({ warehouseId: w2.id, itemId: kettle.id, quantity: 1, reference: as }) },
    { rpc: "InventoryService/WriteOff (W1)", expect: staff,
      call: (as) => client(InventoryService, as).writeOff({ warehouseId: w1.id, itemId: lamp.id, quantity: 1, reason: `count by ${as}` }) },
    { rpc: "InventoryService/WriteOff (W2)", expect: adminOnly,
      call: (as) => client(InventoryService, as).writeOff({ warehouseId: w2.id, itemId: kettle.id, quantity: 1, reason: `count by ${as}` }) },
    { rpc: "InventoryService/AuditStock", expect: adminOnly, call: (as) => client(InventoryService, as).auditStock({}) },
  ]));

  it("a warehouse user sees only its own warehouse's stock rows", async () => {
    const own = await client(InventoryService, "warehouse").getItemStock({ itemId: kettle.id });
    expect(own.warehouses.map((w) => w.warehouseId)).not.to.include(w2.id);
    const all = await client(InventoryService, "admin").getItemStock({ itemId: kettle.id });
    expect(all.warehouses.map((w) => w.warehouseId)).to.include(w2.id);
  });

  it("assignment: warehouse staff see and advance their own warehouse's orders; admins all", () => check([
    { rpc: "AssignmentService/ListWarehouseOrders (W1)", expect: staff,
      call: (as) => client(AssignmentService, as).listWarehouseOrders({ warehouseId: w1.id }) },
    { rpc: "AssignmentService/ListWarehouseOrders (W2)", expect: adminOnly,
      call: (as) => client(AssignmentService, as).listWarehouseOrders({ warehouseId: w2.id }) },
    { rpc: "AssignmentService/GetWarehouseOrder (W1)", expect: staff,
      call: (as) => client(AssignmentService, as).getWarehouseOrder({ warehouseOrderId: shipmentA.id }) },
    { rpc: "AssignmentService/GetWarehouseOrder (W2)", expect: adminOnly,
      call: (as) => client(AssignmentService, as).getWarehouseOrder({ warehouseOrderId: shipmentB.id }) },
    { rpc: "AssignmentService/UpdateWarehouseOrderStatus (W1)", expect: staff,
      call: (as) => client(AssignmentService, as).updateWarehouseOrderStatus({ warehouseOrderId: shipmentA.id, status: WarehouseOrderStatus.PICKED }) },
    { rpc: "AssignmentService/UpdateWarehouseOrderStatus (W2)", expect: adminOnly,
      call: (as) => client(AssignmentService, as).updateWarehouseOrderStatus({ warehouseOrderId: shipmentB.id, status: WarehouseOrderStatus.PICKED }) },
  ]));

  it("keeps the mesh's internal RPCs off the gateway for every caller", () => {
    const inv = (as: Caller) => client(InventoryService, as);
    const asg = (as: Caller) => client(AssignmentService, as);
    const id = randomUUID();
    return check([
      { rpc: "InventoryService/Reserve", expect: unexposed, call: (as) => inv(as).reserve({ checkoutId: id, lines: [{ itemId: lamp.id, quantity: 1 }] }) },
      { rpc: "InventoryService/Release", expect: unexposed, call: (as) => inv(as).release({ checkoutId: id }) },
      { rpc: "InventoryService/Commit", expect: unexposed, call: (as) => inv(as).commit({ checkoutId: id, orderId: id }) },
      { rpc: "InventoryService/AllocateOrder", expect: unexposed, call: (as) => inv(as).allocateOrder({ orderId: id }) },
      { rpc: "InventoryService/DeallocateOrder", expect: unexposed, call: (as) => inv(as).deallocateOrder({ orderId: orderA.id }) },
      { rpc: "InventoryService/RecordShipment", expect: unexposed, call: (as) => inv(as).recordShipment({ orderId: orderA.id, warehouseOrderId: shipmentA.id }) },
      { rpc: "AssignmentService/ListOrderShipments", expect: unexposed, call: (as) => asg(as).listOrderShipments({ orderId: orderA.id }) },
      { rpc: "AssignmentService/CancelOrderAssignment", expect: unexposed, call: (as) => asg(as).cancelOrderAssignment({ orderId: orderA.id }) },
      { rpc: "grpc.health.v1.Health/Check", expect: unexposed, call: (as) => client(Health, as).check({}) },
    ]);
  });

  it("cancelling: only the order's own customer, and B's attempt on A's order changes nothing", async () => {
    await check([
      { rpc: "OrderService/CancelOrder (A's order)", expect: { ...customersOnly, customerB: "notFound" },
        call: (as) => client(OrderService, as).cancelOrder({ orderId: orderA.id, reason: `by ${as}` }) },
    ]);
    const { order: after } = await client(OrderService, "customerA").getOrder({ orderId: orderA.id });
    expect(after?.userId).to.equal(accounts.customerA.user.id);
  });

  it("every service verifies the token itself, not only the gateway", async () => {
    const forged = await unknownKeySigner().sign({ subject: accounts.admin.user.id, role: "admin" }, 3600);
    const direct = <T extends DescService>(service: T, url: string) => createClient(service, createGrpcTransport({
      baseUrl: url,
      interceptors: [(next) => (req) => { req.header.set("authorization", `Bearer ${forged}`); return next(req); }],
    }));
    const s = shop.services;
    const calls: [string, () => Promise<unknown>][] = [
      ["catalog", () => direct(CatalogService, s.catalog.url).getItem({ itemId: lamp.id })],
      ["search", () => direct(SearchService, s.search.url).suggest({ prefix: "lam" })],
      ["cart", () => direct(CartService, s.cart.url).getCart({})],
      ["inventory", () => direct(InventoryService, s.inventory.url).getAvailability({ itemId: lamp.id })],
      ["order", () => direct(OrderService, s.order.url).getMyOrders({})],
      ["assignment", () => direct(AssignmentService, s.assignment.url).listWarehouseOrders({ warehouseId: w1.id })],
    ];
    for (const [name, call] of calls) expect(await outcome(call), name).to.equal("unauthenticated");
  });
});
