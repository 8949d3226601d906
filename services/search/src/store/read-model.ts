// The read model in Postgres: version- and sequence-guarded upserts (an older or repeated event changes
// nothing, so replaying the whole stream converges to the same rows) and the streaming read the in-memory
// index is built from at start-up.
import pg from "pg";
import type { EntityManager } from "typeorm";
import { newestById } from "../../../lib/newest.js";
import type { ItemDoc, StockDoc } from "../index/documents.js";

type Db = Pick<EntityManager, "query">;

/**
 * Writes items that are newer than what the read model holds; returns the ids actually changed. `repair`
 * (the reindex) also rewrites rows at the same version: Catalog's item at version v is what the event of
 * version v carried, so a damaged row is restored and nothing ever goes back to an older version.
 */
export async function upsertItems(db: Db, docs: ItemDoc[], repair = false): Promise<string[]> {
  if (docs.length === 0) return [];
  const rows = newestById(docs, (d) => d.version);
  const changed: { item_id: string }[] = await db.query(
    `INSERT INTO search.items AS i (item_id, version, active, name, description, brand, category_id, price_minor,
                                    currency, image_url, attribute_text, created_ms)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bool[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bigint[])
     ON CONFLICT (item_id) DO UPDATE SET
       version = excluded.version, active = excluded.active, name = excluded.name,
       description = excluded.description, brand = excluded.brand, category_id = excluded.category_id,
       price_minor = excluded.price_minor, currency = excluded.currency, image_url = excluded.image_url,
       attribute_text = excluded.attribute_text, created_ms = excluded.created_ms, applied_at = now()
     WHERE i.version ${repair ? "<=" : "<"} excluded.version
     RETURNING item_id::text`,
    [
      rows.map((d) => d.itemId), rows.map((d) => d.version), rows.map((d) => d.active), rows.map((d) => d.name),
      rows.map((d) => d.description), rows.map((d) => d.brand), rows.map((d) => d.categoryId),
      rows.map((d) => String(d.priceMinor)), rows.map((d) => d.currency), rows.map((d) => d.imageUrl),
      rows.map((d) => d.attributeText), rows.map((d) => String(d.createdMs)),
    ],
  );
  return changed.map((r) => r.item_id);
}

/** Writes stock that is newer (by sequence) than what the read model holds. */
export async function upsertStock(db: Db, docs: StockDoc[]): Promise<number> {
  if (docs.length === 0) return 0;
  const rows = newestById(docs, (d) => d.sequence);
  const changed: unknown[] = await db.query(
    `INSERT INTO search.stock AS s (item_id, available, low_stock, sequence)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::bool[], $4::bigint[])
     ON CONFLICT (item_id) DO UPDATE SET
       available = excluded.available, low_stock = excluded.low_stock, sequence = excluded.sequence, applied_at = now()
     WHERE s.sequence < excluded.sequence
     RETURNING 1`,
    [rows.map((d) => d.itemId), rows.map((d) => d.available), rows.map((d) => d.lowStock), rows.map((d) => String(d.sequence))],
  );
  return changed.length;
}

export interface SnapshotCounts {
  items: number;
  stock: number;
}

/**
 * Streams the whole read model (items, then stock) through a server-side cursor in batches, so a million
 * rows never sit in memory at once. One repeatable-read transaction: items and stock from the same instant.
 */
export async function readSnapshot(
  databaseUrl: string,
  onItems: (docs: ItemDoc[]) => void,
  onStock: (docs: StockDoc[]) => void,
  batch = 20_000,
): Promise<SnapshotCounts> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "search-snapshot" });
  await client.connect();
  const counts = { items: 0, stock: 0 };
  try {
    /** Runs `select` through a cursor, handing each batch of rows (as arrays) to `each`. */
    const inBatches = async (cursor: string, select: string, each: (rows: unknown[][]) => void) => {
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${select}`);
      for (;;) {
        const res = await client.query({ text: `FETCH ${batch} FROM ${cursor}`, rowMode: "array" });
        if (res.rows.length === 0) return;
        each(res.rows);
      }
    };
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await inBatches("items", `
      SELECT item_id::text, version::float8, active, name, description, brand, category_id, price_minor::float8,
             currency, image_url, attribute_text, created_ms::float8
      FROM search.items`, (rows) => {
      counts.items += rows.length;
      onItems(rows.map((r) => ({
        itemId: r[0] as string, version: r[1] as number, active: r[2] as boolean, name: r[3] as string,
        description: r[4] as string, brand: r[5] as string, categoryId: r[6] as string, priceMinor: r[7] as number,
        currency: r[8] as string, imageUrl: r[9] as string, attributeText: r[10] as string, createdMs: r[11] as number,
      })));
    });
    await inBatches("stock", `SELECT item_id::text, available, low_stock, sequence::float8 FROM search.stock`, (rows) => {
      counts.stock += rows.length;
      onStock(rows.map((r) => ({ itemId: r[0] as string, available: r[1] as number, lowStock: r[2] as boolean, sequence: r[3] as number })));
    });
    await client.query("COMMIT");
    return counts;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function countItems(db: Db): Promise<number> {
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM search.items`);
  return n;
}
