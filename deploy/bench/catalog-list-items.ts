// Benchmark (a command, not a test): seeds N demo items into a throwaway Postgres and times ListItems pages
// for the whole catalog and for category subtrees of different sizes.
//   npm run bench:catalog-list -- [--items 200000]
// DATABASE_URL=... uses an existing server instead (a new database is created in it).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startInfra } from "../infra.js";
import { cliFlags } from "../../services/lib/cli.js";
import { openDatabase } from "../../services/lib/db.js";
import { catalogDatabase } from "../../services/catalog/src/main.js";
import { isoFromMicros } from "../../services/catalog/src/domain/paging.js";
import { listItemRows } from "../../services/catalog/src/store/items.js";
import { seedCategories, seedDemoItems } from "../../services/catalog/src/store/seed.js";

const { items } = cliFlags({
  usage: "npm run bench:catalog-list --",
  summary: "Seeds demo items into a throwaway Postgres (or a new database in DATABASE_URL) and times ListItems pages "
    + "for the whole catalog and for category subtrees of different sizes.",
  flags: { items: { type: "int", default: 200_000, min: 1, help: "items to seed" } },
});
const infra = await startInfra({ dataDir: mkdtempSync(join(tmpdir(), "catalog-bench-")), ephemeral: true, databaseUrl: process.env.DATABASE_URL, redisUrl: "redis://unused", natsUrl: "nats://unused", log: () => {} });
const name = `catalog_bench_${Date.now()}`;
const admin = new pg.Client({ connectionString: infra.databaseUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
await admin.end();
const url = new URL(infra.databaseUrl);
url.pathname = `/${name}`;
const ds = await openDatabase(url.toString(), catalogDatabase, 4, "bench");
try {
  await seedCategories(ds);
  let t = performance.now();
  await seedDemoItems(ds, { count: items, seed: 1 });
  console.log(`seeded ${items} items (with their outbox events) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await ds.query("VACUUM ANALYZE catalog.items");
  const [big] = await ds.query(`SELECT category_id FROM catalog.items GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
  const [small] = await ds.query(`SELECT category_id FROM catalog.items GROUP BY 1 ORDER BY count(*) ASC LIMIT 1`);
  const cases: [string, string | undefined][] = [
    ["whole catalog", undefined], ["Computers & Tablets (277 categories)", "abcat0500000"], ["Audio", "abcat0200000"],
    ["TVs", "abcat0101000"], ["largest leaf", big.category_id], ["smallest leaf", small.category_id], ["Gift Ideas (no items)", "abcat0010000"],
  ];
  for (const [label, categoryId] of cases) {
    const page = (after?: { createTime: string; id: string }) => listItemRows(ds, { categoryId, includeArchived: false, limit: 51, after });
    let rows = await page();
    t = performance.now();
    for (let i = 0; i < 20; i++) rows = await page();
    const first = (performance.now() - t) / 20;
    const last = rows[Math.min(49, rows.length - 1)];
    const cursor = last && { createTime: isoFromMicros(last.create_us), id: last.id };
    t = performance.now();
    for (let i = 0; i < 20; i++) await page(cursor);
    console.log(`${label.padEnd(38)} first page ${first.toFixed(1)} ms, next page ${((performance.now() - t) / 20).toFixed(1)} ms`);
  }
} finally {
  await ds.destroy();
  await infra.stop();
}
