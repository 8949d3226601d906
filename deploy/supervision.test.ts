// `npm start` keeps the mesh up when one process dies: it is restarted with backoff while the rest keeps serving,
// and Ctrl-C still stops everything. Runs the real runner (deploy/start.ts) on free ports with its own servers.
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.js";
import { SERVICE_NAMES } from "../services/lib/config.js";
import { meshTransport } from "../services/lib/transport.js";
import { freePorts, sleep } from "./infra/process.js";
import { redisCommand } from "./infra/redis.js";

/** The runner's direct children, as `ps` shows them. */
function childrenOf(pid: number): { pid: number; args: string }[] {
  try {
    return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n").map((l) => l.trim()).filter(Boolean)
      .map((l) => ({ pid: Number(l.split(/\s+/)[0]), args: l.replace(/^\d+\s+/, "") }));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

const healthOf = async (url: string, service = ""): Promise<Status | "down"> => {
  try {
    return (await createClient(Health, meshTransport(url)).check({ service }, { timeoutMs: 1000 })).status;
  } catch {
    return "down";
  }
};

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe("npm start supervision", function () {
  this.timeout(300_000);
  let runner: ChildProcess | undefined;
  let output = "";
  let dataDir = "";
  const ports: Record<string, number> = {};

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-supervision-"));
    const picked = await freePorts(SERVICE_NAMES.length + 4);
    SERVICE_NAMES.forEach((name, i) => { ports[name] = picked[i]; });
    [ports.gateway, ports.postgres, ports.redis, ports.nats] = picked.slice(SERVICE_NAMES.length);
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATA_DIR: dataDir, SEED_ITEMS: "20", SEED_WAREHOUSES: "2", LOG_LEVEL: "warn", REPLICAS: "1",
      GATEWAY_PORT: String(ports.gateway), POSTGRES_PORT: String(ports.postgres), REDIS_PORT: String(ports.redis), NATS_PORT: String(ports.nats),
      ...Object.fromEntries(SERVICE_NAMES.map((n) => [`${n.toUpperCase()}_PORT`, String(ports[n])])),
    };
    for (const key of ["DATABASE_URL", "REDIS_URL", "NATS_URL", ...SERVICE_NAMES.map((n) => `${n.toUpperCase()}_ADDR`)]) delete env[key];
    runner = spawn(process.execPath, ["--import", "tsx", "deploy/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    runner.stdout!.on("data", (c) => { output += c; });
    runner.stderr!.on("data", (c) => { output += c; });
    await until("npm start up", 240_000, async () => {
      if (runner!.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      return output.includes("Shop mesh is up") ? true : undefined;
    });
  });

  after(async function () {
    if (runner && runner.exitCode === null) {
      try { process.kill(-runner.pid!, "SIGKILL"); } catch { /* gone */ }
    }
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it("restarts a service killed with SIGKILL within 15 s while another service keeps answering", async () => {
    const url = (name: string) => `http://127.0.0.1:${ports[name]}`;
    const order = childrenOf(runner!.pid!).find((c) => c.args.includes("services/order/src/main.ts"));
    expect(order, "the order process").to.exist;
    process.kill(order!.pid, "SIGKILL");
    const killedAt = Date.now();
    const catalogAnswers: (Status | "down")[] = [];
    await until("order SERVING again", 15_000, async () => {
      catalogAnswers.push(await healthOf(url("catalog")));
      const again = childrenOf(runner!.pid!).find((c) => c.args.includes("services/order/src/main.ts"));
      return again && again.pid !== order!.pid && (await healthOf(url("order"))) === Status.SERVING ? true : undefined;
    });
    expect(Date.now() - killedAt).to.be.below(15_000);
    expect(catalogAnswers.length).to.be.above(0);
    expect(catalogAnswers.every((s) => s === Status.SERVING), `catalog answers: ${catalogAnswers.join(",")}`).to.equal(true);
    expect(output).to.match(/order killed by SIGKILL/);
    expect(output).to.match(/order restarted \(restart 1\)/);
  });

  it("restarts Redis and NATS, the servers it runs itself, when they die", async () => {
    for (const [server, exe, alive] of [
      ["redis", "redis-server", async () => (await redisCommand(ports.redis, "PING").catch(() => "")) === "+PONG"],
      ["nats", "nats-server", async () => natsAnswers(ports.nats)],
    ] as const) {
      const first = childrenOf(runner!.pid!).find((c) => c.args.includes(exe));
      expect(first, `the ${server} process`).to.exist;
      process.kill(first!.pid, "SIGKILL");
      await until(`${server} restarted`, 15_000, async () => {
        const again = childrenOf(runner!.pid!).find((c) => c.args.includes(exe));
        return again && again.pid !== first!.pid && (await alive()) ? true : undefined;
      });
      expect(output).to.match(new RegExp(`${server} killed by SIGKILL; restarting in 1 s`));
    }
    // The services ride out the restart: every one is SERVING again.
    await until("every service SERVING", 30_000, async () => {
      const all = await Promise.all(SERVICE_NAMES.map((n) => healthOf(`http://127.0.0.1:${ports[n]}`)));
      return all.every((s) => s === Status.SERVING) ? true : undefined;
    });
  });

  it("stops everything on Ctrl-C within 30 s", async () => {
    const before = childrenOf(runner!.pid!);
    const children = before.map((c) => c.pid);
    const t0 = Date.now();
    process.kill(runner!.pid!, "SIGINT");
    const code = await new Promise<number | null>((resolve) => runner!.once("exit", (c) => resolve(c)));
    expect(Date.now() - t0).to.be.below(30_000);
    expect(code).to.equal(0);
    await sleep(500);
    const alive = children.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
    expect(alive.map((pid) => before.find((c) => c.pid === pid)!.args), "processes left running").to.deep.equal([]);
  });
});

/** NATS answers on its port with its INFO line. */
function natsAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1000, () => done(false));
    sock.once("error", () => done(false));
    sock.once("data", (d) => done(String(d).startsWith("INFO")));
  });
}
