// Demo stock for `npm start`: warehouses at real Best Buy big-box store locations (data/bestbuy/stores.json.gz, CC0),
// the store nearest to each of several big cities spread across the country, and every item given stock
// across them with a deterministic PRNG. Written in bulk (one INSERT per table) with ledger rows and
// StockChanged events, so the invariants and the search read model hold from the first second.
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { inTransaction } from "../../../lib/db.js";
import { outboxArrays } from "../../../lib/outbox.js";
import { stockEvents, type WarehouseAvailable } from "./events.js";
import { haversineKm, readStores, type StoreRecord } from "../../../lib/geo.js";
import { createRng } from "../../../lib/random.js";
import { rows } from "../../../lib/sql.js";

export interface SeedInventoryOptions {
  /** Catalog item ids to stock; items that already have stock are left alone. */
  itemIds: string[];
  /** How many warehouses to create when there is none (1-12). */
  warehouses: number;
  /** PRNG seed: the same seed and item ids give the same stock. */
  seed: number;
  /** For the low_stock flag of the events (LOW_STOCK_THRESHOLD, default 5). */
  lowStockThreshold?: number;
}

export interface SeedInventorySummary {
  /** Warehouses that exist after seeding. */
  warehouses: number;
  warehousesCreated: number;
  /** Items given stock by this call (0 on a repeat). */
  itemsStocked: number;
  /** Units received by this call. */
  units: number;
}

type Store = StoreRecord & { location: { lat: number; lon: number } };

/** Big cities, in an order where any prefix is spread across the country (coast, coast, middle, south...). */
export const SEED_CITIES = [
  { code: "NYC", name: "New York", lat: 40.7128, lon: -74.006 },
  { code: "LAX", name: "Los Angeles", lat: 34.0522, lon: -118.2437 },
  { code: "CHI", name: "Chicago", lat: 41.8781, lon: -87.6298 },
  { code: "DFW", name: "Dallas", lat: 32.7767, lon: -96.797 },
  { code: "ATL", name: "Atlanta", lat: 33.749, lon: -84.388 },
  { code: "SEA", name: "Seattle", lat: 47.6062, lon: -122.3321 },
  { code: "DEN", name: "Denver", lat: 39.7392, lon: -104.9903 },
  { code: "MSP", name: "Minneapolis", lat: 44.9778, lon: -93.265 },
  { code: "MIA", name: "Miami", lat: 25.7617, lon: -80.1918 },
  { code: "PHX", name: "Phoenix", lat: 33.4484, lon: -112.074 },
  { code: "BOS", name: "Boston", lat: 42.3601, lon: -71.0589 },
  { code: "SFO", name: "San Francisco", lat: 37.7749, lon: -122.4194 },
] as const;

/** Big-box stores only: Mobile (mall kiosks) and Express (airport vending) have no back room to ship from. */
function loadStores(): Store[] {
  return readStores().filter((s): s is Store =>
    s.type === "BigBox" && typeof s.location?.lat === "number" && typeof s.location?.lon === "number");
}

/** The warehouses the seed creates: the store nearest to each of the first `n` cities (ties: lower store id). */
export function seedWarehouseSites(n: number): { code: string; name: string; store: Store; priority: number }[] {
  const stores = loadStores();
  return SEED_CITIES.slice(0, n).map((city, i) => {
    let best = stores[0];
    let bestKm = Infinity;
    for (const s of stores) {
      const km = haversineKm(city, s.location);
      if (km < bestKm || (km === bestKm && s.id < best.id)) {
        best = s;
        bestKm = km;
      }
    }
    return { code: `${city.code}-${best.id}`, name: `${city.name} fulfillment center (${best.name})`, store: best, priority: i };
  });
}


/**
 * Stock of one item as (warehouse index, units) pairs: ~5% out of stock, ~5% low (1 to threshold-1 units in
 * one warehouse), ~40% in one warehouse, the rest in 2-4 warehouses.
 */
export function seedStockPlan(itemId: string, warehouses: number, seed: number, threshold: number): [number, number][] {
  // Seeded by the item id, not its place in the list, so each item's stock is stable as the catalog grows.
  const rand = createRng(`${seed}:${itemId}`).next;
  const pick = (k: number) => {
    const order = Array.from({ length: warehouses }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order.slice(0, k).sort((a, b) => a - b);
  };
  const units = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const r = rand();
  if (r < 0.05 || warehouses === 0) return [];
  if (r < 0.10) return [[pick(1)[0], units(1, Math.max(1, threshold - 1))]];
  if (r < 0.50 || warehouses === 1) return [[pick(1)[0], units(5, 120)]];
  return pick(units(2, Math.min(4, warehouses))).map((w) => [w, units(3, 80)]);
}

export async function seedInventory(ds: DataSource, opts: SeedInventoryOptions): Promise<SeedInventorySummary> {
  if (!Number.isInteger(opts.warehouses) || opts.warehouses < 1 || opts.warehouses > SEED_CITIES.length) {
    throw new Error(`warehouses must be between 1 and ${SEED_CITIES.length}`);
  }
  const threshold = opts.lowStockThreshold ?? 5;
  return inTransaction(ds, async (tx) => {
    // Two seeders at once (several processes starting) must not both create warehouses.
    await rows(tx, `SELECT pg_advisory_xact_lock(hashtext('inventory:seed'))`);
    let warehousesCreated = 0;
    const existing = await rows<{ n: number }>(tx, `SELECT count(*)::int AS n FROM inventory.warehouses`);
    if (existing[0].n === 0) {
      const sites = seedWarehouseSites(opts.warehouses);
      await rows(tx,
        `INSERT INTO inventory.warehouses (id, code, name, address, lat, lon, priority)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::float8[], $6::float8[], $7::int[])`,
        [sites.map(() => randomUUID()), sites.map((s) => s.code), sites.map((s) => s.name),
          sites.map((s) => JSON.stringify({
            recipient: "Receiving dock", line1: s.store.address, ...(s.store.address2 ? { line2: s.store.address2 } : {}),
            city: s.store.city, region: s.store.state, postalCode: s.store.zip, countryCode: "US",
          })),
          sites.map((s) => s.store.location!.lat), sites.map((s) => s.store.location!.lon), sites.map((s) => s.priority)]);
      warehousesCreated = sites.length;
    }
    const warehouses = await rows<{ id: string }>(tx, `SELECT id FROM inventory.warehouses WHERE active ORDER BY priority, code`);

    const wanted = [...new Set(opts.itemIds.map((id) => id.toLowerCase()))];
    const stocked = new Set((await rows<{ item_id: string }>(tx,
      `SELECT item_id FROM inventory.item_stock WHERE item_id = ANY($1::uuid[])
       UNION SELECT item_id FROM inventory.warehouse_stock WHERE item_id = ANY($1::uuid[])`, [wanted])).map((r) => r.item_id));
    const fresh = wanted.filter((id) => !stocked.has(id));

    const shelf = { item: [] as string[], warehouse: [] as string[], units: [] as number[] };
    const totals: number[] = [];
    const perWarehouse: WarehouseAvailable[][] = [];
    for (const itemId of fresh) {
      let total = 0;
      const placed: WarehouseAvailable[] = [];
      for (const [w, n] of seedStockPlan(itemId, warehouses.length, opts.seed, threshold)) {
        shelf.item.push(itemId);
        shelf.warehouse.push(warehouses[w].id);
        shelf.units.push(n);
        placed.push({ warehouseId: warehouses[w].id, available: n });
        total += n;
      }
      totals.push(total);
      perWarehouse.push(placed);
    }
    const events = stockEvents(fresh.map((itemId, i) => ({ itemId, before: 0, after: totals[i], sequence: 1n, warehouses: perWarehouse[i] })), threshold);
    const withStock = fresh.map((id, i) => [id, totals[i]] as const).filter(([, n]) => n > 0);
    await rows(tx,
      `WITH ws AS (
         INSERT INTO inventory.warehouse_stock (item_id, warehouse_id, physical, available)
         SELECT i, w, n, n FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS t(i, w, n)
       ), items AS (
         INSERT INTO inventory.item_stock (item_id, aggregated, sequence)
         SELECT i, n, 1 FROM unnest($4::uuid[], $5::int[]) AS t(i, n)
       ), shelf_ledger AS (
         INSERT INTO inventory.stock_ledger (item_id, warehouse_id, counter, delta, reason, reference)
         SELECT i, w, c, n, 'receive', 'seed' FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS t(i, w, n)
         CROSS JOIN (VALUES ('physical'), ('available')) AS k(c)
       ), item_ledger AS (
         INSERT INTO inventory.stock_ledger (item_id, counter, delta, reason, reference)
         SELECT i, 'aggregated', n, 'receive', 'seed' FROM unnest($6::uuid[], $7::int[]) AS t(i, n)
       ), outbox AS (
         INSERT INTO inventory.outbox (event_id, subject, message_type, payload)
         SELECT * FROM unnest($8::uuid[], $9::text[], $10::text[], $11::bytea[])
       )
       SELECT pg_notify('inventory_outbox', '')`,
      [shelf.item, shelf.warehouse, shelf.units, fresh, totals,
        withStock.map(([id]) => id), withStock.map(([, n]) => n), ...outboxArrays(events)]);
    return {
      warehouses: warehouses.length,
      warehousesCreated,
      itemsStocked: fresh.length,
      units: totals.reduce((a, b) => a + b, 0),
    };
  });
}
