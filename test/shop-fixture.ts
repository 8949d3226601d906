// The whole shop in-process for cross-service tests: the six services (real Postgres, Redis, NATS of the
// suite), the gateway with identity and the storefront, a first admin from configuration, a warehouse user
// bound to the first warehouse, and helpers to create customers, items with stock, and orders, all through the
// gateway as a browser would call it.
import { randomUUID } from "node:crypto";
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AssignmentService, type WarehouseOrder } from "../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { CatalogService, type Item } from "../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService, type User } from "../gen/shop/identity/v1/identity_pb.js";
import { InventoryService, type Warehouse } from "../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, type Order } from "../gen/shop/order/v1/order_pb.js";
import { ensureAccount } from "../gateway/src/identity/accounts.js";
import type { RunningGateway } from "../gateway/src/main.js";
import { startTestGateway } from "../gateway/test/helpers.js";
import { money } from "../services/lib/money.js";
import { assignment } from "../services/assignment/src/main.js";
import { cart } from "../services/cart/src/main.js";
import { catalog } from "../services/catalog/src/main.js";
import { seedCatalog } from "../services/catalog/src/store/seed.js";
import { inventory } from "../services/inventory/src/main.js";
import { seedInventory } from "../services/inventory/src/store/seed.js";
import { order } from "../services/order/src/main.js";
import { search } from "../services/search/src/main.js";
import type { MeshCertificates } from "../deploy/mesh-certs.js";
import { eventually, isolatedConsumers, startServices } from "./harness.js";

export const TEST_CARD = { number: "4242424242424242", expiryMonth: 12, expiryYear: new Date().getFullYear() + 2, cvc: "123", holderName: "Ada Shopper" };
export const TEST_ADDRESS = {
  recipient: "Ada Shopper", line1: "100 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "US",
};
/** A real leaf category of the Best Buy tree (Desk Lamps). */
export const DESK_LAMPS = "pcmcat256000050001";

export interface Account {
  email: string;
  password: string;
  token: string;
  user: User;
}

export interface Shop {
  url: string;
  gateway: RunningGateway;
  services: Awaited<ReturnType<typeof startServices>>["services"];
  admin: Account;
  warehouseUser: Account;
  /** Active warehouses, the warehouse user's first. */
  warehouses: Warehouse[];
  /** Item ids the demo seed created (empty unless seedItems > 0). */
  seededItemIds: string[];
  /** A client of the gateway (Connect JSON over HTTP/1.1, like connect-web), as the token's holder or anonymous. */
  client<T extends DescService>(service: T, token?: string): Client<T>;
  newCustomer(displayName?: string): Promise<Account>;
  /** Creates an item (admin) and receives stock at the given warehouses (index into `warehouses`). */
  newItem(spec: { name: string; brand?: string; priceCents: number; stock: [number, number][]; description?: string }): Promise<Item>;
  /** Cart -> BeginCheckout -> card tokenized at the test provider -> SubmitOrder with the token, as the customer. */
  placeOrder(customer: Account, lines: [string, number][], card?: typeof TEST_CARD): Promise<Order>;
  /** The test provider's single-use payment token for a card, as the storefront gets it. */
  tokenize(card?: typeof TEST_CARD): Promise<string>;
  /** Waits until Assignment has split the order; returns its warehouse orders. */
  assigned(orderId: string, timeoutMs?: number): Promise<WarehouseOrder[]>;
  stop(): Promise<void>;
}

export const PASSWORD = "test-password-123";

/** `tls`: every service and the gateway run mutual TLS with their certificates from it (harness testCertificates). */
export async function startShop(opts: { seedItems?: number; warehouses?: number; env?: Record<string, string>; tls?: MeshCertificates } = {}): Promise<Shop> {
  const env = { ...isolatedConsumers(), ...opts.env };
  const mesh = await startServices([catalog, inventory, search, cart, assignment, order], { env, tls: opts.tls });
  let gateway: RunningGateway | undefined;
  try {
    const seeded = await seedCatalog(mesh.services.catalog.ctx.db, { items: opts.seedItems ?? 0, seed: 7 });
    await seedInventory(mesh.services.inventory.ctx.db, { itemIds: seeded.itemIds, warehouses: opts.warehouses ?? 2, seed: 7 });
    const adminEmail = `admin-${randomUUID().slice(0, 6)}@shop.test`;
    gateway = await startTestGateway({
      databaseUrl: mesh.databaseUrl,
      services: mesh.services,
      env: {
        ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: PASSWORD,
        // The whole suite shares one Redis and calls from 127.0.0.1: these tests are about access, not limits.
        RATE_LIMIT_PER_ADDRESS: "0", REGISTRATIONS_PER_ADDRESS: "0",
        ...env,
        ...opts.tls?.envFor("gateway"),
      },
    });
    const url = gateway.url;
    const client = <T extends DescService>(service: T, token?: string): Client<T> => createClient(service, createConnectTransport({
      baseUrl: url,
      httpVersion: "1.1",
      interceptors: token ? [(next) => (req) => { req.header.set("authorization", `Bearer ${token}`); return next(req); }] : [],
    }));
    const login = async (email: string): Promise<Account> => {
      const res = await client(IdentityService).login({ email, password: PASSWORD });
      return { email, password: PASSWORD, token: res.accessToken, user: res.user! };
    };
    const admin = await login(adminEmail);
    const warehouses = (await client(InventoryService, admin.token).listWarehouses({})).warehouses;
    const whEmail = `picker-${randomUUID().slice(0, 6)}@shop.test`;
    await ensureAccount(gateway.db, { email: whEmail, password: PASSWORD, displayName: "Pat Picker", role: "warehouse", warehouseId: warehouses[0].id });
    const warehouseUser = await login(whEmail);

    const shop: Shop = {
      url, gateway, services: mesh.services, admin, warehouseUser, warehouses, seededItemIds: seeded.itemIds, client,
      async newCustomer(displayName = "Customer") {
        const email = `${displayName.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 8)}@example.com`;
        const res = await client(IdentityService).register({ email, password: PASSWORD, displayName });
        return { email, password: PASSWORD, token: res.accessToken, user: res.user! };
      },
      async newItem(spec) {
        const { item } = await client(CatalogService, admin.token).createItem({
          sku: `T-${randomUUID().slice(0, 8)}`, name: spec.name, brand: spec.brand ?? "Acme", categoryId: DESK_LAMPS,
          description: spec.description ?? `${spec.name}, made for tests.`, price: money(BigInt(spec.priceCents), "USD"),
        });
        for (const [w, units] of spec.stock) {
          await client(InventoryService, admin.token).receiveStock({ warehouseId: warehouses[w].id, itemId: item!.id, quantity: units, reference: "test delivery" });
        }
        return item!;
      },
      async tokenize(card = TEST_CARD) {
        const res = await fetch(`${url}/test-payments/v1/tokens`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(card),
        });
        const body = await res.json() as { token?: string; message?: string };
        if (!res.ok || !body.token) throw new Error(`tokenization refused (${res.status}): ${body.message}`);
        return body.token;
      },
      async placeOrder(customer, lines, card = TEST_CARD) {
        for (const [itemId, quantity] of lines) await client(CartService, customer.token).updateCartItemQuantity({ itemId, quantity });
        const begun = await client(OrderService, customer.token).beginCheckout({});
        if (!begun.checkout) throw new Error(`checkout short: ${JSON.stringify(begun.alerts)}`);
        const { order: placed } = await client(OrderService, customer.token).submitOrder({
          checkoutId: begun.checkout.id, idempotencyKey: randomUUID(), paymentToken: await shop.tokenize(card), shippingAddress: TEST_ADDRESS,
        });
        return placed!;
      },
      async assigned(orderId, timeoutMs = 15_000) {
        return eventually(async () => {
          const found: WarehouseOrder[] = [];
          for (const w of warehouses) {
            const res = await client(AssignmentService, admin.token).listWarehouseOrders({ warehouseId: w.id, pageSize: 200 });
            found.push(...res.warehouseOrders.filter((wo) => wo.orderId === orderId));
          }
          return found.length ? found : undefined;
        }, timeoutMs, `order ${orderId} assigned`);
      },
      async stop() {
        await gateway?.stop();
        await mesh.stop();
      },
    };
    return shop;
  } catch (err) {
    await gateway?.stop();
    await mesh.stop();
    throw err;
  }
}
