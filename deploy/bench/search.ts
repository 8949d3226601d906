// `npm run bench:search`: the search query mix against the running stack (seed it first:
// `npm run seed -- --items 1000000`), through the gateway and straight over gRPC, uncached (cache cleared,
// every request distinct) and cached (a warmed set of requests repeated), in the same run as the raw limits:
// the same requests straight at the in-memory index (built here from the read model, no RPC, no cache) and
// as Postgres full-text search (GIN over a tsvector, a table built once in schema search_bench).
//
// Kinds: head (popular queries), longtail (words from real item names, some misspelt), filtered (a query
// with category / brand / price / in-stock filters and sorts), browse (facet-heavy browsing of categories
// without a query, deeper pages) and suggest (autocomplete prefixes). Each phase runs closed-loop at the
// given concurrency (its qps is the capacity) and open-loop at a fixed rate with at most `concurrency`
// requests in flight (latency measured from the scheduled send time, so queueing counts). Every phase reports
// the CPU each request cost each process (from /proc); open-loop phases also count stalls (half-second windows
// whose slowest request took over 100 ms), which a p99 alone cannot tell from steady queueing.
//
// Prints one JSON document. Flags: --concurrency 50 --rate 500 --seconds 15 --seed 7 --skip-postgres
// --index-only (only the raw in-memory index: the cost of each kind of query without RPC, cache or load)
// --telemetry-matrix: the gateway's uncached and cached capacity once per telemetry setting (off, metrics, traces
// at 10% and 100%: telemetry.ts), each on a fresh stack seeded with --matrix-items items, side by side.
// The gateway must not rate-limit the benchmark: start the stack with RATE_LIMIT_PER_ADDRESS=0 RATE_LIMIT_PER_USER=0.
import http from "node:http";
import http2 from "node:http2";
import os from "node:os";
import v8 from "node:v8";
import { createClient, type Client } from "@connectrpc/connect";
import pg from "pg";
import { createClient as createRedis } from "redis";
import { money } from "../../services/lib/money.js";
import { loadConfig, replicaUrls } from "../../services/lib/config.js";
import {
  GetItemCatalogRequestSchema, SearchService, SortOrder, SuggestRequestSchema,
} from "../../gen/shop/search/v1/search_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { CACHE_PREFIX, STATS_KEY } from "../../services/search/src/cache.js";
import { CategoryTree } from "../../services/search/src/domain/categories.js";
import { validateCatalogRequest } from "../../services/search/src/domain/request.js";
import { SearchIndex } from "../../services/search/src/index/search-index.js";
import { readSnapshot } from "../../services/search/src/store/read-model.js";
import { cliFlags } from "../../services/lib/cli.js";
import { ensureFtsTable, ftsRunner } from "./search-fts.js";
import { closedLoop, machine, openLoop, stalls, sustainableRate, type Run, type Sample } from "./load.js";
import { benchStack, type BenchStack, cpuPerRequest, cpuReading, gatewayTransport, percentile, postgresDurability } from "./stack.js";
import { telemetryMatrix } from "./telemetry.js";
import { meshTransport } from "../../services/lib/transport.js";

type Kind = "head" | "longtail" | "filtered" | "browse" | "suggest";
const KINDS: Kind[] = ["head", "longtail", "filtered", "browse", "suggest"];
const MIX: Record<Kind, number> = { head: 0.3, longtail: 0.25, filtered: 0.2, browse: 0.15, suggest: 0.1 };
type CatalogQuery = MessageInitShape<typeof GetItemCatalogRequestSchema>;
type Req = { kind: Kind; catalog?: CatalogQuery; prefix?: string; body?: Buffer };

const flags = cliFlags({
  usage: "npm run bench:search --",
  summary: "The search query mix against the running stack (seed it first: npm run seed -- --items 1000000), through "
    + "the gateway and straight over gRPC, uncached and cached, beside the raw limits (the in-memory index alone, "
    + "Postgres full-text search). Prints one JSON document. Start the stack with RATE_LIMIT_PER_ADDRESS=0 "
    + "RATE_LIMIT_PER_USER=0.",
  flags: {
    concurrency: { type: "int", default: 50, min: 1, help: "requests in flight" },
    rate: { type: "int", default: 500, min: 1, help: "requests/s of the open-loop phases" },
    seconds: { type: "int", default: 15, min: 1, help: "length of each phase" },
    seed: { type: "int", default: 7, help: "random seed of the query mix" },
    "skip-postgres": { type: "boolean", help: "skip the Postgres full-text phase" },
    "index-only": { type: "boolean", help: "only the raw in-memory index (no RPC, cache or load)" },
    "telemetry-matrix": { type: "boolean", help: "gateway capacity once per telemetry setting (off, metrics, traces at 10% and 100%) on fresh stacks" },
    "matrix-items": { type: "int", default: 5000, min: 1000, help: "items each telemetry-matrix stack is seeded with" },
  },
});
const { concurrency, rate, seconds, seed } = flags;
const skipPostgres = flags["skip-postgres"];
const indexOnly = flags["index-only"];
const log = (m: string) => console.error(`[bench:search] ${m}`);

/** Popular queries of an electronics store (the head of the distribution). */
const HEAD = [
  "tv", "samsung tv", "laptop", "iphone case", "headphones", "apple", "sony", "refrigerator", "4k tv", "wireless headphones",
  "gaming laptop", "camera", "canon camera", "speaker", "microwave", "xbox", "nintendo switch", "washer", "dryer",
  "smart watch", "bluetooth speaker", "hdmi cable", "ipad", "galaxy", "lg oled", "printer", "monitor", "router", "drone",
  "vinyl", "soundbar", "keyboard", "mouse", "charger", "tablet", "dishwasher", "vacuum", "coffee maker", "projector", "earbuds",
  "samsung", "lg", "apple watch", "macbook", "iphone", "airpods", "playstation", "ps5", "gaming monitor", "4k monitor",
  "ssd", "hard drive", "memory card", "usb cable", "power bank", "phone case", "screen protector", "tv mount", "oled tv",
  "75 inch tv", "65 inch tv", "sound bar", "subwoofer", "receiver", "turntable", "guitar", "keyboard piano", "dslr camera",
  "mirrorless camera", "lens", "tripod", "gopro", "dash cam", "gps", "car stereo", "air fryer", "blender", "toaster",
  "range", "freezer", "wine cooler", "air conditioner", "space heater", "fan", "air purifier", "humidifier", "robot vacuum",
  "smart lock", "doorbell", "security camera", "thermostat", "smart plug", "light bulb", "wifi router", "mesh wifi", "modem",
  "nintendo", "video games", "controller", "gaming headset", "gaming chair", "desk", "office chair", "webcam", "microphone",
  "fitness tracker", "electric toothbrush", "hair dryer", "shaver", "scale", "treadmill", "ebike", "scooter", "luggage",
];

/** mulberry32: the request mix is the same for a given --seed. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Data {
  names: string[];
  brands: string[];
  categories: { id: string; depth: number; items: number }[];
  tree: CategoryTree;
}

async function loadData(db: pg.Pool): Promise<Data> {
  const names = (await db.query(`SELECT name FROM search.items TABLESAMPLE SYSTEM (2) WHERE active LIMIT 20000`)).rows.map((r) => r.name as string);
  const brands = (await db.query(`SELECT brand FROM search.items WHERE active GROUP BY brand ORDER BY count(*) DESC LIMIT 200`)).rows.map((r) => r.brand as string);
  const cats = (await db.query(`SELECT id, name, coalesce(parent_id, '') AS parent_id, depth FROM catalog.categories`)).rows;
  const tree = new CategoryTree(cats.map((c) => ({ id: c.id, name: c.name, parentId: c.parent_id })));
  const direct = new Map<string, number>((await db.query(
    `SELECT category_id, count(*)::int AS n FROM search.items WHERE active GROUP BY category_id`,
  )).rows.map((r) => [r.category_id, r.n]));
  // Items per category including descendants (browsing a department lists its whole subtree).
  const total = new Map<string, number>();
  for (const [id, n] of direct) {
    const i = tree.indexOf(id);
    if (i < 0) continue;
    for (const a of tree.paths[i]) total.set(tree.ids[a], (total.get(tree.ids[a]) ?? 0) + n);
  }
  const categories = [...total].filter(([, n]) => n >= 50).map(([id, items]) => ({ id, depth: tree.depth[tree.indexOf(id)], items }));
  return { names, brands, categories, tree };
}

function typo(word: string, rand: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(rand() * (word.length - 3));
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

/** A pool of distinct requests of every kind, in mix proportions (page sizes vary so repeats are distinct). */
function requestPool(data: Data, count: number, rand: () => number): Req[] {
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const words = (name: string) => name.split(/[^A-Za-z0-9-]+/).filter((w) => w.length > 1);
  const longtail = () => {
    const ws = words(pick(data.names));
    const start = Math.floor(rand() * Math.max(1, ws.length - 2));
    const q = ws.slice(start, start + 1 + Math.floor(rand() * 3));
    if (rand() < 0.25 && q.length) q[0] = typo(q[0].toLowerCase(), rand);
    return q.join(" ").toLowerCase();
  };
  const seen = new Set<string>();
  const pool: Req[] = [];
  let guard = 0;
  while (pool.length < count && guard++ < count * 20) {
    const r = rand();
    let acc = 0;
    let kind: Kind = "head";
    for (const k of KINDS) {
      acc += MIX[k];
      if (r < acc) {
        kind = k;
        break;
      }
    }
    let req: Req;
    // Page sizes a storefront uses (they also make repeated queries distinct requests for the uncached runs).
    const pageSize = 16 + Math.floor(rand() * 33);
    if (kind === "head") {
      req = { kind, catalog: { query: pick(HEAD), pageSize } };
    } else if (kind === "longtail") {
      req = { kind, catalog: { query: longtail(), pageSize } };
    } else if (kind === "filtered") {
      const f: NonNullable<CatalogQuery["filter"]> = {};
      const roll = rand();
      if (roll < 0.4) f.categoryId = pick(data.categories.filter((c) => c.depth <= 1)).id;
      if (roll >= 0.3 && roll < 0.6) f.brands = [pick(data.brands.slice(0, 40))];
      if (roll >= 0.5) {
        const lo = [0, 2500, 5000, 10000, 20000][Math.floor(rand() * 5)];
        f.minPrice = money(BigInt(lo));
        f.maxPrice = money(BigInt(lo * 4 + 5000));
      }
      if (rand() < 0.3) f.inStockOnly = true;
      const sort = pick([SortOrder.RELEVANCE, SortOrder.RELEVANCE, SortOrder.PRICE_ASCENDING, SortOrder.PRICE_DESCENDING]);
      req = { kind, catalog: { query: rand() < 0.6 ? pick(HEAD) : longtail(), filter: f, sort, pageSize } };
    } else if (kind === "browse") {
      const cat = pick(data.categories);
      const f: NonNullable<CatalogQuery["filter"]> = rand() < 0.85 ? { categoryId: cat.id } : {};
      if (rand() < 0.3) f.brands = [pick(data.brands.slice(0, 30))];
      if (rand() < 0.25) f.inStockOnly = true;
      const sort = pick([SortOrder.NEWEST, SortOrder.NEWEST, SortOrder.PRICE_ASCENDING, SortOrder.PRICE_DESCENDING]);
      req = { kind, catalog: { filter: f, sort, pageSize } };
    } else {
      const source = rand() < 0.5 ? pick(HEAD) : pick(data.names).toLowerCase();
      req = { kind, prefix: source.slice(0, 1 + Math.floor(rand() * Math.min(10, source.length))) };
    }
    // Distinct, so that with the cache cleared no search is answered from it (suggestions are never cached).
    const key = JSON.stringify(req, (_, v) => (typeof v === "bigint" ? v.toString() : v));
    if (kind !== "suggest" && seen.has(key)) continue;
    seen.add(key);
    pool.push(req);
  }
  return pool;
}

function summarize({ samples, wall: wallSeconds, cpu }: Run) {
  const kinds: Record<string, { n: number; mean: number; p50: number; p95: number; p99: number; errors: number }> = {};
  const round = (x: number) => Math.round(x * 100) / 100;
  const stats = (list: Sample[]) => {
    const ms = list.filter((s) => s.ok).map((s) => s.ms).sort((a, b) => a - b);
    const mean = ms.length ? ms.reduce((t, x) => t + x, 0) / ms.length : 0;
    return { n: list.length, mean: round(mean), p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)), errors: list.filter((s) => !s.ok).length };
  };
  for (const k of KINDS) {
    const list = samples.filter((s) => s.kind === k);
    if (list.length) kinds[k] = stats(list);
  }
  const searches = samples.filter((s) => s.kind !== "suggest");
  return { qps: Math.round(samples.length / wallSeconds), all: stats(samples), get_item_catalog: stats(searches), kinds, cpu_ms_per_request: cpu, stalls_500ms: stalls(samples) };
}

type Runner = (r: Req) => Promise<unknown>;

/** The request's protobuf body, encoded once (the load generator should cost as little CPU as it can). */
function body(r: Req): Buffer {
  r.body ??= Buffer.from(r.kind === "suggest"
    ? toBinary(SuggestRequestSchema, create(SuggestRequestSchema, { prefix: r.prefix! }))
    : toBinary(GetItemCatalogRequestSchema, create(GetItemCatalogRequestSchema, r.catalog!)));
  return r.body;
}

const PATH = { catalog: "/shop.search.v1.SearchService/GetItemCatalog", suggest: "/shop.search.v1.SearchService/Suggest" };

/** Connect unary over HTTP/1.1 keep-alive (as a browser calls the gateway), pre-encoded binary bodies. */
function gatewayRunner(baseUrl: string, sockets: number): Runner {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return (r) => new Promise<void>((resolve, reject) => {
    const payload = body(r);
    const req = http.request({
      host: url.hostname, port: url.port, method: "POST", agent, path: r.kind === "suggest" ? PATH.suggest : PATH.catalog,
      headers: { "content-type": "application/proto", "content-length": payload.length, "connect-protocol-version": "1" },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * gRPC over one HTTP/2 connection per Search replica, in turn (as the services call each other), pre-encoded
 * length-prefixed messages.
 */
function grpcRunner(baseUrls: string): Runner {
  const replicas = replicaUrls(baseUrls).map(grpcReplicaRunner);
  let turn = 0;
  return (r) => replicas[turn++ % replicas.length](r);
}

function grpcReplicaRunner(baseUrl: string): Runner {
  let session = http2.connect(baseUrl);
  const frame = (r: Req) => {
    const b = body(r);
    const out = Buffer.alloc(5 + b.length);
    out.writeUInt32BE(b.length, 1);
    b.copy(out, 5);
    return out;
  };
  return (r) => new Promise<void>((resolve, reject) => {
    if (session.closed || session.destroyed) session = http2.connect(baseUrl);
    const stream = session.request({
      ":method": "POST", ":path": r.kind === "suggest" ? PATH.suggest : PATH.catalog, "content-type": "application/grpc+proto", te: "trailers",
    });
    let status: string | undefined;
    let message = "";
    stream.on("response", (h) => { status = h["grpc-status"] as string | undefined; message = String(h["grpc-message"] ?? ""); });
    stream.on("trailers", (t) => { status = t["grpc-status"] as string | undefined; message = String(t["grpc-message"] ?? ""); });
    stream.on("data", () => {});
    stream.on("end", () => (status === "0" ? resolve() : reject(new Error(`grpc-status ${status}: ${decodeURIComponent(message)}`))));
    stream.on("error", reject);
    stream.end(frame(r));
  });
}

/**
 * The telemetry matrix's run on one fresh stack: the gateway's closed-loop capacity, uncached (every request
 * distinct) and cached (a warmed set repeated), once Search has indexed the seeded items.
 */
async function gatewayCapacity(stack: BenchStack) {
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  try {
    const wanted = flags["matrix-items"];
    const deadline = Date.now() + 300_000;
    const indexed = async () => (await db.query(`SELECT count(*)::int AS n FROM search.items WHERE active`)).rows[0].n as number;
    while ((await indexed()) < wanted) {
      if (Date.now() > deadline) throw new Error(`Search indexed ${await indexed()} of ${wanted} items in 5 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 3000)); // the in-memory index catches up with the read model
    const data = await loadData(db);
    const gateway = gatewayRunner(stack.gatewayUrl, concurrency);
    const errors = new Set<string>();
    const rand = prng(seed);
    await closedLoop(gateway, requestPool(data, 600, prng(seed + 1)), concurrency, 5, { i: 0 }, errors);
    const uncached = summarize(await closedLoop(gateway, requestPool(data, (rate + 2500) * seconds, rand), concurrency, seconds, { i: 0 }, errors));
    const hot = requestPool(data, 2000, prng(seed + 2));
    await closedLoop(gateway, hot, concurrency, 10, { i: 0 }, errors);
    const repeated = Array.from({ length: (rate + 2500) * seconds }, () => hot[Math.floor(rand() * hot.length)]);
    const cached = summarize(await closedLoop(gateway, repeated, concurrency, seconds, { i: 0 }, errors));
    return {
      items: wanted, concurrency, seconds_per_phase: seconds, uncached_qps: uncached.qps, cached_qps: cached.qps,
      uncached_get_item_catalog_ms: uncached.get_item_catalog, cached_get_item_catalog_ms: cached.get_item_catalog,
      errors: [...errors], machine: machine(),
    };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  if (flags["telemetry-matrix"]) {
    const out = await telemetryMatrix(log, { throughput: "uncached_qps" }, gatewayCapacity, { seedItems: flags["matrix-items"] });
    console.log(JSON.stringify(out));
    process.exit(0);
  }
  const stack = await benchStack(log);
  const config = loadConfig("search");
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: Math.max(10, concurrency) });
  // The stack's own Redis (a throwaway stack's is on a free port), connected inside the try so a failure still
  // stops the stack this benchmark started.
  const redis = createRedis({ url: stack.redisUrl });
  try {
    await redis.connect();
    const [{ n: items }] = (await db.query(`SELECT count(*)::int AS n FROM search.items WHERE active`)).rows;
    if (items < 1000) throw new Error(`only ${items} items in Search's read model: seed first (npm run seed -- --items 1000000)`);
    log(`${items.toLocaleString("en-US")} items; concurrency ${concurrency}, rate ${rate}/s, ${seconds} s per phase`);
    const data = await loadData(db);
    if (indexOnly) {
      console.log(JSON.stringify({ items, machine: machine(), seconds, raw_index: await rawIndexPhase(stack.databaseUrl, data) }, null, 1));
      return;
    }
    const rand = prng(seed);
    // Enough distinct requests for a closed loop at a few thousand qps plus the open loop.
    const perPhase = (rate + 2500) * seconds;
    const gateway = gatewayRunner(stack.gatewayUrl, concurrency);
    const grpc = grpcRunner(config.addrs.search);
    const grpcClient = createClient(SearchService, meshTransport(config.addrs.search));

    const clearCache = async () => {
      let removed = 0;
      for await (const keys of redis.scanIterator({ MATCH: `${CACHE_PREFIX}*`, COUNT: 1000 })) {
        if (keys.length) removed += await redis.unlink(keys);
      }
      return removed;
    };
    const cacheStats = async () => {
      const h = await redis.hGetAll(STATS_KEY);
      return { hits: Number(h.hits ?? 0), misses: Number(h.misses ?? 0) };
    };
    const errors = new Set<string>();

    // Warm-up (JIT, connections): not measured.
    const warm = requestPool(data, 600, prng(seed + 1));
    await closedLoop(gateway, warm, concurrency, 5, { i: 0 }, errors);
    await closedLoop(grpc, warm, concurrency, 3, { i: 0 }, errors);

    /** Uncached: cache cleared, every request distinct; then cached: a warmed set repeated. */
    const phases = async (label: string, run: Runner, openToo: boolean) => {
      const out: Record<string, unknown> = {};
      await clearCache();
      await new Promise((r) => setTimeout(r, 1100));
      let before = await cacheStats();
      const fresh = requestPool(data, perPhase, rand);
      const cursor = { i: 0 };
      const sat = await closedLoop(run, fresh, concurrency, seconds, cursor, errors);
      const atRate = openToo ? await openLoop(run, fresh, rate, concurrency, seconds, cursor, errors) : undefined;
      const sustainable = sustainableRate(sat);
      const atSustainable = openToo && sustainable < rate ? await openLoop(run, fresh, sustainable, concurrency, seconds, cursor, errors) : undefined;
      await new Promise((r) => setTimeout(r, 1100));
      let after = await cacheStats();
      out.uncached = {
        saturation: { concurrency, ...summarize(sat) },
        ...(atRate ? { at_rate: { target_qps: rate, max_in_flight: concurrency, ...summarize(atRate) } } : {}),
        ...(atSustainable ? { at_sustainable_rate: { target_qps: sustainable, max_in_flight: concurrency, ...summarize(atSustainable) } } : {}),
        cache_hits: after.hits - before.hits, cache_misses: after.misses - before.misses,
      };
      // Cached: the requests popular enough to repeat; primed once, then the mix drawn from them.
      const hot = requestPool(data, 2000, prng(seed + 2));
      await closedLoop(run, hot, concurrency, 60, { i: 0 }, errors);
      const repeated = Array.from({ length: perPhase }, () => hot[Math.floor(rand() * hot.length)]);
      before = await cacheStats();
      const c2 = { i: 0 };
      const satC = await closedLoop(run, repeated, concurrency, seconds, c2, errors);
      const atRateC = openToo ? await openLoop(run, repeated, rate, concurrency, seconds, c2, errors) : undefined;
      const sustainableC = sustainableRate(satC);
      const atSustainableC = openToo && sustainableC < rate ? await openLoop(run, repeated, sustainableC, concurrency, seconds, c2, errors) : undefined;
      await new Promise((r) => setTimeout(r, 1100));
      after = await cacheStats();
      const lookups = after.hits - before.hits + after.misses - before.misses;
      out.cached = {
        saturation: { concurrency, ...summarize(satC) },
        ...(atRateC ? { at_rate: { target_qps: rate, max_in_flight: concurrency, ...summarize(atRateC) } } : {}),
        ...(atSustainableC ? { at_sustainable_rate: { target_qps: sustainableC, max_in_flight: concurrency, ...summarize(atSustainableC) } } : {}),
        cache_lookups: lookups,
        cache_hit_ratio: lookups ? Math.round(((after.hits - before.hits) / lookups) * 1000) / 1000 : 0,
      };
      log(`${label} done`);
      return out;
    };

    const viaGateway = await phases("gateway", gateway, true);
    const viaGrpc = await phases("grpc", grpc, true);

    // Freshness under the same data: an item rename and a stock receipt, until Search shows them.
    const freshness = await measureFreshness(stack, grpcClient, config);

    const raw = await rawIndexPhase(stack.databaseUrl, data);

    // Raw limit 2: Postgres full-text search over the same rows, at the same concurrency.
    let postgres: unknown;
    if (!skipPostgres) {
      log("Postgres full-text search (building search_bench.items once) ...");
      await ensureFtsTable(db);
      const pgPool = requestPool(data, perPhase, prng(seed + 4));
      const run = ftsRunner(db, data.tree);
      const sat = await closedLoop(run, pgPool, concurrency, seconds, { i: 0 }, errors);
      postgres = { concurrency, ...summarize(sat) };
    }

    const g = viaGateway as { uncached: { saturation: { qps: number }; at_rate: { get_item_catalog: { p50: number; p99: number }; kinds: Record<string, { p99: number }> } }; cached: { at_rate: { get_item_catalog: { p99: number } } } };
    const pgq = postgres as { qps: number; get_item_catalog: { p50: number } } | undefined;
    console.log(JSON.stringify({
      items,
      machine: machine(),
      postgres: await postgresDurability(stack.databaseUrl),
      settings: {
        concurrency, rate, seconds_per_phase: seconds, mix: MIX,
        load_generator: "pre-encoded protobuf bodies; Connect over HTTP/1.1 keep-alive to the gateway, gRPC over one HTTP/2 connection per Search replica",
        search_replicas: replicaUrls(config.addrs.search).length,
      },
      gateway: viaGateway,
      grpc: viaGrpc,
      raw_index: raw,
      raw_postgres_fts: postgres ?? "skipped",
      ratios: {
        gateway_uncached_qps_over_raw_index_qps: Math.round((g.uncached.saturation.qps / raw.qps) * 1000) / 1000,
        gateway_uncached_p50_over_raw_index_p50: Math.round((g.uncached.at_rate.get_item_catalog.p50 / Math.max(0.01, raw.get_item_catalog.p50)) * 10) / 10,
        ...(pgq ? {
          raw_index_qps_over_postgres_qps: Math.round((raw.qps / pgq.qps) * 10) / 10,
          gateway_uncached_qps_over_postgres_qps: Math.round((g.uncached.saturation.qps / pgq.qps) * 10) / 10,
        } : {}),
      },
      targets: {
        uncached_gateway_p50_at_rate_le_10ms: g.uncached.at_rate.get_item_catalog.p50 <= 10,
        uncached_gateway_p99_at_rate_le_50ms: g.uncached.at_rate.get_item_catalog.p99 <= 50,
        uncached_gateway_capacity_ge_500_qps: g.uncached.saturation.qps >= 500,
        cached_gateway_p99_at_rate_le_5ms: g.cached.at_rate.get_item_catalog.p99 <= 5,
        suggest_gateway_p99_at_rate_le_20ms: (g.uncached.at_rate.kinds.suggest?.p99 ?? 0) <= 20,
      },
      freshness_ms: freshness,
      errors: [...errors],
    }, null, 1));
  } finally {
    await redis.close().catch(() => redis.destroy());
    await db.end();
    await stack.stop();
  }
  // Keep-alive sockets and the HTTP/2 session would keep the process alive.
  process.exit(0);
}

/** Raw limit 1: the in-memory index in this process, built from the read model as the service builds it. */
async function rawIndexPhase(databaseUrl: string, data: Data) {
  log("building the raw index from the read model ...");
  const rawIndex = await buildIndex(databaseUrl, data.tree);
  const ask = (r: Req) => (r.kind === "suggest" ? rawIndex.index.suggest(r.prefix!, 8) : rawIndex.search(r.catalog!));
  // The same warm-up requests the services had (JIT): not measured.
  for (const r of requestPool(data, 600, prng(seed + 1))) ask(r);
  const rawPool = requestPool(data, 20000, prng(seed + 3));
  const rawSamples: Sample[] = [];
  const tRaw = performance.now();
  const cpu0 = cpuReading();
  for (const r of rawPool) {
    if (performance.now() - tRaw > seconds * 1000) break;
    const s = performance.now();
    ask(r);
    rawSamples.push({ kind: r.kind, ms: performance.now() - s, ok: true });
  }
  const run = { samples: rawSamples, wall: (performance.now() - tRaw) / 1000, cpu: cpuPerRequest(cpu0, cpuReading(), rawSamples.length) };
  return { threads: 1, build_seconds: rawIndex.buildSeconds, ...rawIndex.heap, ...summarize(run) };
}

/** Full collections, when the process runs with --expose-gc (npm run bench:search does). */
const fullGc = (globalThis as { gc?: () => void }).gc;

async function buildIndex(databaseUrl: string, tree: CategoryTree) {
  fullGc?.();
  const heapBefore = v8.getHeapStatistics().used_heap_size;
  const t = performance.now();
  const index = new SearchIndex(tree);
  index.beginBulk(1_000_000);
  await readSnapshot(databaseUrl, (docs) => { for (const d of docs) index.upsert(d); }, (docs) => { for (const d of docs) index.applyStock(d); });
  index.endBulk();
  index.warm();
  const buildSeconds = Math.round((performance.now() - t) / 100) / 10;
  // What the index costs every major GC: the JS heap it adds (its typed arrays are not marked), and how long
  // one full collection takes with it alive.
  let heap: { index_heap_mb: number; full_gc_ms: number } | undefined;
  if (fullGc) {
    fullGc();
    const gcStart = performance.now();
    fullGc();
    heap = {
      full_gc_ms: Math.round((performance.now() - gcStart) * 10) / 10,
      index_heap_mb: Math.round((v8.getHeapStatistics().used_heap_size - heapBefore) / 1e6),
    };
  }
  return {
    index,
    buildSeconds,
    heap,
    search(q: CatalogQuery) {
      const r = validateCatalogRequest(create(GetItemCatalogRequestSchema, q));
      const category = r.categoryId ? tree.indexOf(r.categoryId) : -1;
      return index.search({ text: r.text, category, brands: r.brands, minPrice: r.minPrice, maxPrice: r.maxPrice, inStockOnly: r.inStockOnly, sort: r.sort, limit: r.pageSize });
    },
  };
}

/** Milliseconds from a write's acknowledgement to Search showing it, for item renames and stock receipts. */
async function measureFreshness(stack: BenchStack, grpc: Client<typeof SearchService>, config: ReturnType<typeof loadConfig>) {
  const admin = { headers: { authorization: `Bearer ${await stack.userTokens.sign({ subject: "00000000-0000-4000-8000-0000000000be", role: "admin" }, 3600)}` } };
  const transport = gatewayTransport(stack.gatewayUrl, 4);
  const catalog = createClient(CatalogService, transport);
  const inventory = createClient(InventoryService, transport);
  const warehouses = (await inventory.listWarehouses({}, admin)).warehouses;
  const page = await grpc.getItemCatalog({ query: "tv", pageSize: 10 });
  const itemMs: number[] = [];
  const stockMs: number[] = [];
  // Calls go to the Search replicas in turn: a change counts as searchable once as many checks in a row as
  // there are replicas see it (every replica, when nothing else calls), not when the first one does.
  const replicas = replicaUrls(config.addrs.search).length;
  const until = async (since: number, check: () => Promise<boolean>) => {
    for (let seen = 0; seen < replicas;) {
      if (await check()) {
        seen++;
        continue;
      }
      seen = 0;
      if (performance.now() - since > 10_000) return 10_000;
      await new Promise((r) => setTimeout(r, 5));
    }
    return performance.now() - since;
  };
  for (const [n, hit] of page.items.slice(0, 5).entries()) {
    const item = (await catalog.getItem({ itemId: hit.itemId })).item!;
    const word = `benchmark${Date.now().toString(36)}${n}`;
    let t = performance.now();
    await catalog.updateItem({ itemId: item.id, expectedVersion: item.version, description: `${item.description} ${word}` }, admin);
    let before = 0;
    itemMs.push(await until(t, async () => {
      const found = (await grpc.getItemCatalog({ query: word })).items;
      if (found.length === 1) before = found[0].stockLeft;
      return found.length === 1;
    }));
    if (warehouses.length) {
      t = performance.now();
      await inventory.receiveStock({ warehouseId: warehouses[0].id, itemId: item.id, quantity: 1, reference: "bench:search" }, admin);
      stockMs.push(await until(t, async () => (await grpc.getItemCatalog({ query: word })).items[0]?.stockLeft === before + 1));
    }
  }
  const s = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { samples: xs.length, p50: Math.round(percentile(sorted, 50)), max: Math.round(sorted[sorted.length - 1] ?? 0) };
  };
  return { item_update: s(itemMs), stock_change: s(stockMs) };
}

void main().catch((err) => {
  console.error(`[bench:search] failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
  process.exit(1);
});
