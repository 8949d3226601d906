// `npm run migrate` (and dist/migrate.js, the Kubernetes migrations Job): brings every schema of the mesh up to
// date against DATABASE_URL and exits; with SEED_ITEMS > 0 it also fills an empty catalog and inventory with
// demo data (the local overlay does; production leaves it at 0). Services still migrate when they start (under
// the same advisory lock, so a Job and a starting pod never run one migration twice); running it first makes
// a failing migration stop a rollout in one visible place instead of in every crash-looping pod.
import { identityDatabase } from "../gateway/src/identity/store.js";
import { cliFlags } from "../services/lib/cli.js";
import { INFRA_DEFAULTS, intFrom, SERVICE_NAMES } from "../services/lib/config.js";
import { openDatabase, type DatabaseSpec } from "../services/lib/db.js";
import { SERVICE_MODULES } from "../services/registry.js";
import { seedDemoData } from "./seed.js";

const say = (msg: string) => console.log(`[migrate] ${msg}`);

/** Every schema: one per service that has a database, and the gateway's identity schema. */
async function databaseSpecs(): Promise<DatabaseSpec[]> {
  const specs: DatabaseSpec[] = [];
  for (const name of SERVICE_NAMES) {
    const mod = await SERVICE_MODULES[name]();
    if (mod.database) specs.push(mod.database);
  }
  return [...specs, identityDatabase];
}

async function migrateAll(databaseUrl: string): Promise<string[]> {
  const done: string[] = [];
  for (const spec of await databaseSpecs()) {
    const ds = await openDatabase(databaseUrl, spec, 2, "migrate");
    await ds.destroy();
    done.push(spec.schema);
  }
  return done;
}

async function main(): Promise<void> {
  cliFlags({
    usage: "npm run migrate --",
    summary: "Brings every schema of the mesh up to date against DATABASE_URL and exits; SEED_ITEMS > 0 also fills an empty catalog and inventory with that many demo items (SEED_WAREHOUSES, SEED).",
    flags: {},
  });
  const env = process.env;
  const databaseUrl = env.DATABASE_URL ?? INFRA_DEFAULTS.databaseUrl;
  const started = Date.now();
  const schemas = await migrateAll(databaseUrl);
  say(`schemas up to date: ${schemas.join(", ")} (${Date.now() - started} ms)`);
  const items = intFrom(env, "SEED_ITEMS", 0);
  if (items > 0) {
    const seeded = await seedDemoData(databaseUrl, { items, warehouses: intFrom(env, "SEED_WAREHOUSES", 6), seed: intFrom(env, "SEED", 42) });
    say(`demo data: ${seeded.categories} categories, ${seeded.items} items, ${seeded.warehouses} warehouses (${seeded.ms} ms)`);
  }
}

main().catch((err) => {
  console.error(`[migrate] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
