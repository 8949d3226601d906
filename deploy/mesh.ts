// Runs the six services and the gateway as separate processes against given Postgres/Redis/NATS URLs and
// waits until every health check says SERVING; restarts a process that exits. Used by `npm start` and by the
// benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/grpc/health/v1/health_pb.js";
import { loadConfig, replicaUrls, SERVICE_NAMES, type Config, type ServiceName } from "../services/lib/config.js";
import { keyEnv, type KeyFiles } from "../services/lib/keys.js";
import { processArgs, type ProcessName } from "../services/registry.js";
import { meshTransport } from "../services/lib/transport.js";
import { supervise, type Incarnation, type Supervised } from "./supervisor.js";

export interface MeshOptions {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  logDir: string;
  /** Token keys: the gateway gets the user signing keys, the services the mesh key, everyone the public keys. */
  keys: KeyFiles;
  /** Extra environment for every process (ports, settings). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Progress of supervision: a process exited (with its last log lines), was restarted. */
  log?: (msg: string) => void;
}

/** One process of the mesh: a replica of a service, or the gateway. */
export interface MeshProcess {
  /** "order" for the first replica, "order-2" for the second...; "gateway". Also its log file's name. */
  name: string;
  service: ProcessName;
  /** 0 for the first replica. */
  replica: number;
  port: number;
  /** The pid of the running incarnation (undefined while it waits to be restarted). */
  readonly pid: number | undefined;
  /** How many times it was restarted after exiting. */
  readonly restarts: number;
}

export interface RunningMesh {
  config: Config;
  gatewayUrl: string;
  processes: MeshProcess[];
  /** Resolves when every process is healthy; rejects (after stopping them all) when one is not in time. */
  ready: Promise<void>;
  /** Stops every process (SIGTERM, SIGKILL after 15 s); safe to call before ready. */
  stop(): Promise<void>;
}

/** How long a process gets to drain after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

/**
 * Starts every replica of every service (config.ts replicaCount: REPLICAS, <NAME>_REPLICAS; replica i on the
 * service's port + 100*i) and the gateway, each told every replica's address so callers spread calls over them
 * (meshTransport). A process that exits after start-up is restarted with backoff (supervisor.ts); one that exits
 * during start-up fails the start, as that is almost always configuration (a port in use, a bad setting).
 */
export function launchMesh(opts: MeshOptions): RunningMesh {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const log = opts.log ?? ((msg: string) => console.log(msg));
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, NATS_URL: opts.natsUrl };
  const config = loadConfig("gateway", env);
  for (const name of SERVICE_NAMES) env[`${name.toUpperCase()}_ADDR`] = config.addrs[name];
  // Extra node flags for every process, e.g. MESH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark.
  const nodeArgs = (process.env.MESH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  let stopping = false;
  let startingUp = true;
  let startupExit: string | undefined;

  const spawnProcess = (name: string, which: ProcessName, extraEnv: NodeJS.ProcessEnv): Incarnation & { child: ChildProcess } => {
    const logFile = path.join(opts.logDir, `${name}.log`);
    const fd = fs.openSync(logFile, "a");
    const child = spawn(process.execPath, [...nodeArgs, ...processArgs(which, env)], { env: { ...env, ...extraEnv }, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      if (!stopping) {
        log(`${name} ${how}; last lines of ${logFile}:\n${tail(logFile)}`);
        if (startingUp) startupExit ??= `${name} ${how}`;
      }
      resolve(how);
    }));
    return { child, exited, stop: () => stopChild(child) };
  };

  const processes: (MeshProcess & { supervisor: Supervised })[] = [];
  const launch = (name: string, service: ProcessName, replica: number, port: number, extraEnv: NodeJS.ProcessEnv) => {
    const first = spawnProcess(name, service, extraEnv);
    const supervisor = supervise(name, first, async () => spawnProcess(name, service, extraEnv), log);
    processes.push({
      name, service, replica, port, supervisor,
      get pid() { return (supervisor.current as { child?: ChildProcess } | undefined)?.child?.pid; },
      get restarts() { return supervisor.restarts; },
    });
  };
  for (const name of SERVICE_NAMES) {
    replicaUrls(config.addrs[name]).forEach((url, i) => {
      const port = Number(new URL(url).port);
      launch(i === 0 ? name : `${name}-${i + 1}`, name, i, port, { ...keyEnv(opts.keys, false), [`${name.toUpperCase()}_PORT`]: String(port) });
    });
  }
  launch("gateway", "gateway", 0, config.port, keyEnv(opts.keys, true));

  const stop = async () => {
    stopping = true;
    await Promise.all(processes.map((p) => p.supervisor.stop()));
  };

  const gatewayUrl = `http://127.0.0.1:${config.port}`;
  const ready = waitHealthy(config, gatewayUrl, opts.timeoutMs ?? 120_000, () => stopping || startupExit !== undefined)
    .then(() => { startingUp = false; })
    .catch(async (err) => {
      await stop();
      throw startupExit ? new Error(`${startupExit} during start-up`) : err;
    });
  return { config, gatewayUrl, processes, ready, stop };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => { clearTimeout(kill); resolve(); });
    child.kill("SIGTERM");
  });
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

/** One health client (one grpc-js channel) per replica, reused by every poll. */
const healthClients = new Map<string, Client<typeof Health>>();
function healthClient(url: string): Client<typeof Health> {
  let client = healthClients.get(url);
  if (!client) healthClients.set(url, (client = createClient(Health, meshTransport(url))));
  return client;
}

/** A grpc.health.v1 Check of one service (SERVING only; every replica), or the gateway's /healthz. */
export async function isHealthy(name: string, addrs: Record<ServiceName, string>, gatewayUrl: string): Promise<boolean> {
  try {
    if (name === "gateway") return (await fetch(`${gatewayUrl}/healthz`)).ok;
    const answers = await Promise.all(replicaUrls(addrs[name as ServiceName]).map((url) => healthClient(url).check({}, { timeoutMs: 1000 })));
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
