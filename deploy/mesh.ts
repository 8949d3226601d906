// Runs the six services and the gateway as separate processes against given Postgres/Redis/NATS URLs and
// waits until every health check says SERVING. Used by `npm start` and by the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/grpc/health/v1/health_pb.js";
import { loadConfig, replicaUrls, SERVICE_NAMES, type Config, type ServiceName } from "../services/lib/config.js";
import { processArgs, type ProcessName } from "../services/registry.js";
import { meshTransport } from "../services/lib/transport.js";

export interface MeshOptions {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  logDir: string;
  /** Extra environment for every process (ports, settings). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called when a process exits on its own after start (a crash). */
  onCrash?: (name: string, detail: string) => void;
}

export interface RunningMesh {
  config: Config;
  gatewayUrl: string;
  /** Resolves when every process is healthy; rejects (after stopping them all) when one is not in time. */
  ready: Promise<void>;
  /** Stops every process (SIGTERM, SIGKILL after 15 s); safe to call before ready. */
  stop(): Promise<void>;
}

export function launchMesh(opts: MeshOptions): RunningMesh {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, NATS_URL: opts.natsUrl };
  const searchAddrGiven = env.SEARCH_ADDR !== undefined;
  const config = loadConfig("gateway", env);
  // SEARCH_REPLICAS (config.ts) runs that many Search processes, unless SEARCH_ADDR says where Search runs;
  // every process is told their addresses, and callers spread calls over them (meshTransport).
  const searchReplicas = searchAddrGiven ? [] : replicaUrls(config.addrs.search);
  env.SEARCH_ADDR = config.addrs.search;
  const procs: { name: string; child: ChildProcess }[] = [];
  // Extra node flags for every process, e.g. MESH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark.
  const nodeArgs = (process.env.MESH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  let stopping = false;

  const launch = (name: string, which: ProcessName, extraEnv: NodeJS.ProcessEnv = {}) => {
    const log = path.join(opts.logDir, `${name}.log`);
    const fd = fs.openSync(log, "a");
    const child = spawn(process.execPath, [...nodeArgs, ...processArgs(which, env)], { env: { ...env, ...extraEnv }, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    procs.push({ name, child });
    child.on("exit", (code, signal) => {
      if (!stopping) opts.onCrash?.(name, `exited (${signal ?? `code ${code}`}); last lines of ${log}:\n${tail(log)}`);
    });
  };
  for (const name of SERVICE_NAMES) {
    if (name !== "search" || searchReplicas.length <= 1) launch(name, name);
    else searchReplicas.forEach((url, i) => launch(i === 0 ? name : `${name}-${i + 1}`, name, { SEARCH_PORT: new URL(url).port }));
  }
  launch("gateway", "gateway");

  const stop = async () => {
    stopping = true;
    await Promise.all(procs.map(({ child }) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => { clearTimeout(kill); resolve(); });
      child.kill("SIGTERM");
    })));
  };

  const gatewayUrl = `http://127.0.0.1:${config.port}`;
  const ready = waitHealthy(config, gatewayUrl, opts.timeoutMs ?? 120_000, () => stopping || procs.some((p) => p.child.exitCode !== null))
    .catch(async (err) => {
      await stop();
      throw err;
    });
  return { config, gatewayUrl, ready, stop };
}

async function waitHealthy(config: Config, gatewayUrl: string, timeoutMs: number, crashed: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set<string>([...SERVICE_NAMES, "gateway"]);
  while (pending.size) {
    await Promise.all([...pending].map(async (name) => {
      if (await isHealthy(name, config.addrs, gatewayUrl)) pending.delete(name);
    }));
    if (!pending.size) return;
    if (crashed()) throw new Error(`a process exited during start-up (still waiting for: ${[...pending].join(", ")})`);
    if (Date.now() > deadline) throw new Error(`not healthy within ${timeoutMs} ms: ${[...pending].join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A grpc.health.v1 Check of one service (SERVING only; every replica), or the gateway's /healthz. */
export async function isHealthy(name: string, addrs: Record<ServiceName, string>, gatewayUrl: string): Promise<boolean> {
  try {
    if (name === "gateway") return (await fetch(`${gatewayUrl}/healthz`)).ok;
    const answers = await Promise.all(replicaUrls(addrs[name as ServiceName]).map((url) =>
      createClient(Health, meshTransport(url)).check({}, { timeoutMs: 1000 })));
    return answers.every((res) => res.status === HealthCheckResponse_ServingStatus.SERVING);
  } catch {
    return false;
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
