// The comparison point of bench:search: the same requests answered by Postgres full-text search over a copy of
// the read model, matches, page, total and facets in one statement.
import type { MessageInitShape } from "@bufbuild/protobuf";
import pg from "pg";
import { SortOrder, type GetItemCatalogRequestSchema } from "../../gen/shop/search/v1/search_pb.js";
import type { CategoryTree } from "../../services/search/src/domain/categories.js";

export interface FtsRequest {
  kind: string;
  catalog?: MessageInitShape<typeof GetItemCatalogRequestSchema>;
  prefix?: string;
}

/** The read model as a Postgres full-text table (weights: name A, brand B, description C), built once. */
export async function ensureFtsTable(db: pg.Pool): Promise<void> {
  const exists = (await db.query(`SELECT to_regclass('search_bench.items') IS NOT NULL AS e`)).rows[0].e;
  if (exists) {
    const [{ a }] = (await db.query(`SELECT count(*)::int AS a FROM search_bench.items`)).rows;
    const [{ b }] = (await db.query(`SELECT count(*)::int AS b FROM search.items`)).rows;
    if (a === b) return;
    await db.query(`DROP TABLE search_bench.items`);
  }
  await db.query(`CREATE SCHEMA IF NOT EXISTS search_bench`);
  await db.query(`
    CREATE TABLE search_bench.items AS
    SELECT i.item_id, i.name, i.brand, i.category_id, i.price_minor, i.created_ms, i.active, coalesce(s.available, 0) AS available,
           setweight(to_tsvector('english', i.name), 'A') || setweight(to_tsvector('english', i.brand), 'B')
             || setweight(to_tsvector('english', i.description), 'C') AS doc
    FROM search.items i LEFT JOIN search.stock s USING (item_id)`);
  await db.query(`CREATE INDEX ON search_bench.items USING gin (doc)`);
  await db.query(`CREATE INDEX ON search_bench.items (category_id, created_ms DESC)`);
  await db.query(`CREATE INDEX ON search_bench.items (created_ms DESC)`);
  await db.query(`ANALYZE search_bench.items`);
}

/** The same request as SQL: matches, the page, the total and the three facets in one statement. */
export function ftsRunner(db: pg.Pool, tree: CategoryTree): (r: FtsRequest) => Promise<unknown> {
  const descendants = new Map<string, string[]>();
  const subtree = (id: string) => {
    let ids = descendants.get(id);
    if (!ids) {
      const i = tree.indexOf(id);
      ids = tree.ids.filter((_, j) => tree.within(j, i));
      descendants.set(id, ids);
    }
    return ids;
  };
  return async (r) => {
    if (r.kind === "suggest") {
      const words = r.prefix!.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
      if (!words.length) return;
      const tsq = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(" & ");
      await db.query(`SELECT name FROM search_bench.items WHERE doc @@ to_tsquery('english', $1) AND active LIMIT 8`, [tsq]);
      return;
    }
    const q = r.catalog!;
    const where = ["active"];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace("?", `$${params.length}`));
    };
    if (q.query) add(`doc @@ plainto_tsquery('english', ?)`, q.query);
    if (q.filter?.categoryId) add(`category_id = ANY(?)`, subtree(q.filter.categoryId));
    if (q.filter?.brands?.length) add(`brand = ANY(?)`, q.filter.brands);
    if (q.filter?.minPrice) add(`price_minor >= ?`, q.filter.minPrice.minorUnits!.toString());
    if (q.filter?.maxPrice) add(`price_minor <= ?`, q.filter.maxPrice.minorUnits!.toString());
    if (q.filter?.inStockOnly) where.push(`available > 0`);
    const rank = q.query ? `ts_rank(doc, plainto_tsquery('english', $1))` : "0";
    const order = q.sort === SortOrder.PRICE_ASCENDING ? "price_minor ASC" : q.sort === SortOrder.PRICE_DESCENDING ? "price_minor DESC"
      : q.query && q.sort !== SortOrder.NEWEST ? "r DESC, created_ms DESC" : "created_ms DESC";
    await db.query(`
      WITH m AS MATERIALIZED (SELECT item_id, name, brand, category_id, price_minor, created_ms, ${rank} AS r
                              FROM search_bench.items WHERE ${where.join(" AND ")})
      SELECT (SELECT json_agg(p) FROM (SELECT item_id, name FROM m ORDER BY ${order} LIMIT ${q.pageSize ?? 24}) p) AS page,
             (SELECT count(*) FROM m) AS total,
             (SELECT json_agg(b) FROM (SELECT brand, count(*) FROM m GROUP BY brand ORDER BY 2 DESC LIMIT 20) b) AS brands,
             (SELECT json_agg(c) FROM (SELECT category_id, count(*) FROM m GROUP BY 1) c) AS categories,
             (SELECT json_agg(x) FROM (SELECT width_bucket(price_minor, ARRAY[2500,5000,10000,20000,50000,100000,200000]) AS b, count(*)
                                       FROM m GROUP BY 1) x) AS prices`, params);
  };
}
