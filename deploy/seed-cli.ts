// `npm run seed -- [--items 1000000] [--seed 42] [--warehouses 6] [--batch 5000] [--no-wait]` (`--help` lists them)
//
// Fills the running stack's database (DATABASE_URL, default: the one `npm start` runs) with generated items
// over the real category tree, through Catalog's and Inventory's own bulk seed paths: each batch is one
// Catalog transaction (items + their ItemChanged outbox rows) and one Inventory transaction (stock, ledger,
// StockChanged outbox rows). Deterministic for a seed, and a top-up: the items `npm start` created with the
// same seed are the first ones of the plan and are skipped, so is everything a previous (interrupted) run
// wrote. The relays of the running services then publish the events, and Search picks them up like any
// other change; unless --no-wait, this command waits for that and reports how long it took.
import { createClient } from "@connectrpc/connect";
import pg from "pg";
import { SearchService } from "../gen/shop/search/v1/search_pb.js";
import { demoItems, type DemoItem } from "../services/catalog/src/demo/demo-items.js";
import { catalogDatabase } from "../services/catalog/src/main.js";
import { insertDemoItems, loadCategoryTree, seedCategories } from "../services/catalog/src/store/seed.js";
import { inventory } from "../services/inventory/src/main.js";
import { seedInventory } from "../services/inventory/src/store/seed.js";
import { cliFlags } from "../services/lib/cli.js";
import { INFRA_DEFAULTS, intFrom, loadConfig } from "../services/lib/config.js";
import { inTransaction, openDatabase } from "../services/lib/db.js";
import { meshTransport } from "../services/lib/transport.js";

/** Without --items: the demo catalog `npm start` seeds (SEED_ITEMS), not the million-item benchmark size. */
const DEMO_ITEMS = intFrom(process.env, "SEED_ITEMS", 3000);

const flags = cliFlags({
  usage: "npm run seed --",
  summary: "Fills the running stack's database (DATABASE_URL, default: the one `npm start` runs) with generated items "
    + "over the real category tree and their stock, through Catalog's and Inventory's bulk seed paths. Deterministic "
    + "for a seed; a rerun tops up. The benchmarks use --items 1000000 (about 6 minutes).",
  flags: {
    items: { type: "int", default: DEMO_ITEMS, help: "items the catalog should hold (SEED_ITEMS, the demo size)" },
    seed: { type: "int", default: intFrom(process.env, "SEED", 42), help: "random seed (SEED)" },
    warehouses: { type: "int", default: intFrom(process.env, "SEED_WAREHOUSES", 6), min: 1, help: "warehouses that get stock (SEED_WAREHOUSES)" },
    batch: { type: "int", default: 5_000, min: 100, help: "items written per transaction" },
    "no-wait": { type: "boolean", help: "do not wait for Search to index the new items" },
  },
});
const items = flags.items;
const seed = flags.seed;
const warehouses = flags.warehouses;
const batchSize = flags.batch;
const wait = !flags["no-wait"];
const databaseUrl = process.env.DATABASE_URL ?? INFRA_DEFAULTS.databaseUrl;
const say = (m: string) => process.stderr.write(`[seed] ${m}\n`);

class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastPercent = -1;
  constructor(private readonly total: number, private readonly label: string) {}

  draw(done: number, extra = "", final = false): void {
    const now = Date.now();
    if (!final && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const fraction = this.total ? Math.min(1, done / this.total) : 1;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.max(0, (this.total - done) / rate) : 0;
    const width = 30;
    const bar = "#".repeat(Math.round(fraction * width)).padEnd(width, ".");
    const line = `${this.label} [${bar}] ${(fraction * 100).toFixed(1).padStart(5)}% ${done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")} `
      + `${Math.round(rate).toLocaleString("en-US")}/s ${final ? `in ${secs.toFixed(1)} s` : `ETA ${eta.toFixed(0)} s`}${extra ? ` ${extra}` : ""}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line.padEnd(120)}${final ? "\n" : ""}`);
    } else {
      const percent = Math.floor(fraction * 20) * 5;
      if (final || percent !== this.lastPercent) process.stderr.write(`${line}\n`);
      this.lastPercent = percent;
    }
  }
}

/** The next `n` planned items, generated in slices so database round trips of the previous batch interleave. */
async function take(plan: Iterator<DemoItem>, n: number): Promise<DemoItem[]> {
  const out: DemoItem[] = [];
  while (out.length < n) {
    for (let i = 0; i < 250 && out.length < n; i++) {
      const next = plan.next();
      if (next.done) return out;
      out.push(next.value);
    }
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

async function main(): Promise<void> {
  if (!process.argv.slice(2).some((a) => a === "--items" || a.startsWith("--items="))) {
    say(`no --items given: seeding the demo size, ${items.toLocaleString("en-US")} items (npm run seed -- --items 1000000 for the benchmarks)`);
  }
  say(`database ${databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@")}; ${items.toLocaleString("en-US")} items, seed ${seed}, ${warehouses} warehouses`);
  const catalogDb = await openDatabase(databaseUrl, catalogDatabase, 4, "seed-cli");
  const inventoryDb = await openDatabase(databaseUrl, inventory.database!, 4, "seed-cli");
  try {
    await seedCategories(catalogDb);
    const known = new Set((await catalogDb.query(`SELECT id FROM catalog.categories`) as { id: string }[]).map((r) => r.id));
    const tree = (await loadCategoryTree()).filter((c) => known.has(c.id));
    const plan = demoItems(tree, items, seed)[Symbol.iterator]();
    const nowMs = Date.now();
    const started = Date.now();
    const bar = new Progress(items, "items");
    let done = 0;
    let inserted = 0;
    let batch = await take(plan, batchSize);
    while (batch.length) {
      const current = batch;
      const write = (async () => {
        const n = await inTransaction(catalogDb, async (tx) => {
          const count = await insertDemoItems(tx, current, nowMs);
          await tx.query(`SELECT pg_notify('catalog_outbox', '')`); // wakes the catalog relay at commit
          return count;
        });
        // Stock for every planned item of the batch (already stocked ones are skipped): a rerun fills gaps.
        await seedInventory(inventoryDb, { itemIds: current.map((p) => p.id), warehouses, seed });
        return n;
      })();
      batch = await take(plan, batchSize); // generated while the previous batch is being written
      inserted += await write;
      done += current.length;
      bar.draw(done, `(${inserted.toLocaleString("en-US")} new)`);
    }
    bar.draw(done, `(${inserted.toLocaleString("en-US")} new)`, true);
    const [{ n: total }] = await catalogDb.query(`SELECT count(*)::int AS n FROM catalog.items WHERE status = 'ACTIVE'`);
    const seconds = (Date.now() - started) / 1000;
    say(`catalog now holds ${total.toLocaleString("en-US")} items on sale; ${inserted.toLocaleString("en-US")} added in ${seconds.toFixed(1)} s `
      + `(${Math.round(done / seconds).toLocaleString("en-US")} items/s, stock included)`);
    if (wait && inserted > 0) await waitForSearch(total);
  } finally {
    await catalogDb.destroy();
    await inventoryDb.destroy();
  }
}

/**
 * Search picks the new items up from the ItemChanged events the running Catalog's relay publishes: waits
 * until Search answers with them all (and its read model in Postgres has them), with progress.
 */
async function waitForSearch(total: number): Promise<void> {
  const config = loadConfig("search");
  const client = createClient(SearchService, meshTransport(config.addrs.search));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const started = Date.now();
  const searchable = new Progress(total, "search");
  try {
    let indexed = 0;
    let stored = 0;
    let indexedAt = 0;
    for (;;) {
      const [answer, rows] = await Promise.allSettled([
        client.getItemCatalog({ pageSize: 1 }, { timeoutMs: 5_000 }),
        db.query(`SELECT count(*)::int AS n FROM search.items WHERE active`),
      ]);
      if (answer.status === "rejected") {
        say(`Search is not answering at ${config.addrs.search} (${(answer.reason as Error).message}); start the stack (npm start) and it will pick the items up from the outbox, or run npm run search:reindex`);
        return;
      }
      indexed = Number(answer.value.totalSize);
      stored = rows.status === "fulfilled" ? rows.value.rows[0].n : stored;
      if (indexed >= total && !indexedAt) indexedAt = Date.now();
      searchable.draw(indexed, `(read model ${stored.toLocaleString("en-US")})`);
      if (indexed >= total && stored >= total) break;
      if (Date.now() - started > 60 * 60_000) {
        say("still not caught up after an hour; giving up waiting (Search keeps consuming)");
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    searchable.draw(indexed, `(read model ${stored.toLocaleString("en-US")})`, true);
    say(`searchable in the index after ${((indexedAt - started) / 1000).toFixed(1)} s, in the read model after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.end();
  }
}

main().catch((err) => {
  say(`failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
  process.exit(1);
});
