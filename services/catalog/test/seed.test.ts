// Seeding: the real category tree and deterministic demo items, idempotent, with their CREATED events.
import { fromBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { ItemChangeType, ItemChangedSchema } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { openDatabase } from "../../lib/db.js";
import { freshDatabase } from "../../../test/harness.js";
import { catalogDatabase } from "../src/main.js";
import { listActiveItemIds, seedCatalog, seedCategories } from "../src/store/seed.js";

describe("catalog seed", function () {
  const opened: DataSource[] = [];
  async function emptyCatalogDb(): Promise<DataSource> {
    const ds = await openDatabase(await freshDatabase("seed"), catalogDatabase, 4, "seed-test");
    opened.push(ds);
    return ds;
  }
  after(async () => {
    for (const ds of opened) await ds.destroy();
  });

  it("loads the 4,584 real categories once, with parents and paths", async () => {
    const ds = await emptyCatalogDb();
    expect(await seedCategories(ds)).to.equal(4584);
    expect(await seedCategories(ds)).to.equal(4584);
    const [tv] = await ds.query(`SELECT parent_id, path, depth FROM catalog.categories WHERE id = 'abcat0101000'`);
    expect(tv).to.deep.equal({ parent_id: "abcat0100000", path: ["TV & Home Theater", "TVs"], depth: 1 });
    const [{ orphans }] = await ds.query(
      `SELECT count(*)::int AS orphans FROM catalog.categories c
       LEFT JOIN catalog.categories p ON p.id = c.parent_id
       WHERE c.parent_id IS NOT NULL AND (p.id IS NULL OR c.path[1:c.depth] <> p.path OR c.path_ids[1:c.depth] <> p.path_ids)`,
    );
    expect(orphans).to.equal(0);
  });

  it("seeds N items deterministically, each with a CREATED outbox event, and only into an empty catalog", async () => {
    const a = await emptyCatalogDb();
    const b = await emptyCatalogDb();
    const started = Date.now();
    const first = await seedCatalog(a, { items: 3000, seed: 7 });
    const ms = Date.now() - started;
    console.log(`      seedCatalog: 4,584 categories + 3,000 items + 3,000 events in ${ms} ms`);
    expect(first).to.include({ categories: 4584, items: 3000, insertedItems: 3000 });
    expect(first.itemIds).to.have.length(3000);

    const again = await seedCatalog(a, { items: 3000, seed: 99 });
    expect(again).to.include({ categories: 4584, items: 3000, insertedItems: 0 });
    expect(again.itemIds).to.deep.equal(first.itemIds);

    await seedCatalog(b, { items: 3000, seed: 7 });
    const rows = (ds: DataSource) => ds.query(`SELECT id, sku, name, brand, category_id, price_minor::text, attributes FROM catalog.items ORDER BY sku`);
    expect(await rows(b)).to.deep.equal(await rows(a));
    expect(await listActiveItemIds(b)).to.deep.equal(first.itemIds);

    const events: { payload: Buffer; subject: string }[] = await a.query(`SELECT payload, subject FROM catalog.outbox`);
    expect(events).to.have.length(3000);
    const decoded = events.map((e) => fromBinary(ItemChangedSchema, e.payload));
    expect(new Set(decoded.map((e) => e.item!.id))).to.deep.equal(new Set(first.itemIds));
    expect(decoded.every((e) => e.changeType === ItemChangeType.CREATED && e.item!.version === 1n)).to.equal(true);
    expect(events.every((e) => e.subject === "catalog.items.changed")).to.equal(true);
  });

  it("produces items that satisfy the catalog's own rules and fit their leaf categories", async () => {
    const ds = await emptyCatalogDb();
    await seedCatalog(ds, { items: 500, seed: 3 });
    const items: { sku: string; name: string; brand: string; price_minor: string; image_url: string; currency: string; has_children: boolean }[] = await ds.query(
      `SELECT i.sku, i.name, i.brand, i.price_minor::text, i.image_url, i.currency,
              EXISTS (SELECT 1 FROM catalog.categories ch WHERE ch.parent_id = i.category_id) AS has_children
       FROM catalog.items i`,
    );
    for (const it of items) {
      expect(it.sku).to.match(/^[A-Za-z0-9._-]{1,64}$/);
      expect(it.name.length).to.be.within(1, 200);
      expect(it.brand.length).to.be.within(1, 100);
      expect(Number(it.price_minor)).to.be.greaterThan(0);
      expect(it.image_url).to.equal(`https://images.shop-mesh.dev/items/${it.sku}.jpg`);
      expect(it.currency).to.equal("USD");
      expect(it.has_children).to.equal(false);
    }
    const tvs: { name: string }[] = await ds.query(
      `SELECT i.name FROM catalog.items i JOIN catalog.categories c ON c.id = i.category_id
       WHERE c.path_ids @> ARRAY['abcat0101000'] AND c.name ~ '^(LED|OLED|Smart|4K Ultra HD|Curved|3D) TVs$'`,
    );
    for (const tv of tvs) expect(tv.name).to.match(/\d\d" Class .* TV /);
  });
});
