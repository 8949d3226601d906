// Background work with several replicas of a service on one database: each outbox event published once, each
// expired reservation given back once, and a job on one replica at a time that moves when its holder dies.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { connect } from "nats";
import pg from "pg";
import { CatalogService } from "../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../gen/shop/inventory/v1/inventory_pb.js";
import { catalog } from "../services/catalog/src/main.js";
import { newItem } from "../services/catalog/test/helpers.js";
import { inventory } from "../services/inventory/src/main.js";
import { lines, ttl } from "../services/inventory/test/fixture.js";
import { openDatabase } from "../services/lib/db.js";
import { jobLeasesTable } from "../services/lib/lease.js";
import { createLogger } from "../services/lib/log.js";
import { SUBJECTS } from "../services/lib/nats.js";
import { PeriodicTask } from "../services/lib/periodic.js";
import { startService, type RunningService, type ServiceModule } from "../services/lib/server.js";
import { bearer, eventually, freshDatabase, isolatedConsumers, testConfig, testInfra, tokenFor } from "./harness.js";

/** `n` replicas of a service on one database, as REPLICAS=n runs them. */
async function replicas(mod: ServiceModule, n: number, databaseUrl: string, env: Record<string, string> = {}): Promise<RunningService[]> {
  const started: RunningService[] = [];
  for (let i = 0; i < n; i++) started.push(await startService(mod, testConfig(mod.name, databaseUrl, env)));
  return started;
}

describe("replicas share background work", function () {
  this.timeout(120_000);

  it("publishes each outbox event once with two catalog replicas writing and relaying", async () => {
    const databaseUrl = await freshDatabase("replicas");
    const nc = await connect({ servers: testInfra().natsUrl });
    // A plain subscription sees every publish, also one JetStream would drop as a duplicate of the same msg id.
    const seen = new Map<string, number>();
    const sub = nc.subscribe(SUBJECTS.catalogItemChanged);
    void (async () => {
      for await (const m of sub) {
        const id = m.headers?.get("Nats-Msg-Id");
        if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    })();
    const running = await replicas(catalog, 2, databaseUrl);
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const admin = bearer(await tokenFor("admin"));
      const clients = running.map((r) => createClient(CatalogService, createGrpcTransport({ baseUrl: r.url })));
      await Promise.all(Array.from({ length: 120 }, (_, i) => clients[i % 2].createItem(newItem(), admin)));
      const rows = await eventually(async () => {
        const r = await sql.query<{ event_id: string; published: boolean }>(`SELECT event_id, published_at IS NOT NULL AS published FROM catalog.outbox`);
        return r.rows.every((row) => row.published) && r.rows.every((row) => seen.has(row.event_id)) ? r.rows : undefined;
      }, 20_000, "every event published");
      expect(rows).to.have.length(120);
      // Anything published twice would have arrived by now (the rows were marked published after their publish).
      await new Promise((r) => setTimeout(r, 500));
      const twice = rows.filter((row) => seen.get(row.event_id) !== 1);
      expect(twice.map((row) => `${row.event_id} x${seen.get(row.event_id)}`)).to.deep.equal([]);
    } finally {
      sub.unsubscribe();
      await nc.close();
      await sql.end();
      await Promise.all(running.map((r) => r.stop()));
    }
  });

  it("gives each expired reservation back once with two inventory replicas sweeping", async () => {
    const databaseUrl = await freshDatabase("replicas");
    const running = await replicas(inventory, 2, databaseUrl, { ...isolatedConsumers(), RESERVATION_SWEEP_INTERVAL_MS: "100" });
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const admin = bearer(await tokenFor("admin"));
      const service = bearer(await tokenFor("service", "service:order"));
      const [a, b] = running.map((r) => createClient(InventoryService, createGrpcTransport({ baseUrl: r.url })));
      const { warehouse } = await a.createWarehouse({ code: `R${randomUUID().slice(0, 6)}`, name: "Replicas", location: { lat: 44.9, lon: -93.2 }, priority: 1 }, admin);
      const item = randomUUID();
      await a.receiveStock({ warehouseId: warehouse!.id, itemId: item, quantity: 100, reference: "replicas" }, admin);
      const checkouts = Array.from({ length: 30 }, () => randomUUID());
      await Promise.all(checkouts.map((checkoutId, i) => (i % 2 ? a : b).reserve({ checkoutId, lines: lines([item, 2]), ttl: ttl(1) }, service)));
      await eventually(async () => {
        const r = await sql.query(`SELECT count(*)::int AS n FROM inventory.reservations WHERE status = 'EXPIRED'`);
        return r.rows[0].n === checkouts.length;
      }, 20_000, "every reservation expired");
      const expired = await sql.query<{ reference: string; counter: string; n: number }>(
        `SELECT reference, counter, count(*)::int AS n FROM inventory.stock_ledger WHERE reason = 'expire' GROUP BY reference, counter`);
      expect(expired.rows.length).to.be.above(0);
      expect(expired.rows.filter((r) => r.n !== 1)).to.deep.equal([]);
      expect(new Set(expired.rows.map((r) => r.reference))).to.have.property("size", checkouts.length);
      expect((await a.getAvailability({ itemId: item })).availability!.available).to.equal(100);
      // One replica holds the sweeper's lease.
      const leases = await sql.query(`SELECT holder FROM inventory.job_leases WHERE job = 'reservation-sweeper'`);
      expect(leases.rows).to.have.length(1);
    } finally {
      await sql.end();
      await Promise.all(running.map((r) => r.stop()));
    }
  });

  it("moves a one-replica job to another replica within seconds when its holder is killed", async () => {
    const databaseUrl = await freshDatabase("lease");
    const spec = { schema: "jobs", migrations: [jobLeasesTable("jobs")] };
    const ds = await openDatabase(databaseUrl, spec, 2);
    await ds.query(`CREATE TABLE jobs.passes (who text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    const timing = { ttlMs: 1500, renewMs: 300 };
    // The holder runs in a process of its own, so it can die as a replica does: without a word.
    const script = `
      import { openDatabase } from ${JSON.stringify(new URL("../services/lib/db.ts", import.meta.url).pathname)};
      import { jobLeasesTable } from ${JSON.stringify(new URL("../services/lib/lease.ts", import.meta.url).pathname)};
      import { createLogger } from ${JSON.stringify(new URL("../services/lib/log.ts", import.meta.url).pathname)};
      import { PeriodicTask } from ${JSON.stringify(new URL("../services/lib/periodic.ts", import.meta.url).pathname)};
      const ds = await openDatabase(process.argv[1], { schema: "jobs", migrations: [jobLeasesTable("jobs")] }, 2);
      const task = new PeriodicTask("tick", 100, async () => { await ds.query("INSERT INTO jobs.passes (who) VALUES ('first')"); },
        createLogger("lease-test", "silent"), { oneReplica: { ds, schema: "jobs", timing: ${JSON.stringify(timing)} } });
      await task.start();
    `;
    const first = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, databaseUrl], { stdio: "inherit" });
    let second: PeriodicTask | undefined;
    try {
      const passesOf = async (who: string) => (await ds.query(`SELECT count(*)::int AS n FROM jobs.passes WHERE who = $1`, [who]))[0].n as number;
      await eventually(async () => (await passesOf("first")) > 0, 30_000, "the first replica runs the job");
      second = new PeriodicTask("tick", 100, async () => { await ds.query(`INSERT INTO jobs.passes (who) VALUES ('second')`); },
        createLogger("lease-test", "silent"), { oneReplica: { ds, schema: "jobs", timing } });
      await second.start();
      await new Promise((r) => setTimeout(r, 1000));
      expect(await passesOf("second"), "the second replica waits while the first holds the lease").to.equal(0);
      first.kill("SIGKILL");
      const killedAt = Date.now();
      await eventually(async () => (await passesOf("second")) > 0, 10_000, "the second replica takes the job over");
      expect(Date.now() - killedAt).to.be.below(timing.ttlMs + timing.renewMs + 1500);
      // Never both at once: every pass of the second comes after the last of the first.
      const [{ overlap }] = await ds.query(`SELECT count(*)::int AS overlap FROM jobs.passes WHERE who = 'second'
        AND at < (SELECT max(at) FROM jobs.passes WHERE who = 'first')`);
      expect(overlap).to.equal(0);
    } finally {
      first.kill("SIGKILL");
      await second?.stop();
      await ds.destroy();
    }
  });
});
