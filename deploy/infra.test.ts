// Run with: npx mocha --import=tsx deploy/infra.test.ts
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createClient } from "redis";
import { connect, type NatsConnection } from "nats";
import { startInfra, type Infra } from "./infra.js";

const TIMEOUT = 60_000;

/** Everything a test started: stopped / removed in afterEach, even when the test failed. */
const cleanups: Array<() => Promise<unknown>> = [];
const quiet = (lines: string[]) => (msg: string) => lines.push(msg);

async function tempDir(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "infra-test-"));
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

async function start(opts: Parameters<typeof startInfra>[0]): Promise<Infra> {
  const infra = await startInfra({ log: quiet([]), ...opts });
  cleanups.push(() => infra.stop());
  return infra;
}

/** Starts an ephemeral infra in a separate node process that then ends as `how` says. */
async function infraInChild(dataDir: string, how: "exit" | "SIGKILL"): Promise<Infra> {
  const infraModule = path.join(path.dirname(fileURLToPath(import.meta.url)), "infra.ts");
  const script = `
    import { startInfra } from ${JSON.stringify(infraModule)};
    const infra = await startInfra({ dataDir: process.argv[1], ephemeral: true, log: () => {} });
    process.stdout.write(JSON.stringify(infra) + "\\n", () => {
      if (process.argv[2] === "exit") process.exit(0); // no stop(): the exit hook must clean up
      process.kill(process.pid, "SIGKILL"); // no hook at all: the kernel (pdeathsig) must stop the children
    });
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dataDir, how], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  await new Promise((resolve) => child.once("exit", resolve));
  return JSON.parse(out.trim().split("\n").pop()!) as Infra;
}

async function eventuallyClosed(port: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portIsClosed(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(false);
    });
    sock.once("error", () => resolve(true));
  });
}

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const redisClient = (url: string) => createClient({ url });

async function withRedis<T>(url: string, fn: (c: ReturnType<typeof redisClient>) => Promise<T>): Promise<T> {
  const c = redisClient(url);
  c.on("error", () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

async function withNats<T>(url: string, fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url, reconnect: false });
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

describe("deploy/infra", function () {
  this.timeout(TIMEOUT);

  afterEach(async function () {
    // reverse order: stop servers before removing their directories
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      await fn().catch((err) => console.error("cleanup failed:", err));
    }
  });

  it("starts ephemeral postgres, redis and NATS JetStream; NATS can be restarted; stop() closes the ports", async () => {
    const dir = await tempDir();
    const infra = await start({ dataDir: dir, ephemeral: true });

    expect(infra.databaseUrl).to.match(/^postgres:\/\/[^:]+:[^@]+@127\.0\.0\.1:\d+\/shop$/);
    expect(infra.redisUrl).to.match(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(infra.natsUrl).to.match(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const ports = [infra.databaseUrl, infra.redisUrl, infra.natsUrl].map(portOf);
    for (const standard of [5432, 6379, 4222]) expect(ports).not.to.include(standard);

    expect(await sql(infra.databaseUrl, "SELECT 1 AS one")).to.deep.equal([{ one: 1 }]);
    expect(await withRedis(infra.redisUrl, (c) => c.ping())).to.equal("PONG");

    await withNats(infra.natsUrl, async (nc) => {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
      const js = nc.jetstream();
      const first = await js.publish("orders.created", new TextEncoder().encode("o-1"), { msgID: "order-1" });
      const second = await js.publish("orders.created", new TextEncoder().encode("o-1"), { msgID: "order-1" });
      expect(first.duplicate).to.equal(false);
      expect(second.duplicate).to.equal(true);
      expect(second.seq).to.equal(first.seq);
    });

    await infra.stopNats();
    expect(await portIsClosed(portOf(infra.natsUrl))).to.equal(true);
    await infra.startNats();

    await withNats(infra.natsUrl, async (nc) => {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info("ORDERS");
      expect(info.state.messages).to.equal(1);
      const msg = await jsm.streams.getMessage("ORDERS", { seq: 1 });
      expect(new TextDecoder().decode(msg.data)).to.equal("o-1");
      // the dedupe window survives the restart too
      const again = await nc.jetstream().publish("orders.created", new TextEncoder().encode("o-1"), { msgID: "order-1" });
      expect(again.duplicate).to.equal(true);
    });

    await infra.stop();
    await infra.stop(); // idempotent
    for (const port of ports) expect(await portIsClosed(port), `port ${port} closed`).to.equal(true);
    // ephemeral: data removed (the now empty temp dir too)
    expect(fs.existsSync(path.join(dir, "postgres"))).to.equal(false);
    expect(fs.existsSync(path.join(dir, "nats"))).to.equal(false);
  });

  it("runs throwaway Postgres without durability for tests, with it on when asked (benchmarks), with extra settings", async () => {
    const durability = "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_preload_libraries') ORDER BY name";
    const fast = await start({ dataDir: await tempDir(), ephemeral: true, redisUrl: "redis://unused", natsUrl: "nats://unused" });
    expect(await sql(fast.databaseUrl, durability)).to.deep.equal([
      { name: "fsync", setting: "off" }, { name: "full_page_writes", setting: "off" },
      { name: "shared_preload_libraries", setting: "" }, { name: "synchronous_commit", setting: "off" },
    ]);
    const durable = await start({
      dataDir: await tempDir(), ephemeral: true, durable: true, postgresSettings: { shared_preload_libraries: "pg_stat_statements" },
      redisUrl: "redis://unused", natsUrl: "nats://unused",
    });
    expect(await sql(durable.databaseUrl, durability)).to.deep.equal([
      { name: "fsync", setting: "on" }, { name: "full_page_writes", setting: "on" },
      { name: "shared_preload_libraries", setting: "pg_stat_statements" }, { name: "synchronous_commit", setting: "on" },
    ]);
  });

  it("runs two ephemeral infras side by side on different ports", async () => {
    const [a, b] = await Promise.all([
      start({ dataDir: await tempDir(), ephemeral: true }),
      start({ dataDir: await tempDir(), ephemeral: true }),
    ]);
    const portsA = [a.databaseUrl, a.redisUrl, a.natsUrl].map(portOf);
    const portsB = [b.databaseUrl, b.redisUrl, b.natsUrl].map(portOf);
    expect(new Set([...portsA, ...portsB]).size).to.equal(6);

    // isolated from each other
    await sql(a.databaseUrl, "CREATE TABLE only_in_a (id int)");
    const inB = await sql(b.databaseUrl, "SELECT to_regclass('only_in_a') AS t");
    expect(inB[0].t).to.equal(null);
    await withRedis(a.redisUrl, (c) => c.set("k", "a"));
    expect(await withRedis(b.redisUrl, (c) => c.get("k"))).to.equal(null);
    await withNats(b.natsUrl, async (nc) => {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: "B", subjects: ["b.>"] });
    });
    await withNats(a.natsUrl, async (nc) => {
      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.names().next()).length).to.equal(0);
    });

    await Promise.all([a.stop(), b.stop()]);
    for (const port of [...portsA, ...portsB]) expect(await portIsClosed(port)).to.equal(true);
  });

  it("keeps data across restarts with a persistent data dir (and survives a stale postmaster.pid)", async () => {
    const dir = await tempDir();
    const log: string[] = [];

    const first = await start({ dataDir: dir, ephemeral: false, log: quiet(log) });
    await sql(first.databaseUrl, "CREATE TABLE products (id int PRIMARY KEY, name text)");
    await sql(first.databaseUrl, "INSERT INTO products VALUES (1, 'kettle')");
    await withRedis(first.redisUrl, (c) => c.set("session:1", "alice"));
    await withNats(first.natsUrl, async (nc) => {
      await (await nc.jetstreamManager()).streams.add({ name: "EVENTS", subjects: ["events.>"] });
      await nc.jetstream().publish("events.x", new TextEncoder().encode("hello"));
    });
    await first.stop();
    expect(fs.existsSync(path.join(dir, "postgres", "PG_VERSION"))).to.equal(true);

    // a killed run leaves postmaster.pid behind; its pid may since belong to another live process
    const pidFile = path.join(dir, "postgres", "postmaster.pid");
    await fsp.writeFile(pidFile, `1\n${path.join(dir, "postgres")}\n0\n0\n\n127.0.0.1\n0 0\nready   \n`);

    const second = await start({ dataDir: dir, ephemeral: false, log: quiet(log) });
    expect(log.some((l) => /removing stale .*postmaster\.pid/.test(l)), log.join("\n")).to.equal(true);
    expect(log.filter((l) => /initialised new cluster/.test(l)).length).to.equal(1);
    expect(await sql(second.databaseUrl, "SELECT name FROM products WHERE id = 1")).to.deep.equal([{ name: "kettle" }]);
    expect(await withRedis(second.redisUrl, (c) => c.get("session:1"))).to.equal("alice");
    await withNats(second.natsUrl, async (nc) => {
      const info = await (await nc.jetstreamManager()).streams.info("EVENTS");
      expect(info.state.messages).to.equal(1);
    });
    await second.stop();
    // persistent: data kept
    expect(fs.existsSync(path.join(dir, "postgres", "PG_VERSION"))).to.equal(true);
  });

  it("children die with the process that started them (exit without stop(), and SIGKILL)", async () => {
    for (const how of ["exit", "SIGKILL"] as const) {
      const dir = await tempDir();
      const urls = await infraInChild(dir, how);
      for (const url of [urls.databaseUrl, urls.redisUrl, urls.natsUrl]) {
        expect(await eventuallyClosed(portOf(url)), `${how}: ${url} closed`).to.equal(true);
      }
      // on a normal exit the ephemeral data is removed too (after SIGKILL, only the caller can)
      if (how === "exit") expect(fs.existsSync(dir), `${dir} removed`).to.equal(false);
    }
  });

  it("refuses a fixed port that is taken, naming the env var to change", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen({ host: "127.0.0.1", port: 0 }, () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const taken = (blocker.address() as net.AddressInfo).port;
    const dir = await tempDir();
    let error: Error | undefined;
    try {
      await start({ dataDir: dir, ephemeral: true, ports: { redis: taken }, portEnvNames: { redis: "REDIS_PORT" } });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.include(`port ${taken}`).and.to.include("REDIS_PORT");
  });
});
