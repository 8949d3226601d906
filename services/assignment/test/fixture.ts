// Shared set-up for the assignment service tests: real Inventory + Assignment on a fresh database, the suite's
// NATS, clients for each kind of caller, and helpers to stock warehouses, place orders the way Order does
// (Reserve + Commit, then an OrderPlaced event on JetStream) and watch what comes out.
import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection, type Subscription } from "nats";
import pg from "pg";
import { AssignmentService, type WarehouseOrder } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { AddressSchema, ItemQuantitySchema, type Address } from "../../../gen/shop/common/v1/common_pb.js";
import { InventoryService, type Warehouse } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderPlacedSchema, type OrderPlaced } from "../../../gen/shop/order/v1/order_pb.js";
import { ensureStreams, SUBJECTS } from "../../lib/nats.js";
import { money } from "../../lib/money.js";
import { bearer, eventually, startServices, testInfra, tokenFor } from "../../../test/harness.js";
import { inventory } from "../../inventory/src/main.js";
import { ORDERS_PLACED_DURABLE, type AssignmentHooks } from "../src/assigner.js";
import { assignmentModule } from "../src/main.js";

export type Headers = { headers: { authorization: string } };

export const PLACES = {
  minneapolis: { lat: 44.9778, lon: -93.265 },
  chicago: { lat: 41.8781, lon: -87.6298 },
  denver: { lat: 39.7392, lon: -104.9903 },
  newYork: { lat: 40.7128, lon: -74.006 },
};

/**
 * The NATS stream is shared by every test file of the run, while each file has its own database: so each
 * file starts the service's durable consumer "from now on" (DeliverPolicy.New) instead of replaying orders
 * other files placed. The service binds to the existing durable (runConsumer keeps an existing one).
 */
export async function resetOrdersConsumer(nc: NatsConnection, ackWaitMs = 30_000): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await ensureStreams({ nc, jsm });
  await jsm.consumers.delete("ORDERS", ORDERS_PLACED_DURABLE).catch(() => undefined);
  await jsm.consumers.add("ORDERS", {
    durable_name: ORDERS_PLACED_DURABLE,
    filter_subject: SUBJECTS.ordersPlaced,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    ack_wait: ackWaitMs * 1e6,
    max_ack_pending: 1000,
  });
}

export interface World {
  inventory: Client<typeof InventoryService>;
  assignment: Client<typeof AssignmentService>;
  admin: Headers;
  service: Headers;
  sql: pg.Pool;
  nc: NatsConnection;
  databaseUrl: string;
  inventoryUrl: string;
  assignmentUrl?: string;
  stop(): Promise<void>;
  /** A new active warehouse (unique code) at a place. */
  warehouse(place: { lat: number; lon: number } | undefined, priority?: number): Promise<Warehouse>;
  /** A warehouse token for a warehouse's system. */
  warehouseToken(warehouseId: string): Promise<Headers>;
  receive(warehouseId: string, itemId: string, units: number): Promise<void>;
  /** Reserve + Commit as Order does; returns the order id. */
  committedOrder(lines: [string, number][]): Promise<string>;
  placed(orderId: string, lines: [string, number][], address?: AddressInit): OrderPlaced;
  /** Publishes an OrderPlaced as Order's outbox relay does (Nats-Msg-Id = event id unless given). */
  publish(event: OrderPlaced, msgId?: string): Promise<{ duplicate: boolean }>;
  /** Waits until the order has warehouse orders; returns them. */
  assigned(orderId: string, timeoutMs?: number): Promise<WarehouseOrder[]>;
  shelf(itemId: string, warehouseId: string): Promise<{ physical: number; available: number }>;
  expectAuditClean(): Promise<void>;
  /** A plain NATS subscriber decoding each message with `schema` (what a warehouse system would run). */
  listen<D extends DescMessage>(subject: string, schema: D): Promise<{ messages: MessageShape<D>[]; subjects: string[]; stop(): void }>;
}

export type AddressInit = Partial<Omit<Address, "$typeName" | "$unknown" | "location">> & { location?: { lat: number; lon: number } };

export function address(place?: { lat: number; lon: number }, over: AddressInit = {}): Address {
  return create(AddressSchema, {
    recipient: "Ada Lovelace", line1: "1 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "US",
    location: place, ...over,
  });
}

/**
 * Starts Inventory and Assignment in-process on a fresh database (or only Inventory, with `assignment: false`,
 * for tests that run Assignment as a child process).
 */
export async function startWorld(opts: { hooks?: AssignmentHooks; env?: Record<string, string>; ackWaitMs?: number; assignment?: boolean } = {}): Promise<World> {
  const nc = await connect({ servers: testInfra().natsUrl });
  await resetOrdersConsumer(nc, opts.ackWaitMs);
  const modules = opts.assignment === false ? [inventory] : [inventory, assignmentModule(opts.hooks)];
  const running = await startServices(modules, { env: { RESERVATION_SWEEP_INTERVAL_MS: "3600000", ...opts.env } });
  const inv = createClient(InventoryService, createGrpcTransport({ baseUrl: running.services.inventory.url }));
  const assignmentUrl = running.services.assignment?.url;
  const asg = createClient(AssignmentService, createGrpcTransport({ baseUrl: assignmentUrl ?? "http://127.0.0.1:1" }));
  const admin = bearer(await tokenFor("admin"));
  const service = bearer(await tokenFor("service", "service:order"));
  const sql = new pg.Pool({ connectionString: running.databaseUrl, max: 4 });
  const subs: Subscription[] = [];

  const w: World = {
    inventory: inv, assignment: asg, admin, service, sql, nc, databaseUrl: running.databaseUrl,
    inventoryUrl: running.services.inventory.url, assignmentUrl,
    async stop() {
      for (const s of subs) s.unsubscribe();
      await running.stop();
      await sql.end();
      // Leave the shared durable as a fresh one would start: standard settings, nothing pending.
      await resetOrdersConsumer(nc).catch(() => undefined);
      await nc.close();
    },
    async warehouse(place, priority = 0) {
      const code = `T${randomUUID().replace(/-/g, "").slice(0, 10)}`;
      return (await inv.createWarehouse({ code, name: `Warehouse ${code}`, location: place, priority }, admin)).warehouse!;
    },
    async warehouseToken(warehouseId) {
      return bearer(await tokenFor("warehouse", randomUUID(), warehouseId));
    },
    async receive(warehouseId, itemId, units) {
      await inv.receiveStock({ warehouseId, itemId, quantity: units, reference: "test delivery" }, admin);
    },
    async committedOrder(lines) {
      const checkoutId = randomUUID();
      const orderId = randomUUID();
      const r = await inv.reserve({ checkoutId, lines: lines.map(([itemId, quantity]) => create(ItemQuantitySchema, { itemId, quantity })) }, service);
      expect(r.shortages, "reserved").to.deep.equal([]);
      await inv.commit({ checkoutId, orderId }, service);
      return orderId;
    },
    placed(orderId, lines, addr = {}) {
      return create(OrderPlacedSchema, {
        eventId: randomUUID(),
        orderId,
        userId: randomUUID(),
        lines: lines.map(([itemId, quantity]) => ({ itemId, name: "Thing", quantity, unitPrice: money(100), lineTotal: money(100 * quantity) })),
        shippingAddress: address(undefined, addr),
        total: money(lines.reduce((s, [, q]) => s + 100 * q, 0)),
        occurTime: timestampNow(),
      });
    },
    async publish(event, msgId = event.eventId) {
      const js = nc.jetstream();
      const ack = await js.publish(SUBJECTS.ordersPlaced, toBinary(OrderPlacedSchema, event), { msgID: msgId });
      return { duplicate: ack.duplicate };
    },
    async assigned(orderId, timeoutMs = 10_000) {
      return eventually(async () => {
        const r = await asg.listOrderShipments({ orderId }, service);
        return r.warehouseOrders.length > 0 ? r.warehouseOrders : undefined;
      }, timeoutMs, `order ${orderId} assigned`);
    },
    async shelf(itemId, warehouseId) {
      const r = await inv.getItemStock({ itemId }, admin);
      const row = r.warehouses.find((x) => x.warehouseId === warehouseId);
      return { physical: row?.physical ?? 0, available: row?.available ?? 0 };
    },
    async expectAuditClean() {
      const r = await inv.auditStock({}, admin);
      expect(r.violations.map((v) => `${v.invariant} ${v.itemId} ${v.warehouseId} ${v.detail}`)).to.deep.equal([]);
    },
    async listen(subject, schema) {
      const sub = nc.subscribe(subject);
      subs.push(sub);
      const messages: MessageShape<typeof schema>[] = [];
      const subjects: string[] = [];
      void (async () => {
        for await (const m of sub) {
          messages.push(fromBinary(schema, m.data));
          subjects.push(m.subject);
        }
      })();
      await nc.flush();
      return { messages, subjects, stop: () => sub.unsubscribe() };
    },
  };
  return w;
}
