// Seeding: the real category tree (data/bestbuy/categories.json.gz, Best Buy open data, CC0) and generated
// demo items. Both are idempotent: categories are upserted by id; items are seeded only into an empty
// catalog, in one transaction with their ItemChanged (CREATED) outbox rows, so the search read model can be
// built from events alone.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import type { DataSource, EntityManager } from "typeorm";
import { ItemChangeType, ItemChangedSchema, ItemSchema, ItemStatus } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import { assetUrl } from "../../../lib/assets.js";
import { money, STORE_CURRENCY } from "../../../lib/money.js";
import { EVENTS } from "../../../lib/events.js";
import { buildCategoryTree, type CategoryRecord, type RawCategory } from "../domain/categories.js";
import { planDemoItems, type DemoItem } from "../demo/demo-items.js";
import { isoFromMicros } from "../domain/paging.js";
import { timestampFromMicros } from "./items.js";

export const CATEGORY_DATA_FILE = assetUrl("data/bestbuy/categories.json.gz");

export interface SeedCatalogOptions {
  /** Demo items to create when the catalog has none (default 3000). */
  items?: number;
  /** Same seed, same items (names, prices, ids). */
  seed?: number | string;
}

export interface SeedCatalogResult {
  /** Categories in the catalog afterwards. */
  categories: number;
  /** Items in the catalog afterwards. */
  items: number;
  /** Items this call created (0 when the catalog already had items). */
  insertedItems: number;
  /** Ids of every item on sale, ordered by SKU (what an inventory seed stocks). */
  itemIds: string[];
}

const ROWS_PER_STATEMENT = 2000;

let treeCache: Promise<CategoryRecord[]> | undefined;

/** The category tree from the data file, parsed once per process. */
export function loadCategoryTree(file: URL | string = CATEGORY_DATA_FILE): Promise<CategoryRecord[]> {
  const load = async () => buildCategoryTree(JSON.parse(gunzipSync(await readFile(file)).toString("utf8")) as RawCategory[]);
  if (file !== CATEGORY_DATA_FILE) return load();
  treeCache ??= load().catch((err) => {
    treeCache = undefined;
    throw err;
  });
  return treeCache;
}

/** Loads the 4,584 categories if any is missing; returns how many the catalog holds. */
export async function seedCategories(ds: DataSource): Promise<number> {
  const tree = await loadCategoryTree();
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM catalog.categories`);
  if (n >= tree.length) return n;
  // One statement: the self-referencing FK is checked at its end, so parents and children may come in any order.
  await ds.query(
    `INSERT INTO catalog.categories (id, name, parent_id, path, path_ids, depth)
     SELECT id, name, parent_id, path, path_ids, depth
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, parent_id text, path text[], path_ids text[], depth int)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(tree.map((c) => ({ id: c.id, name: c.name, parent_id: c.parentId, path: c.path, path_ids: c.pathIds, depth: c.depth })))],
  );
  const [{ m }] = await ds.query(`SELECT count(*)::int AS m FROM catalog.categories`);
  return m;
}

/**
 * Creates `count` demo items spread over the product departments' leaf categories, only if the catalog has
 * no items at all. One transaction: items and their outbox events appear together or not at all.
 * Returns how many were inserted.
 */
export async function seedDemoItems(ds: DataSource, opts: { count?: number; seed?: number | string } = {}): Promise<number> {
  const count = opts.count ?? 3000;
  const tree = await loadCategoryTree();
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      // Two processes seeding at once (npm start, replicas): the second waits here, then finds items.
      await runner.query(`SELECT pg_advisory_xact_lock(hashtext('catalog:seed-items'))`);
      const [{ has }] = await runner.query(`SELECT EXISTS (SELECT 1 FROM catalog.items) AS has`);
      const known: { id: string }[] = await runner.query(`SELECT id FROM catalog.categories`);
      if (has || count <= 0) {
        await runner.commitTransaction();
        return 0;
      }
      const present = new Set(known.map((r) => r.id));
      const plan = planDemoItems(tree.filter((c) => present.has(c.id)), count, opts.seed ?? 1);
      const nowMs = Date.now();
      for (let i = 0; i < plan.length; i += ROWS_PER_STATEMENT) await insertDemoItems(runner, plan.slice(i, i + ROWS_PER_STATEMENT), nowMs);
      await runner.query(`SELECT pg_notify('catalog_outbox', '')`); // wakes the relay (outbox.ts channel name)
      await runner.commitTransaction();
      return plan.length;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => {});
      throw err;
    }
  } finally {
    await runner.release();
  }
}

/**
 * Inserts the planned items that are not in the catalog yet (same id or SKU: skipped), each with its
 * ItemChanged (CREATED) outbox row, in the caller's transaction. Creation times are `nowMs` minus each item's
 * age. Returns how many were inserted. Also the bulk path of `npm run seed` (deploy/seed-cli.ts).
 */
export async function insertDemoItems(db: Pick<EntityManager, "query">, plan: readonly DemoItem[], nowMs: number): Promise<number> {
  if (plan.length === 0) return 0;
  const batch = plan.map((p) => {
    const createUs = ((BigInt(nowMs) - BigInt(p.ageSeconds) * 1000n) * 1000n).toString();
    return { ...p, createUs, createIso: isoFromMicros(createUs) };
  });
  const inserted: { id: string }[] = await db.query(
    `INSERT INTO catalog.items (id, sku, name, description, brand, category_id, price_minor, currency, image_url,
                                attributes, create_time, update_time)
     SELECT id, sku, name, description, brand, category_id, price_minor, $2, image_url, attributes, create_time, create_time
     FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, sku text, name text, description text, brand text,
       category_id text, price_minor bigint, image_url text, attributes jsonb, create_time timestamptz)
     ON CONFLICT DO NOTHING
     RETURNING id::text`,
    [JSON.stringify(batch.map((p) => ({
      id: p.id, sku: p.sku, name: p.name, description: p.description, brand: p.brand, category_id: p.categoryId,
      price_minor: p.priceMinor.toString(), image_url: p.imageUrl, attributes: p.attributes, create_time: p.createIso,
    }))), STORE_CURRENCY],
  );
  const fresh = new Set(inserted.map((r) => r.id));
  const events = batch.filter((p) => fresh.has(p.id)).map((p) => {
    const at = timestampFromMicros(p.createUs);
    const item = create(ItemSchema, {
      id: p.id, sku: p.sku, name: p.name, description: p.description, brand: p.brand, categoryId: p.categoryId,
      price: money(p.priceMinor, STORE_CURRENCY), imageUrl: p.imageUrl, attributes: p.attributes,
      status: ItemStatus.ACTIVE, version: 1n, createTime: at, updateTime: at,
    });
    const eventId = randomUUID(); // never derived from the seed: JetStream would drop a re-seed's events as duplicates
    const payload = toBinary(ItemChangedSchema, create(ItemChangedSchema, { eventId, changeType: ItemChangeType.CREATED, item, occurTime: at }));
    return { event_id: eventId, payload: Buffer.from(payload).toString("hex") };
  });
  if (events.length) {
    await db.query(
      `INSERT INTO catalog.outbox (event_id, subject, message_type, payload)
       SELECT event_id, $2, $3, decode(payload, 'hex')
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, payload text)`,
      [JSON.stringify(events), EVENTS.catalogItemChanged.subject, ItemChangedSchema.typeName],
    );
  }
  return fresh.size;
}

/** Ids of every item on sale, ordered by SKU. */
export async function listActiveItemIds(ds: DataSource): Promise<string[]> {
  const rows: { id: string }[] = await ds.query(`SELECT id::text AS id FROM catalog.items WHERE status = 'ACTIVE' ORDER BY sku`);
  return rows.map((r) => r.id);
}

/** The one entry point for `npm start`: categories, then demo items if the catalog has none. */
export async function seedCatalog(ds: DataSource, opts: SeedCatalogOptions = {}): Promise<SeedCatalogResult> {
  const categories = await seedCategories(ds);
  const insertedItems = await seedDemoItems(ds, { count: opts.items ?? 3000, seed: opts.seed ?? 1 });
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM catalog.items`);
  return { categories, items: n, insertedItems, itemIds: await listActiveItemIds(ds) };
}
