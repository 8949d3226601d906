// Fresh, but never in the way: changes through the real Catalog and Inventory (outbox -> NATS -> Search) are
// searchable within 2 seconds, replayed events change nothing, the cache never serves what a change touched,
// and Search answers without Redis.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { createClient as createRedis } from "redis";
import { ItemChangedSchema, ItemChangeType, ItemSchema } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { StockChangedSchema } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { SearchService } from "../../../gen/shop/search/v1/search_pb.js";
import { money } from "../../lib/money.js";
import { EVENTS } from "../../lib/events.js";
import { eventHeaders } from "../../lib/nats.js";
import { eventually, startServices, suiteFixture, testInfra, testKeyEnv } from "../../../test/harness.js";
import { STATS_KEY } from "../src/cache.js";
import { search } from "../src/main.js";
import { CATEGORIES, startSearchFixture, type SearchFixture } from "./fixture.js";

/** Polls until `seen()` holds; returns how long that took after `since`. */
async function timeUntil(since: number, seen: () => Promise<boolean>, limitMs = 5_000): Promise<number> {
  for (;;) {
    if (await seen()) return Date.now() - since;
    if (Date.now() - since > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("search freshness", function () {
  this.timeout(60_000);
  const f = suiteFixture(() => startSearchFixture());
  before(async () => {
    await f.createFixtureItems();
  });

  it("makes a catalog change searchable within 2 seconds", async () => {
    const item = f.items.dellXps;
    const started = Date.now();
    await f.catalog.updateItem({ itemId: item.id, expectedVersion: item.version, name: "Dell XPS 13 Quasarline Laptop" }, f.admin);
    const ms = await timeUntil(started, async () => (await f.ids({ query: "quasarline" })).includes(item.id));
    expect(ms).to.be.below(2000);
    f.items.dellXps = (await f.catalog.getItem({ itemId: item.id })).item!;
  });

  it("hides an archived item within 2 seconds, and the read model follows", async () => {
    const item = f.items.echoDotCase;
    const started = Date.now();
    await f.catalog.archiveItem({ itemId: item.id }, f.admin);
    const ms = await timeUntil(started, async () => !(await f.ids({ query: "echo dot" })).includes(item.id));
    expect(ms).to.be.below(2000);
    await eventually(async () => {
      const rows = await f.sql.query(`SELECT active, version FROM search.items WHERE item_id = $1`, [item.id]);
      return rows.rows[0]?.active === false;
    }, 5_000, "read model has the archived item");
  });

  it("shows a stock change within 2 seconds", async () => {
    const item = f.items.samsungCrystal;
    const started = Date.now();
    await f.receive(item.id, 12);
    const ms = await timeUntil(started, async () => (await f.query({ query: "samsung crystal" })).items.find((i) => i.itemId === item.id)?.stockLeft === 12);
    expect(ms).to.be.below(2000);
  });

  it("changes nothing when events are replayed (older versions, the same version, older stock)", async () => {
    const nats = f.running.search.ctx.nats;
    const target = f.items.macbookAir;
    await f.catalog.updateItem({ itemId: target.id, expectedVersion: target.version, name: "Apple MacBook Air 13 Nebula Laptop", price: money(89999n) }, f.admin);
    await f.receive(target.id, 5);
    await f.receive(target.id, 6);
    await eventually(async () => (await f.query({ query: "nebula" })).items[0]?.stockLeft === 11, 5_000, "changes applied");
    await settled(f);
    const before = await readModel(f);
    const answersBefore = await answers(f);

    // The item as it was (version 1), the item as it is (same version again), and stock as it was (sequence 1).
    const old = create(ItemSchema, { ...target, $typeName: "shop.catalog.v1.Item" });
    const current = (await f.catalog.getItem({ itemId: target.id })).item!;
    for (const item of [old, current]) {
      const event = create(ItemChangedSchema, { eventId: randomUUID(), changeType: ItemChangeType.UPDATED, item, occurTime: timestampNow() });
      await nats.js.publish(EVENTS.catalogItemChanged.subject, toBinary(ItemChangedSchema, event), { msgID: event.eventId, headers: eventHeaders(event.eventId) });
    }
    const stale = create(StockChangedSchema, { eventId: randomUUID(), itemId: target.id, available: 5, lowStock: false, occurTime: timestampNow(), sequence: 1n });
    await nats.js.publish(EVENTS.inventoryStockChanged.subject, toBinary(StockChangedSchema, stale), { msgID: stale.eventId, headers: eventHeaders(stale.eventId) });
    // A real change after the replays: once the index shows it, it has read past the replays (one ordered stream).
    const marker = f.items.otterboxCase;
    await f.catalog.updateItem({ itemId: marker.id, expectedVersion: marker.version, description: "Rugged protection, now with a marker word zygomorph." }, f.admin);
    await eventually(async () => (await f.ids({ query: "zygomorph" })).length === 1, 5_000, "marker applied");
    await settled(f);

    const after = await readModel(f);
    expect(after.items.filter((r) => r.item_id !== marker.id)).to.deep.equal(before.items.filter((r) => r.item_id !== marker.id));
    expect(after.stock).to.deep.equal(before.stock);
    expect(await answers(f)).to.deep.equal(answersBefore);
  });

  it("serves a repeated query from the cache, with stock fresh, and never serves what a change touched", async () => {
    const redis = createRedis({ url: testInfra().redisUrl });
    await redis.connect();
    try {
      const hits = async () => Number((await redis.hGet(STATS_KEY, "hits")) ?? 0);
      const query = { filter: { categoryId: CATEGORIES.laptops } };
      await f.query(query);
      const before = await hits();
      const first = await f.query(query);
      await eventually(async () => (await hits()) > before, 3_000, "the repeated query counted as a hit");
      expect(first.items.length).to.equal(2);

      // Stock does not change which laptops are listed: still a hit, but with the stock of now.
      const dell = f.items.dellXps;
      await f.receive(dell.id, 7);
      await eventually(async () => (await f.query(query)).items.find((i) => i.itemId === dell.id)?.stockLeft === 7, 3_000, "fresh stock on a cached page");

      // A price change does: the next answer must carry the new price.
      await f.catalog.updateItem({ itemId: dell.id, expectedVersion: dell.version, price: money(77777n) }, f.admin);
      f.items.dellXps = (await f.catalog.getItem({ itemId: dell.id })).item!;
      await eventually(async () => (await f.query(query)).items.find((i) => i.itemId === dell.id)?.price?.minorUnits === 77777n, 3_000, "new price");
    } finally {
      await redis.close();
    }
  });

  it("rebuilds the read model from Catalog with the reindex command, and every process rebuilds its index", async () => {
    const ghost = randomUUID();
    await f.sql.query(
      `INSERT INTO search.items (item_id, version, active, name, description, brand, category_id, price_minor, currency,
         image_url, attribute_text, created_ms, applied_at)
       VALUES ($1, 1, true, 'Phantasmagoria Ghost Item', '', 'Nobody', $2, 100, 'USD', '', '', 0, now() - interval '1 hour')`,
      [ghost, CATEGORIES.tvs],
    );
    // A damaged row: an item's name lost, its version intact.
    const lg = f.items.lgOled;
    await f.sql.query(`UPDATE search.items SET name = 'garbled' WHERE item_id = $1`, [lg.id]);
    // A row set back to an older version (as if an update had been lost).
    await f.sql.query(`UPDATE search.items SET version = 1, name = 'older' WHERE item_id = $1`, [f.items.dellXps.id]);
    // An index rebuilt from this read model shows the ghost (so it really reads Postgres)...
    f.running.search.ctx.nats.nc.publish("search.reindexed");
    await eventually(async () => (await f.ids({ query: "phantasmagoria" })).includes(ghost), 10_000, "ghost visible after a rebuild");

    await reindex(f);
    const rows = await f.sql.query(`SELECT item_id::text, name, version FROM search.items WHERE item_id = ANY($1::uuid[])`, [[ghost, f.items.dellXps.id]]);
    expect(rows.rows.map((r) => r.item_id)).to.deep.equal([f.items.dellXps.id]);
    expect(rows.rows[0].name).to.equal(f.items.dellXps.name);
    // ...and after the reindex every process has rebuilt without it.
    await eventually(async () => (await f.ids({ query: "phantasmagoria" })).length === 0, 10_000, "ghost gone");
    expect((await f.ids({ query: "quasarline" }))).to.deep.equal([f.items.dellXps.id]);
    // A damaged row at Catalog's current version is rewritten too.
    const repaired = await f.sql.query(`SELECT name FROM search.items WHERE item_id = $1`, [lg.id]);
    expect(repaired.rows[0].name).to.equal(lg.name);
  });

  it("answers narrow queries from the index without a Redis round trip (only expensive ones are cached)", async () => {
    // A replica with a Redis database of its own: the cache counts it adds to STATS_KEY are its alone, and
    // stopping it writes them (no waiting for the once-a-second flush).
    const queries = ["laptop", "laptop", "", "samsung tv"];
    const url = new URL(testInfra().redisUrl);
    url.pathname = "/7";
    const redis = createRedis({ url: url.toString() });
    await redis.connect();
    const lookups = async (minCandidates: string) => {
      await redis.flushDb();
      const replica = await startServices([search], {
        databaseUrl: f.databaseUrl, env: { ...f.env, REDIS_URL: url.toString(), SEARCH_CACHE_MIN_CANDIDATES: minCandidates, CATALOG_ADDR: f.running.catalog.url },
      });
      try {
        const client = createClient(SearchService, createGrpcTransport({ baseUrl: replica.services.search.url }));
        for (const q of queries) expect((await client.getItemCatalog({ query: q })).items.length).to.be.greaterThan(0);
      } finally {
        await replica.stop();
      }
      const h = await redis.hGetAll(STATS_KEY);
      return Number(h.hits ?? 0) + Number(h.misses ?? 0);
    };
    try {
      expect(await lookups("1000")).to.equal(0);
      // The same queries counted as expensive do go to Redis: what was measured above can see a lookup.
      expect(await lookups("0")).to.equal(queries.length);
    } finally {
      await redis.close();
    }
  });

  it("answers without Redis, and a second replica builds the same answers from the read model and the streams", async () => {
    const replica = await startServices([search], {
      databaseUrl: f.databaseUrl,
      env: { ...f.env, REDIS_URL: "redis://127.0.0.1:1", CATALOG_ADDR: f.running.catalog.url },
    });
    try {
      const client = createClient(SearchService, createGrpcTransport({ baseUrl: replica.services.search.url }));
      for (const q of ["samsnug tv", "laptop", "", "headphones"]) {
        const [a, b] = await Promise.all([client.getItemCatalog({ query: q }), f.query({ query: q })]);
        expect(a.items.map((i) => [i.itemId, i.stockLeft])).to.deep.equal(b.items.map((i) => [i.itemId, i.stockLeft]));
        expect(a.totalSize).to.equal(b.totalSize);
      }
      expect((await client.suggest({ prefix: "sams" })).suggestions.length).to.be.greaterThan(0);
      // Changes keep flowing to both (they share the durable consumers, each follows the streams itself).
      const sony = f.items.sonyHeadphones;
      await f.catalog.updateItem({ itemId: sony.id, expectedVersion: sony.version, name: "Sony WH-1000XM5 Obsidian Headphones" }, f.admin);
      await eventually(async () => (await client.getItemCatalog({ query: "obsidian" })).items.length === 1, 3_000, "replica sees the change");
    } finally {
      await replica.stop();
    }
  });
});

/** Runs `npm run search:reindex` (the script itself) against the fixture's database, NATS and Catalog. */
async function reindex(f: SearchFixture): Promise<void> {
  await promisify(execFile)(process.execPath, ["--import", "tsx", "services/search/src/reindex.ts"], {
    env: {
      ...process.env, DATABASE_URL: f.databaseUrl, NATS_URL: testInfra().natsUrl, CATALOG_ADDR: f.running.catalog.url, LOG_LEVEL: "warn",
      ...testKeyEnv(false),
    },
    timeout: 60_000,
  });
}

/** Waits until the read model's durable consumers have nothing pending or unacknowledged. */
async function settled(f: SearchFixture): Promise<void> {
  const { jsm } = f.running.search.ctx.nats;
  const suffix = f.env.EVENT_CONSUMER_SUFFIX ?? "";
  await eventually(async () => {
    for (const [stream, durable] of [["CATALOG", "search-catalog"], ["INVENTORY", "search-stock"]]) {
      const info = await jsm.consumers.info(stream, durable + suffix);
      if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
    }
    return true;
  }, 10_000, "read-model consumers settled");
}

async function readModel(f: SearchFixture) {
  const items = (await f.sql.query(`SELECT item_id, version, active, name, price_minor FROM search.items ORDER BY item_id`)).rows;
  const stock = (await f.sql.query(`SELECT item_id, available, low_stock, sequence FROM search.stock ORDER BY item_id`)).rows;
  return { items, stock };
}

async function answers(f: SearchFixture) {
  const out: unknown[] = [];
  for (const query of ["laptop", "macbook", "", "apple"]) {
    const res = await f.query({ query, pageSize: 100 });
    out.push(res.items.map((i) => [i.itemId, i.name, i.price?.minorUnits, i.stockLeft]), res.totalSize);
  }
  return out;
}
