// Shared set-up for the inventory service tests: a running service on a fresh database, clients with each
// kind of caller, and direct SQL for checking (and, in the audit test, corrupting) the rows.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import pg from "pg";
import { InventoryService, type Warehouse } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { ItemQuantitySchema } from "../../../gen/shop/common/v1/common_pb.js";
import { bearer, startServices, tokenFor } from "../../../test/harness.js";
import { inventory } from "../src/main.js";

export type Inventory = Client<typeof InventoryService>;

export interface Fixture {
  client: Inventory;
  admin: { headers: { authorization: string } };
  service: { headers: { authorization: string } };
  sql: pg.Pool;
  databaseUrl: string;
  stop(): Promise<void>;
  warehouse(code?: string): Promise<Warehouse>;
  /** A new item id with `units` received at the warehouse. */
  stockedItem(warehouseId: string, units: number): Promise<string>;
  aggregated(itemId: string): Promise<number>;
  expectAuditClean(): Promise<void>;
  /** Row counts of the ledger and the counters' sum, to prove a refused call changed nothing. */
  snapshot(): Promise<string>;
}

/** Starts the service on a fresh database, or on `databaseUrl` when given (e.g. a seeded one). */
export async function startInventory(env: Record<string, string> = {}, databaseUrl?: string): Promise<Fixture> {
  const running = await startServices([inventory], { env, databaseUrl });
  const svc = running.services.inventory;
  const client = createClient(InventoryService, createGrpcTransport({ baseUrl: svc.url }));
  const admin = bearer(await tokenFor("admin"));
  const service = bearer(await tokenFor("service", "service:order"));
  const sql = new pg.Pool({ connectionString: running.databaseUrl, max: 4 });
  let n = 0;
  const f: Fixture = {
    client, admin, service, sql, databaseUrl: running.databaseUrl,
    async stop() {
      await sql.end();
      await running.stop();
    },
    async warehouse(code = `W${++n}-${randomUUID().slice(0, 6)}`) {
      const r = await client.createWarehouse({ code, name: `Warehouse ${code}`, location: { lat: 44.9, lon: -93.2 }, priority: n }, admin);
      return r.warehouse!;
    },
    async stockedItem(warehouseId, units) {
      const itemId = randomUUID();
      await client.receiveStock({ warehouseId, itemId, quantity: units, reference: "test" }, admin);
      return itemId;
    },
    async aggregated(itemId) {
      return (await client.getAvailability({ itemId })).availability!.available;
    },
    async expectAuditClean() {
      const r = await client.auditStock({}, admin);
      expect(r.violations.map((v) => `${v.invariant} ${v.itemId} ${v.warehouseId} ${v.detail}`)).to.deep.equal([]);
    },
    async snapshot() {
      const r = await sql.query(
        `SELECT (SELECT count(*) FROM inventory.stock_ledger) AS ledger,
                (SELECT count(*) FROM inventory.reservations) AS reservations,
                (SELECT count(*) FROM inventory.order_allocations) AS allocations,
                (SELECT count(*) FROM inventory.warehouses) AS warehouses,
                (SELECT coalesce(sum(aggregated), 0) FROM inventory.item_stock) AS aggregated,
                (SELECT coalesce(sum(physical), 0) || '/' || coalesce(sum(available), 0) FROM inventory.warehouse_stock) AS shelves`);
      return JSON.stringify(r.rows[0]);
    },
  };
  return f;
}

export function lines(...pairs: [string, number][]) {
  return pairs.map(([itemId, quantity]) => create(ItemQuantitySchema, { itemId, quantity }));
}

export function ttl(seconds: number) {
  return { seconds: BigInt(Math.floor(seconds)), nanos: Math.round((seconds % 1) * 1e9) };
}
