// The production build: `npm run build` bundles every process into dist/, and the bundles run on their own
// against the suite's Postgres, Redis and NATS: the migrations entry migrates a fresh database, a service answers
// health and RPCs, the gateway serves the prebuilt storefront and forwards to the service, SIGTERM drains.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import pg from "pg";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/grpc/health/v1/health_pb.js";
import { SERVICE_NAMES } from "../services/lib/config.js";
import { meshTransport } from "../services/lib/transport.js";
import { bundlePath } from "../services/registry.js";
import { eventually, freePort, freshDatabase, spawnService, testInfra, testKeyEnv, type ServiceProcess } from "../test/harness.js";
import { buildDist } from "./build.js";

const ROOT = path.resolve(import.meta.dirname, "..");
/** The runtime stage's install in deploy/Dockerfile (a test below checks the Dockerfile says the same). */
const RUNTIME_INSTALL = ["ci", "--omit=dev", "--omit=optional", "--ignore-scripts"];

describe("production build (npm run build)", function () {
  this.timeout(90_000);
  let outDir: string;
  let databaseUrl: string;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-dist-"));
    // The bundles load npm packages from node_modules beside dist/: install them as the image's runtime stage
    // does (production dependencies only), so a package the bundles need but the image lacks fails here.
    for (const file of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(ROOT, file), path.join(outDir, file));
    const install = spawnSync("npm", [...RUNTIME_INSTALL, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: outDir, encoding: "utf8" });
    expect(install.status, install.stderr).to.equal(0);
    await buildDist(path.join(outDir, "dist"));
    databaseUrl = await freshDatabase("dist");
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  const dist = (name: string) => path.join(outDir, name);

  it("writes one bundle per process, the storefront and the data files, importing nothing from the sources", () => {
    for (const name of [...SERVICE_NAMES, "gateway", "migrate"] as const) {
      const code = fs.readFileSync(dist(bundlePath(name)), "utf8");
      expect(code, name).not.to.match(/from\s+["']\.{1,2}\//);
      expect(fs.existsSync(dist(`${bundlePath(name)}.map`)), `${name} source map`).to.equal(true);
    }
    for (const file of ["dist/web/index.html", "dist/web/assets/app.js", "dist/web/assets/styles.css", "dist/data/bestbuy/categories.json.gz", "dist/data/bestbuy/stores.json.gz"]) {
      expect(fs.existsSync(dist(file)), file).to.equal(true);
    }
  });

  it("the image installs the same production dependencies the bundles ran with here", () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, "deploy/Dockerfile"), "utf8");
    expect(dockerfile).to.contain(`RUN npm ${RUNTIME_INSTALL.join(" ")} `);
    expect(dockerfile).to.match(/^USER 1000:1000$/m);
    expect(dockerfile).to.match(/^ENTRYPOINT \["node", "--enable-source-maps"\]$/m);
  });

  it("dist/migrate.js brings every schema of an empty database up to date, seeds demo data from dist/data, and exits", async () => {
    const run = spawn(process.execPath, [dist("dist/migrate.js")], {
      env: { ...process.env, DATABASE_URL: databaseUrl, SEED_ITEMS: "25", SEED_WAREHOUSES: "2" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    run.stdout.on("data", (c) => (output += c));
    run.stderr.on("data", (c) => (output += c));
    const code = await new Promise((resolve) => run.once("exit", resolve));
    expect(code, output).to.equal(0);
    expect(output).to.match(/demo data: \d+ categories, 25 items, 2 warehouses/);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'migrations'`);
      // Every service keeps a schema, and the gateway's identity service one more.
      expect(rows.map((r) => r.schema).sort(), output).to.deep.equal([...SERVICE_NAMES, "identity"].sort());
      for (const { schema } of rows) {
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM "${schema}".migrations`)).rows;
        expect(n, `${schema} migrations applied`).to.be.greaterThan(0);
      }
    } finally {
      await db.end();
    }
  });

  it("a service runs from its bundle, reads its data file, serves the gateway's calls, and drains on SIGTERM", async () => {
    const catalog: ServiceProcess = await spawnService("catalog", { DATABASE_URL: databaseUrl }, [dist("dist/catalog.js")]);
    stops.push(() => catalog.stop());
    const health = createClient(Health, meshTransport(catalog.url));
    await eventually(async () => (await health.check({ service: "" }, { timeoutMs: 1000 })).status === HealthCheckResponse_ServingStatus.SERVING, 30_000, "catalog bundle SERVING");

    const gatewayPort = await freePort();
    const infra = testInfra();
    const gateway = spawn(process.execPath, [dist("dist/gateway.js")], {
      env: {
        ...process.env, GATEWAY_PORT: String(gatewayPort), DATABASE_URL: databaseUrl, REDIS_URL: infra.redisUrl, NATS_URL: infra.natsUrl,
        CATALOG_ADDR: catalog.url, LOG_LEVEL: "silent", ...testKeyEnv(true),
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const gatewayExited = new Promise<number | null>((resolve) => gateway.once("exit", resolve));
    stops.push(async () => {
      if (gateway.exitCode === null) gateway.kill("SIGKILL");
      await gatewayExited;
    });
    const base = `http://127.0.0.1:${gatewayPort}`;
    const page = await eventually(async () => { const r = await fetch(`${base}/`); return r.ok && r.text(); }, 30_000, "gateway bundle serving /");
    expect(page).to.contain("/assets/app.js");
    const app = await fetch(`${base}/assets/app.js`);
    expect(app.status).to.equal(200);
    expect(app.headers.get("content-type")).to.match(/javascript/);

    // The category tree comes from dist/data, loaded by the catalog bundle at start.
    const res = await fetch(`${base}/shop.catalog.v1.CatalogService/ListCategories`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { categories?: unknown[] };
    expect(body.categories?.length ?? 0).to.be.greaterThan(0);

    gateway.kill("SIGTERM");
    expect(await gatewayExited).to.equal(0);
    await catalog.stop();
    expect(await catalog.exited).to.equal(0);
  });
});
