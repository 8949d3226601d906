// Item rows: SQL and the mapping to the proto Item. Every statement is parameterized; what reaches here has
// been validated by the domain rules first.
import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import type { EntityManager } from "typeorm";
import { ItemSchema, ItemStatus, type Item } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../../lib/money.js";
import type { ItemDraft, ItemPatch, ItemStatusName } from "../domain/item.js";

type Db = Pick<EntityManager, "query">;

export interface ItemRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  brand: string;
  category_id: string;
  price_minor: string;
  currency: string;
  image_url: string;
  attributes: Record<string, string>;
  status: ItemStatusName;
  version: string;
  /** Microseconds since the epoch, as text: exact, unlike a JS Date (milliseconds). */
  create_us: string;
  update_us: string;
}

/** The select list every read uses; `t` is the items table alias. */
export const ITEM_COLUMNS = (t = "i") => `
  ${t}.id::text AS id, ${t}.sku, ${t}.name, ${t}.description, ${t}.brand, ${t}.category_id,
  ${t}.price_minor::text AS price_minor, ${t}.currency, ${t}.image_url, ${t}.attributes, ${t}.status,
  ${t}.version::text AS version,
  (extract(epoch FROM ${t}.create_time) * 1000000)::bigint::text AS create_us,
  (extract(epoch FROM ${t}.update_time) * 1000000)::bigint::text AS update_us`;

export function timestampFromMicros(us: string): Timestamp {
  const micros = BigInt(us);
  const seconds = micros / 1_000_000n;
  const rest = micros % 1_000_000n;
  // Floor division for instants before 1970 (never in practice, but exact anyway).
  return rest < 0n
    ? create(TimestampSchema, { seconds: seconds - 1n, nanos: Number(rest + 1_000_000n) * 1000 })
    : create(TimestampSchema, { seconds, nanos: Number(rest) * 1000 });
}

export function toItem(row: ItemRow): Item {
  return create(ItemSchema, {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    brand: row.brand,
    categoryId: row.category_id,
    price: money(BigInt(row.price_minor), row.currency.trim()),
    imageUrl: row.image_url,
    attributes: row.attributes ?? {},
    status: row.status === "ARCHIVED" ? ItemStatus.ARCHIVED : ItemStatus.ACTIVE,
    version: BigInt(row.version),
    createTime: timestampFromMicros(row.create_us),
    updateTime: timestampFromMicros(row.update_us),
  });
}

export async function categoryExists(db: Db, categoryId: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM catalog.categories WHERE id = $1`, [categoryId]);
  return rows.length > 0;
}

/** Inserts the item; undefined when the SKU is taken (ON CONFLICT: no aborted transaction, no race). */
export async function insertItem(db: Db, id: string, d: ItemDraft): Promise<ItemRow | undefined> {
  const rows: ItemRow[] = await db.query(
    `INSERT INTO catalog.items AS i (id, sku, name, description, brand, category_id, price_minor, currency, image_url, attributes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (sku) DO NOTHING
     RETURNING ${ITEM_COLUMNS()}`,
    [id, d.sku, d.name, d.description, d.brand, d.categoryId, d.priceMinor.toString(), d.currency, d.imageUrl, JSON.stringify(d.attributes)],
  );
  return rows[0];
}

/**
 * The optimistic-concurrency update: one conditional statement that changes the row only if it is still at
 * the expected version and on sale. No row back means "refused"; the caller explains why from a re-read.
 */
export async function updateItemIfCurrent(db: Db, id: string, expectedVersion: bigint, p: ItemPatch): Promise<ItemRow | undefined> {
  const rows: ItemRow[] = await db.query(
    `WITH changed AS (
       UPDATE catalog.items SET
         name = COALESCE($3, name),
         description = COALESCE($4, description),
         brand = COALESCE($5, brand),
         category_id = COALESCE($6, category_id),
         price_minor = COALESCE($7::bigint, price_minor),
         currency = COALESCE($8, currency),
         image_url = COALESCE($9, image_url),
         attributes = COALESCE($10::jsonb, attributes),
         version = version + 1,
         update_time = now()
       WHERE id = $1 AND version = $2 AND status = 'ACTIVE'
       RETURNING *
     )
     SELECT ${ITEM_COLUMNS("changed")} FROM changed`,
    [
      id, expectedVersion.toString(), p.name ?? null, p.description ?? null, p.brand ?? null, p.categoryId ?? null,
      p.priceMinor?.toString() ?? null, p.currency ?? null, p.imageUrl ?? null,
      p.attributes === undefined ? null : JSON.stringify(p.attributes),
    ],
  );
  return rows[0];
}

/** Archives an active item (version + 1); undefined when it is missing or already archived. */
export async function archiveIfActive(db: Db, id: string): Promise<ItemRow | undefined> {
  const rows: ItemRow[] = await db.query(
    `WITH changed AS (
       UPDATE catalog.items SET status = 'ARCHIVED', version = version + 1, update_time = now()
       WHERE id = $1 AND status = 'ACTIVE'
       RETURNING *
     )
     SELECT ${ITEM_COLUMNS("changed")} FROM changed`,
    [id],
  );
  return rows[0];
}

export async function getItemRow(db: Db, id: string): Promise<ItemRow | undefined> {
  const rows: ItemRow[] = await db.query(`SELECT ${ITEM_COLUMNS()} FROM catalog.items i WHERE i.id = $1`, [id]);
  return rows[0];
}

export async function getItemRows(db: Db, ids: string[]): Promise<ItemRow[]> {
  return db.query(`SELECT ${ITEM_COLUMNS()} FROM catalog.items i WHERE i.id = ANY($1::uuid[])`, [ids]);
}

export interface ListCursor {
  /** create_time as ISO 8601 UTC with microseconds ("2024-05-01T10:00:00.123456Z"): Postgres parses it exactly. */
  createTime: string;
  id: string;
}

/**
 * One page of items newest first, keyset-paged on (create_time, id). With a category, the page's keys come
 * from one index probe per category of the subtree (items_category_newest), each bounded by the page size and
 * merged by the outer ORDER BY; full rows are read only for the page. The cost grows with the subtree's
 * number of categories times the page size, not with the number of items.
 */
export async function listItemRows(
  db: Db,
  opts: { categoryId?: string; includeArchived: boolean; after?: ListCursor; limit: number },
): Promise<ItemRow[]> {
  const params: unknown[] = [opts.limit];
  const where: string[] = [];
  if (!opts.includeArchived) where.push(`i.status = 'ACTIVE'`);
  if (opts.after) {
    params.push(opts.after.createTime, opts.after.id);
    where.push(`(i.create_time, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  const filter = where.length ? `AND ${where.join(" AND ")}` : "";
  if (!opts.categoryId) {
    return db.query(
      `SELECT ${ITEM_COLUMNS()} FROM catalog.items i WHERE true ${filter} ORDER BY i.create_time DESC, i.id DESC LIMIT $1`,
      params,
    );
  }
  params.push(opts.categoryId);
  return db.query(
    `WITH page AS (
       SELECT k.create_time, k.id
       FROM catalog.categories c
       CROSS JOIN LATERAL (
         SELECT i.create_time, i.id FROM catalog.items i
         WHERE i.category_id = c.id ${filter}
         ORDER BY i.create_time DESC, i.id DESC
         LIMIT $1
       ) k
       WHERE c.path_ids @> ARRAY[$${params.length}::text]
       ORDER BY k.create_time DESC, k.id DESC
       LIMIT $1
     )
     SELECT ${ITEM_COLUMNS()} FROM page JOIN catalog.items i ON i.id = page.id
     ORDER BY page.create_time DESC, page.id DESC`,
    params,
  );
}
