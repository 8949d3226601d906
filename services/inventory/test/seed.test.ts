// The demo seed: warehouses from real stores, 3,000 items stocked fast, consistent with every invariant,
// and a repeat changes nothing.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { openDatabase } from "../../lib/db.js";
import { freshDatabase } from "../../../test/harness.js";
import { inventory } from "../src/main.js";
import { seedInventory } from "../src/store/seed.js";
import { lines, startInventory } from "./fixture.js";

describe("inventory seed", function () {
  this.timeout(60_000);

  it("creates warehouses and stocks 3,000 items in well under 2 s, idempotently, with a clean audit", async () => {
    const databaseUrl = await freshDatabase();
    const ds = await openDatabase(databaseUrl, inventory.database!, 4, "seed-test");
    const itemIds = Array.from({ length: 3000 }, () => randomUUID());
    try {
      const t0 = Date.now();
      const first = await seedInventory(ds, { itemIds, warehouses: 6, seed: 42 });
      const ms = Date.now() - t0;
      expect(ms, `seeding took ${ms} ms`).to.be.below(2000);
      expect(first).to.include({ warehouses: 6, warehousesCreated: 6, itemsStocked: 3000 });
      expect(first.units).to.be.greaterThan(3000 * 20);
      const again = await seedInventory(ds, { itemIds, warehouses: 6, seed: 42 });
      expect(again).to.deep.equal({ warehouses: 6, warehousesCreated: 0, itemsStocked: 0, units: 0 });
      const events = await ds.query(`SELECT count(*)::int AS n FROM inventory.outbox WHERE subject = 'inventory.stock.changed'`);
      expect(events[0].n).to.equal(3000);
      const spread = await ds.query(
        `SELECT count(*) FILTER (WHERE n = 1)::int AS one, count(*) FILTER (WHERE n > 1)::int AS several
         FROM (SELECT item_id, count(*) AS n FROM inventory.warehouse_stock GROUP BY item_id) x`);
      expect(spread[0].one).to.be.greaterThan(500);
      expect(spread[0].several).to.be.greaterThan(500);
    } finally {
      await ds.destroy();
    }

    // The seeded database as the running service sees it: audit clean, seeded stock reservable.
    const f = await startInventory({}, databaseUrl);
    try {
      await f.expectAuditClean();
      const stocked = await f.sql.query(`SELECT item_id FROM inventory.item_stock WHERE aggregated > 0 LIMIT 1`);
      const item = stocked.rows[0].item_id as string;
      const before = await f.aggregated(item);
      expect((await f.client.reserve({ checkoutId: randomUUID(), lines: lines([item, 1]) }, f.service)).reservation).to.not.equal(undefined);
      expect(await f.aggregated(item)).to.equal(before - 1);
    } finally {
      await f.stop();
    }
  });

  it("creates warehouses even with no items, and leaves existing warehouses alone", async () => {
    const f = await startInventory();
    try {
      const ds = await openDatabase(f.databaseUrl, inventory.database!, 2, "seed-test");
      try {
        expect(await seedInventory(ds, { itemIds: [], warehouses: 3, seed: 1 })).to.include({ warehouses: 3, warehousesCreated: 3 });
        expect(await seedInventory(ds, { itemIds: [], warehouses: 5, seed: 1 })).to.include({ warehouses: 3, warehousesCreated: 0 });
        const item = randomUUID();
        const r = await seedInventory(ds, { itemIds: [item], warehouses: 3, seed: 1 });
        expect(r.itemsStocked).to.equal(1);
      } finally {
        await ds.destroy();
      }
      const list = await f.client.listWarehouses({}, f.admin);
      expect(list.warehouses.map((w) => w.code.slice(0, 3))).to.deep.equal(["NYC", "LAX", "CHI"]);
      expect(list.warehouses[0].address?.countryCode).to.equal("US");
      expect(list.warehouses[0].location?.lat).to.be.within(40, 41.5);
      await f.expectAuditClean();
      expect((await f.client.reserve({ checkoutId: randomUUID(), lines: lines([randomUUID(), 1]) }, f.service)).shortages).to.have.length(1);
    } finally {
      await f.stop();
    }
  });
});
