// SQL for the cart's price-and-stock view (cart.item_view). Both halves are written only when newer than what
// is held (item version, stock sequence), so redelivered and replayed events change nothing, and a lookup made
// at cold start (stock sequence 0) gives way to the first event.
import { newestById } from "../../../lib/newest.js";
import type { Db } from "../../../lib/sql.js";

export interface ViewItem {
  itemId: string;
  version: bigint;
  name: string;
  /** shop.catalog.v1.ItemStatus */
  status: number;
  priceMinor: bigint;
  currency: string;
  imageUrl: string;
}

export interface ViewStock {
  itemId: string;
  available: number;
  /** Inventory's per-item sequence; 0 for a value looked up rather than announced. */
  sequence: bigint;
}

export interface ViewRow {
  item?: ViewItem;
  stock?: ViewStock;
}

export async function upsertItems(db: Db, items: ViewItem[]): Promise<void> {
  if (items.length === 0) return;
  const rows = newestById(items, (i) => i.version);
  await db.query(
    `INSERT INTO cart.item_view AS v (item_id, version, name, status, price_minor, currency, image_url)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[])
     ON CONFLICT (item_id) DO UPDATE SET
       version = excluded.version, name = excluded.name, status = excluded.status, price_minor = excluded.price_minor,
       currency = excluded.currency, image_url = excluded.image_url
     WHERE v.version IS NULL OR v.version < excluded.version`,
    [
      rows.map((i) => i.itemId), rows.map((i) => i.version.toString()), rows.map((i) => i.name), rows.map((i) => i.status),
      rows.map((i) => i.priceMinor.toString()), rows.map((i) => i.currency), rows.map((i) => i.imageUrl),
    ],
  );
}

export async function upsertStock(db: Db, stock: ViewStock[]): Promise<void> {
  if (stock.length === 0) return;
  const rows = newestById(stock, (s) => s.sequence);
  await db.query(
    `INSERT INTO cart.item_view AS v (item_id, available, stock_sequence)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::bigint[])
     ON CONFLICT (item_id) DO UPDATE SET available = excluded.available, stock_sequence = excluded.stock_sequence
     WHERE v.stock_sequence IS NULL OR v.stock_sequence < excluded.stock_sequence`,
    [rows.map((s) => s.itemId), rows.map((s) => Math.max(0, s.available)), rows.map((s) => s.sequence.toString())],
  );
}

/** The view's columns of an item, as a statement selecting them (`VIEW_COLUMNS`) returns them. */
export interface RawViewRow {
  item_id: string; version: string | null; name: string | null; status: number | null; price_minor: string | null;
  currency: string | null; image_url: string | null; available: number | null; stock_sequence: string | null;
}

/** The columns of cart.item_view (aliased `v`) that viewRowOf reads. */
export const VIEW_COLUMNS = "v.item_id::text, v.version, v.name, v.status, v.price_minor, v.currency, v.image_url, v.available, v.stock_sequence";

export function viewRowOf(r: RawViewRow): ViewRow {
  return {
    item: r.version === null ? undefined : {
      itemId: r.item_id, version: BigInt(r.version), name: r.name!, status: r.status!, priceMinor: BigInt(r.price_minor!),
      currency: r.currency!, imageUrl: r.image_url!,
    },
    stock: r.stock_sequence === null ? undefined : { itemId: r.item_id, available: r.available!, sequence: BigInt(r.stock_sequence) },
  };
}

/** What the view holds of the given items (ids it has never heard of are absent). */
export async function readView(db: Db, itemIds: string[]): Promise<Map<string, ViewRow>> {
  if (itemIds.length === 0) return new Map();
  const rows: RawViewRow[] = await db.query(`SELECT ${VIEW_COLUMNS} FROM cart.item_view v WHERE v.item_id = ANY($1::uuid[])`, [itemIds]);
  return new Map(rows.map((r) => [r.item_id, viewRowOf(r)]));
}
