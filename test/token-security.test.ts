// Every process of the mesh refuses every kind of forged token with Unauthenticated: the old repository secret,
// `alg: none`, HS256 keyed with the public key, expired, tampered, unknown or impersonated key ids, and mesh-key
// tokens that claim a user's role. Real services and gateway (startShop), each called directly.
import { spawn } from "node:child_process";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { AssignmentService } from "../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { CatalogService, type Item } from "../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService } from "../gen/shop/identity/v1/identity_pb.js";
import { InventoryService } from "../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../gen/shop/search/v1/search_pb.js";
import { forgedTokens } from "./forged-tokens.js";
import { tokenFor } from "./harness.js";
import { startShop, type Account, type Shop } from "./shop-fixture.js";

/** How a call with the token ended: "ok" or the gRPC code's name. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (err) {
    return Code[ConnectError.from(err).code];
  }
}

describe("forged tokens are refused by every process", function () {
  this.timeout(180_000);
  let shop: Shop;
  let customer: Account;
  let lamp: Item;
  /** One call per process, made with the given token: the six services directly over gRPC, and the gateway. */
  let targets: [string, (token: string) => Promise<unknown>][];

  before(async () => {
    shop = await startShop({ warehouses: 1 });
    customer = await shop.newCustomer("Forge Target");
    lamp = await shop.newItem({ name: "Security Lamp", priceCents: 1999, stock: [[0, 5]] });
    const direct = <T extends DescService>(service: T, url: string, token: string) => createClient(service, createGrpcTransport({
      baseUrl: url,
      interceptors: [(next) => (req) => { req.header.set("authorization", `Bearer ${token}`); return next(req); }],
    }));
    const s = shop.services;
    targets = [
      ["catalog", (t) => direct(CatalogService, s.catalog.url, t).getItem({ itemId: lamp.id })],
      ["search", (t) => direct(SearchService, s.search.url, t).suggest({ prefix: "sec" })],
      ["cart", (t) => direct(CartService, s.cart.url, t).getCart({})],
      ["inventory", (t) => direct(InventoryService, s.inventory.url, t).listWarehouses({})],
      ["order", (t) => direct(OrderService, s.order.url, t).getMyOrders({})],
      ["assignment", (t) => direct(AssignmentService, s.assignment.url, t).listWarehouseOrders({ warehouseId: shop.warehouses[0].id })],
      ["gateway (identity)", (t) => shop.client(IdentityService, t).me({})],
      ["gateway (forwarded)", (t) => shop.client(CatalogService, t).getItem({ itemId: lamp.id })],
    ];
  });

  after(async () => {
    await shop?.stop();
  });

  it("lets the real customer token through everywhere (the calls above are sound)", async () => {
    for (const [name, call] of targets) expect(await outcome(() => call(customer.token)), name).not.to.equal("Unauthenticated");
  });

  it("answers each forgery with Unauthenticated on all six services and the gateway", async () => {
    const forged = await forgedTokens(customer.token);
    expect(Object.keys(forged)).to.have.length.above(10);
    const wrong: string[] = [];
    for (const [kind, token] of Object.entries(forged)) {
      for (const [name, call] of targets) {
        const got = await outcome(() => call(token));
        if (got !== "Unauthenticated") wrong.push(`${kind} at ${name}: ${got}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it("accepts a real service token at every service but not at the gateway, which holds no mesh key", async () => {
    const service = await tokenFor("service", "service:order");
    for (const [name, call] of targets) {
      const got = await outcome(() => call(service));
      if (name.startsWith("gateway")) expect(got, name).to.equal("Unauthenticated");
      else expect(got, name).not.to.equal("Unauthenticated");
    }
  });
});

describe("processes without configured keys refuse to start", function () {
  this.timeout(60_000);
  const root = new URL("../", import.meta.url).pathname;

  /** Runs an entry point with no key settings; resolves with its exit code and everything it printed. */
  function runWithoutKeys(entry: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AUTH_")));
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: root,
      // Nothing listens at these addresses: the process must stop at the keys, before it connects anywhere.
      env: { ...clean, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", REDIS_URL: "redis://127.0.0.1:1", NATS_URL: "nats://127.0.0.1:1", PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
  }

  it("a service run directly names AUTH_JWKS_FILE", async () => {
    const { code, output } = await runWithoutKeys("services/catalog/src/main.ts");
    expect(code).to.not.equal(0);
    expect(output).to.contain("AUTH_JWKS_FILE is not set");
  });

  it("a service with public keys but no mesh key names AUTH_SERVICE_KEYS_FILE", async () => {
    const { testKeyEnv } = await import("./harness.js");
    const { code, output } = await runWithoutKeys("services/cart/src/main.ts", { AUTH_JWKS_FILE: testKeyEnv(false).AUTH_JWKS_FILE });
    expect(code).to.not.equal(0);
    expect(output).to.contain("AUTH_SERVICE_KEYS_FILE is not set");
  });

  it("the gateway without its signing keys names AUTH_SIGNING_KEYS_FILE", async () => {
    const { testKeyEnv } = await import("./harness.js");
    const { code, output } = await runWithoutKeys("gateway/src/main.ts", { AUTH_JWKS_FILE: testKeyEnv(true).AUTH_JWKS_FILE });
    expect(code).to.not.equal(0);
    expect(output).to.contain("AUTH_SIGNING_KEYS_FILE is not set");
  });

  it("npm start in production names every missing key setting and generates nothing", async () => {
    const { code, output } = await runWithoutKeys("deploy/start.ts", { NODE_ENV: "production", DATA_DIR: "/nonexistent/shop-data" });
    expect(code).to.not.equal(0);
    expect(output).to.contain("AUTH_SIGNING_KEYS_FILE, AUTH_JWKS_FILE, AUTH_SERVICE_KEYS_FILE not set");
  });
});
