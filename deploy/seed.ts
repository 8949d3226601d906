// Demo data for `npm start`: the real category tree, generated items, warehouses from real store locations,
// and stock spread across them. Runs only on an empty catalog / inventory, so restarts keep what you changed.
import { openDatabase } from "../services/lib/db.js";
import { catalog } from "../services/catalog/src/main.js";
import { inventory } from "../services/inventory/src/main.js";
import { seedCatalog } from "../services/catalog/src/store/seed.js";
import { seedInventory } from "../services/inventory/src/store/seed.js";

export interface SeedOptions {
  items: number;
  warehouses: number;
  seed: number;
}

export interface SeedSummary {
  categories: number;
  items: number;
  warehouses: number;
  ms: number;
}

/** Migrates the catalog and inventory schemas and fills them when empty. */
export async function seedDemoData(databaseUrl: string, opts: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const catalogDb = await openDatabase(databaseUrl, catalog.database!, 4, "seed");
  const inventoryDb = await openDatabase(databaseUrl, inventory.database!, 4, "seed");
  try {
    const cat = await seedCatalog(catalogDb, { items: opts.items, seed: opts.seed });
    const inv = await seedInventory(inventoryDb, { itemIds: cat.itemIds, warehouses: opts.warehouses, seed: opts.seed });
    return { categories: cat.categories, items: cat.items, warehouses: inv.warehouses, ms: Date.now() - started };
  } finally {
    await catalogDb.destroy();
    await inventoryDb.destroy();
  }
}
