// Shared set-up for the order service tests: real Catalog, Inventory, Cart (Assignment when asked; Order in-process
// or not) on a fresh database, with durable consumers of their own (isolatedConsumers); shoppers with their own
// tokens; items created through Catalog and stocked through Inventory; direct SQL for checking what was (and was
// not) written.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import pg from "pg";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { AddressSchema } from "../../../gen/shop/common/v1/common_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, PaymentCardSchema, type Order, type PaymentCard } from "../../../gen/shop/order/v1/order_pb.js";
import { money } from "../../lib/money.js";
import type { RunningService, ServiceModule } from "../../lib/server.js";
import { bearer, eventually, isolatedConsumers, startServices, tokenFor } from "../../../test/harness.js";
import type { AssignmentHooks } from "../../assignment/src/assigner.js";
import { assignmentModule } from "../../assignment/src/main.js";
import { cart } from "../../cart/src/main.js";
import { catalog } from "../../catalog/src/main.js";
import { inventory } from "../../inventory/src/main.js";
import { TEST_CARDS } from "../src/payment/test-provider.js";
import { order } from "../src/main.js";

export type Headers = { headers: { authorization: string } };

export interface Shopper {
  id: string;
  h: Headers;
}

export interface World {
  services: Record<string, RunningService>;
  databaseUrl: string;
  /** The environment every service of the world was started with (consumer placement included). */
  env: Record<string, string>;
  catalog: Client<typeof CatalogService>;
  inventory: Client<typeof InventoryService>;
  cart: Client<typeof CartService>;
  /** Set when the order service runs in-process. */
  order: Client<typeof OrderService>;
  admin: Headers;
  service: Headers;
  sql: pg.Pool;
  warehouseId: string;
  stop(): Promise<void>;
  /** A new item on sale at `priceMinor`, with `units` received at the warehouse. */
  item(units: number, priceMinor?: bigint): Promise<Item>;
  shopper(): Promise<Shopper>;
  /** Puts the lines in the shopper's cart (through Cart, as the shopper). */
  fill(s: Shopper, ...lines: [string, number][]): Promise<void>;
  aggregated(itemId: string): Promise<number>;
  /** Changes the item's price and waits until the cart's price view has heard of it; returns the new version. */
  setPrice(itemId: string, priceMinor: bigint): Promise<bigint>;
  /** Archives the item and waits until the cart's price view has heard of it. */
  archive(itemId: string): Promise<void>;
  expectAuditClean(): Promise<void>;
  /** Counts of what SubmitOrder writes, to prove a refused call changed nothing. */
  counts(): Promise<{ charges: number; captured: number; voided: number; orders: number; submissions: number; outbox: number }>;
}

export function orderClient(url: string): Client<typeof OrderService> {
  return createClient(OrderService, createGrpcTransport({ baseUrl: url }));
}

/**
 * Catalog, Inventory and Cart, plus Order unless `withOrder` is false (the crash test runs it as a child process),
 * plus Assignment (with test hooks) when `assignment` is given.
 */
export async function startWorld(
  env: Record<string, string> = {}, withOrder = true, assignment?: { hooks?: AssignmentHooks },
): Promise<World> {
  const modules: ServiceModule[] = [
    catalog, inventory, cart, ...(assignment ? [assignmentModule(assignment.hooks)] : []), ...(withOrder ? [order] : []),
  ];
  const worldEnv = { DB_POOL_SIZE: "20", ...isolatedConsumers(), ...env };
  const running = await startServices(modules, { env: worldEnv });
  const client = <T extends Parameters<typeof createClient>[0]>(svc: T, name: string) =>
    createClient(svc, createGrpcTransport({ baseUrl: running.services[name].url }));
  const catalogClient = client(CatalogService, "catalog") as Client<typeof CatalogService>;
  const inventoryClient = client(InventoryService, "inventory") as Client<typeof InventoryService>;
  const admin = bearer(await tokenFor("admin"));
  const service = bearer(await tokenFor("service", "service:test"));
  const sql = new pg.Pool({ connectionString: running.databaseUrl, max: 4 });
  const categories = await catalogClient.listCategories({});
  const categoryId = (categories.categories.find((c) => c.depth > 0) ?? categories.categories[0]).id;
  const wh = await inventoryClient.createWarehouse({ code: `W-${randomUUID().slice(0, 8)}`, name: "Test warehouse", location: { lat: 44.9, lon: -93.2 } }, admin);
  let n = 0;
  /** Browsing may be seconds stale: waits for the cart's price view (fed by catalog.items.changed) to reach `version`. */
  const cartViewHeard = (itemId: string, version: bigint) => eventually(async () => {
    const r = await sql.query(`SELECT version FROM cart.item_view WHERE item_id = $1`, [itemId]);
    return r.rows[0]?.version != null && BigInt(r.rows[0].version) >= version;
  }, 10_000, `the cart's view of item ${itemId} at version ${version}`);

  const w: World = {
    services: running.services,
    databaseUrl: running.databaseUrl,
    env: worldEnv,
    catalog: catalogClient,
    inventory: inventoryClient,
    cart: client(CartService, "cart") as Client<typeof CartService>,
    order: (withOrder ? orderClient(running.services.order.url) : undefined)!,
    admin,
    service,
    sql,
    warehouseId: wh.warehouse!.id,
    async stop() {
      await sql.end();
      await running.stop();
    },
    async item(units, priceMinor = 1999n) {
      const sku = `T-${++n}-${randomUUID().slice(0, 8)}`;
      const created = await catalogClient.createItem({
        sku, name: `Test item ${sku}`, brand: "Acme", categoryId, price: money(priceMinor),
      }, admin);
      if (units > 0) {
        await inventoryClient.receiveStock({ warehouseId: w.warehouseId, itemId: created.item!.id, quantity: units, reference: "test" }, admin);
      }
      return created.item!;
    },
    async shopper() {
      const id = randomUUID();
      return { id, h: bearer(await tokenFor("customer", id)) };
    },
    async fill(s, ...lines) {
      for (const [itemId, quantity] of lines) await w.cart.updateCartItemQuantity({ itemId, quantity }, s.h);
    },
    async aggregated(itemId) {
      return (await inventoryClient.getAvailability({ itemId })).availability!.available;
    },
    async setPrice(itemId, priceMinor) {
      const current = await catalogClient.getItem({ itemId });
      const { item } = await catalogClient.updateItem({ itemId, expectedVersion: current.item!.version, price: money(priceMinor) }, admin);
      await cartViewHeard(itemId, item!.version);
      return item!.version;
    },
    async archive(itemId) {
      await cartViewHeard(itemId, (await catalogClient.archiveItem({ itemId }, admin)).item!.version);
    },
    async expectAuditClean() {
      const r = await inventoryClient.auditStock({}, admin);
      expect(r.violations.map((v) => `${v.invariant} ${v.itemId} ${v.warehouseId} ${v.detail}`)).to.deep.equal([]);
    },
    async counts() {
      const r = await sql.query(`SELECT
        (SELECT count(*)::int FROM "order".payment_charges) AS charges,
        (SELECT count(*)::int FROM "order".payment_charges WHERE status = 'CAPTURED') AS captured,
        (SELECT count(*)::int FROM "order".payment_charges WHERE status = 'VOIDED') AS voided,
        (SELECT count(*)::int FROM "order".orders) AS orders,
        (SELECT count(*)::int FROM "order".submissions) AS submissions,
        (SELECT count(*)::int FROM "order".outbox) AS outbox`);
      return r.rows[0];
    },
  };
  return w;
}

/** A shopper with a placed order for `quantity` units of a new item stocked with `units`. */
export async function placeOrder(w: World, units = 10, quantity = 1): Promise<{ s: Shopper; order: Order; itemId: string }> {
  const item = await w.item(units);
  const s = await w.shopper();
  await w.fill(s, [item.id, quantity]);
  const c = (await w.order.beginCheckout({}, s.h)).checkout!;
  const order = (await w.order.submitOrder({ checkoutId: c.id, idempotencyKey: key(), card: card(), shippingAddress: address() }, s.h)).order!;
  return { s, order, itemId: item.id };
}

/** Reads a server stream message by message, each within a deadline. */
export class StreamReader<T> {
  private readonly it: AsyncIterator<T>;
  constructor(stream: AsyncIterable<T>) {
    this.it = stream[Symbol.asyncIterator]();
  }

  /** The next message; throws if none comes within `timeoutMs` or the stream ends. */
  async next(timeoutMs = 10_000): Promise<T> {
    const r = await this.result(timeoutMs);
    if (r.done) throw new Error("the stream ended");
    return r.value;
  }

  /** Resolves when the stream ends (throws if a message or nothing comes instead). */
  async end(timeoutMs = 10_000): Promise<void> {
    const r = await this.result(timeoutMs);
    if (!r.done) throw new Error("expected the stream to end, got a message");
  }

  private result(timeoutMs: number): Promise<IteratorResult<T>> {
    let timer: NodeJS.Timeout;
    return Promise.race([
      this.it.next().finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no stream message within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  }
}

export function card(number: string = TEST_CARDS.approve): PaymentCard {
  return create(PaymentCardSchema, { number, expiryMonth: 12, expiryYear: new Date().getUTCFullYear() + 3, cvc: "123", holderName: "Test Shopper" });
}

export function address() {
  return create(AddressSchema, {
    recipient: "Test Shopper", line1: "1 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "US",
  });
}

export function key(): string {
  return `key-${randomUUID()}`;
}

/** The gRPC code a call failed with (OK when it did not fail). */
export async function codeOf(call: Promise<unknown>): Promise<Code | "OK"> {
  try {
    await call;
    return "OK";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

/** Awaits a call that must fail with `code`; returns its message. */
export async function expectCode(call: Promise<unknown>, code: Code, messagePart?: string | RegExp): Promise<string> {
  try {
    await call;
  } catch (err) {
    const ce = ConnectError.from(err);
    expect(Code[ce.code], ce.rawMessage).to.equal(Code[code]);
    if (typeof messagePart === "string") expect(ce.rawMessage).to.include(messagePart);
    else if (messagePart) expect(ce.rawMessage).to.match(messagePart);
    return ce.rawMessage;
  }
  throw new Error(`expected ${Code[code]}, the call succeeded`);
}
