// The stack a benchmark runs against: the one `npm start` runs, when its gateway answers (set GATEWAY_URL and
// DATABASE_URL to point elsewhere), or a throwaway one started here on the default service ports.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createConnectTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { INFRA_DEFAULTS } from "../../services/lib/config.js";
import { ensureKeyFiles, keyFilesIn, TokenSigner, type KeyFiles } from "../../services/lib/keys.js";
import { startInfra } from "../infra.js";
import { launchMesh, type MeshProcess } from "../mesh.js";
import { seedDemoData } from "../seed.js";

export interface BenchStack {
  gatewayUrl: string;
  databaseUrl: string;
  redisUrl: string;
  /** The stack's NATS, for benchmarks that listen as a warehouse system would. */
  natsUrl: string;
  reused: boolean;
  /** The mesh's processes (throwaway stack only; empty when reused), to read their counters. */
  processes: MeshProcess[];
  /** Signs user tokens (admins, shoppers) as the stack's identity service would. */
  userTokens: TokenSigner;
  /** Every process's /metrics (a throwaway stack's; unknown for a reused one). */
  metricsUrls: string[];
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** Load pg_stat_statements in a throwaway stack's Postgres, for statements per request. */
  statementStatistics?: boolean;
  /** Extra environment for a throwaway stack's processes. */
  env?: NodeJS.ProcessEnv;
  /** Start a throwaway stack even when one is running. */
  throwaway?: boolean;
  /** Demo items seeded into a throwaway stack before it starts. */
  seedItems?: number;
}

/**
 * Extra settings for a throwaway stack's Postgres, from BENCH_POSTGRES_SETTINGS ("commit_delay=200 commit_siblings=5"),
 * to measure what a setting changes; the JSON line prints the durability settings the run had.
 */
function settingsFrom(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (spec ?? "").split(/[\s,]+/).filter(Boolean)) {
    const [key, value] = pair.split("=");
    if (!key || value === undefined) throw new Error(`BENCH_POSTGRES_SETTINGS: "${pair}" is not name=value`);
    out[key] = value;
  }
  return out;
}

/** The user signing keys of a reused stack: AUTH_SIGNING_KEYS_FILE, else the ones `npm start` keeps under DATA_DIR. */
function reusedStackSigner(): TokenSigner {
  const file = process.env.AUTH_SIGNING_KEYS_FILE ?? keyFilesIn(path.resolve(process.env.DATA_DIR ?? ".data", "keys")).signingKeysFile;
  return TokenSigner.fromFile(file, "AUTH_SIGNING_KEYS_FILE");
}

function signerOf(keys: KeyFiles): TokenSigner {
  return TokenSigner.fromFile(keys.signingKeysFile, "AUTH_SIGNING_KEYS_FILE");
}

/**
 * `throwaway`: start a stack even when one is running (a run that needs the processes started with `env`, as
 * the telemetry matrix does); `env` is added to every process's environment; `seedItems` demo items are seeded
 * into a throwaway stack before it starts.
 */
export async function benchStack(log: (m: string) => void, opts: BenchStackOptions = {}): Promise<BenchStack> {
  const gatewayUrl = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`;
  const up = !opts.throwaway && await fetch(`${gatewayUrl}/healthz`).then((r) => r.ok, () => false);
  if (up) {
    log(`reusing the running stack at ${gatewayUrl}`);
    return {
      gatewayUrl, databaseUrl: process.env.DATABASE_URL ?? INFRA_DEFAULTS.databaseUrl, natsUrl: process.env.NATS_URL ?? INFRA_DEFAULTS.natsUrl,
      redisUrl: process.env.REDIS_URL ?? INFRA_DEFAULTS.redisUrl,
      reused: true, processes: [], userTokens: reusedStackSigner(), metricsUrls: [], stop: async () => {},
    };
  }
  if (!opts.throwaway) log("no stack running: starting a throwaway one (own Postgres, Redis, NATS; services on their configured ports)");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-bench-"));
  // Durable like a deployment (fsync, synchronous_commit, full_page_writes on): the figures are what a user pays.
  const infra = await startInfra({
    dataDir, ephemeral: true, durable: true, log: () => {},
    postgresSettings: {
      ...(opts.statementStatistics ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.max": "1000" } : {}),
      ...settingsFrom(process.env.BENCH_POSTGRES_SETTINGS),
    },
  });
  const keys = ensureKeyFiles(path.join(dataDir, "keys"));
  try {
    await seedDemoData(infra.databaseUrl, { items: opts.seedItems ?? 0, warehouses: 3, seed: 1 });
    const mesh = launchMesh({
      databaseUrl: infra.databaseUrl, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl,
      logDir: path.join(dataDir, "logs"),
      keys,
      // One client address drives thousands of shoppers: the gateway's per-address and per-user limits would
      // measure themselves, not the mesh. (A reused stack must be started with the same settings.)
      env: { LOG_LEVEL: "warn", RATE_LIMIT_PER_ADDRESS: "1000000000", RATE_LIMIT_PER_USER: "1000000000", ...opts.env },
      log,
    });
    await mesh.ready;
    return {
      gatewayUrl: mesh.gatewayUrl,
      databaseUrl: infra.databaseUrl,
      redisUrl: infra.redisUrl,
      natsUrl: infra.natsUrl,
      reused: false,
      processes: mesh.processes,
      userTokens: signerOf(keys),
      metricsUrls: mesh.processes.flatMap((p) => (p.metricsUrl ? [p.metricsUrl] : [])),
      async stop() {
        await mesh.stop();
        await infra.stop();
      },
    };
  } catch (err) {
    await infra.stop();
    throw err;
  }
}

/** The durability settings of the stack's Postgres, printed beside every figure measured against it. */
export async function postgresDurability(databaseUrl: string): Promise<Record<string, string>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'commit_delay', 'commit_siblings') ORDER BY name");
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await db.end();
  }
}

/** Connect (binary) over HTTP/1.1 keep-alive, as a browser-facing client would call the gateway. */
export function gatewayTransport(gatewayUrl: string, maxSockets: number) {
  return createConnectTransport({
    baseUrl: gatewayUrl,
    httpVersion: "1.1",
    useBinaryFormat: true,
    nodeOptions: { agent: new http.Agent({ keepAlive: true, maxSockets }) },
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `count` jobs with at most `concurrency` at once. */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await job(next++);
  }));
}

/**
 * Processes whose CPU a benchmark reports, by what their command line contains: a service's or the gateway's
 * name (source or dist/ bundle), or the server it is.
 */
function cpuGroup(cmd: string): string | undefined {
  const proc = /(?:services\/(\w+)\/src\/main\.ts|gateway\/src\/main\.ts|dist\/(\w+)\.js)/.exec(cmd);
  if (proc) return proc[1] ?? proc[2] ?? "gateway";
  if (/^postgres: /.test(cmd) || /\/postgres -D /.test(cmd)) return "postgres";
  if (/^\S*redis-server/.test(cmd)) return "redis";
  if (/^\S*nats-server/.test(cmd)) return "nats";
  return undefined;
}

/** The fields of /proc/PID/stat after the command (which may hold spaces): index k is the stat field k + 3. */
function statFields(pid: number | string): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * CPU milliseconds a process has used, user and system (stat fields 14 and 15), and with `reapedChildren` those of
 * the children it has reaped (16 and 17): a Postgres backend that closed is still in its postmaster's.
 */
export function processCpuMs(pid: number | string, reapedChildren = false): number {
  const f = statFields(pid);
  const ticks = Number(f[11]) + Number(f[12]) + (reapedChildren ? Number(f[13]) + Number(f[14]) : 0);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The parent of every process, from /proc (empty off Linux). */
function parents(pids: string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(Number(pid), Number(statFields(pid)[1]));
    } catch {
      // The process ended between listing and reading.
    }
  }
  return out;
}

/**
 * CPU milliseconds used so far by the stack's processes (summed per group: every Search replica, every Postgres
 * backend) and by this load generator, read from /proc (Linux; empty elsewhere). Two readings around a phase
 * divided by its requests give the CPU each request costs each process: the budget a rate has to fit in.
 * `ownStack`: count only processes this benchmark started (its throwaway stack), not other stacks on the machine.
 * A Postgres backend that closed still counts, in its postmaster's reaped children.
 */
export function cpuReading(ownStack = false): Record<string, number> {
  const self = process.cpuUsage();
  const out: Record<string, number> = { load_generator: (self.user + self.system) / 1000 };
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  const parentOf = ownStack ? parents(pids) : undefined;
  const mine = (pid: number) => {
    for (let p = pid, hops = 0; p > 1 && hops < 16; p = parentOf!.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  for (const pid of pids) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const group = cpuGroup(cmd);
      if (!group || (parentOf && !mine(Number(pid)))) continue;
      out[group] = (out[group] ?? 0) + processCpuMs(pid, true);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return out;
}

/**
 * CPU milliseconds per request of each process group between two readings. A process that exited in between
 * without being reaped by one of the group (a stack process restarted) takes its CPU with it.
 */
export function cpuPerRequest(before: Record<string, number>, after: Record<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [group, ms] of Object.entries(after)) {
    const per = (ms - (before[group] ?? 0)) / Math.max(1, requests);
    out[group] = Math.round(per * 100) / 100;
    total += per;
  }
  out.total = Math.round(total * 100) / 100;
  return out;
}
