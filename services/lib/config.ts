// Configuration from the environment, with the defaults documented in README.md ("Configuration").
// Only loadConfig() reads process.env; everything else receives a Config, so tests can build their own.
import { meshTlsFromEnv, type MeshTls } from "./mesh-tls.js";

/** The mesh's services and their default gRPC ports. Adding a service adds a line here. */
export const SERVICE_PORTS = {
  catalog: 50051,
  search: 50052,
  cart: 50053,
  inventory: 50054,
  order: 50055,
  assignment: 50056,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;
export const SERVICE_NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];

/** Defaults point at the servers `npm start` runs itself (never the standard ports a machine may already use). */
export const INFRA_DEFAULTS = {
  postgresPort: 55432,
  redisPort: 56379,
  natsPort: 54222,
  databaseUrl: "postgres://postgres:postgres@127.0.0.1:55432/shop",
  redisUrl: "redis://127.0.0.1:56379",
  natsUrl: "nats://127.0.0.1:54222",
};

export interface Config {
  /** Port this process listens on (0 picks a free one; tests use that). */
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** Base URL of each service, e.g. http://127.0.0.1:50054, from <NAME>_ADDR; comma-separated for replicas. */
  addrs: Record<ServiceName, string>;
  /** Token key files (services/lib/keys.ts); a process that needs one and has none refuses to start. */
  auth: {
    /** AUTH_JWKS_FILE: the identity service's public keys, which every process verifies user tokens with. */
    jwksFile?: string;
    /** AUTH_SIGNING_KEYS_FILE: the identity service's private keys (read by the gateway only). */
    signingKeysFile?: string;
    /** AUTH_SERVICE_KEYS_FILE: the mesh key services sign their own calls with (role service only). */
    serviceKeysFile?: string;
  };
  /** This process's mesh TLS material (TLS_CA, TLS_CERT, TLS_KEY); undefined: the mesh speaks cleartext. */
  tls?: MeshTls;
  /** Postgres pool size per process. */
  dbPoolSize: number;
  logLevel: string;
  /** How long SIGTERM waits for in-flight calls before closing them. */
  shutdownGraceMs: number;
  /** Everything else a service reads (RESERVATION_TTL_SECONDS, LOW_STOCK_THRESHOLD, ...), raw. */
  env: Record<string, string | undefined>;
}

export function loadConfig(service: ServiceName | "gateway", env: Record<string, string | undefined> = process.env): Config {
  const addrs = {} as Record<ServiceName, string>;
  for (const name of SERVICE_NAMES) {
    const upper = name.toUpperCase();
    const port = intFrom(env, `${upper}_PORT`, SERVICE_PORTS[name]);
    const replicas = replicaPorts(port, replicaCount(env, name));
    addrs[name] = normalizeAddr(env[`${upper}_ADDR`] ?? replicas.map((p) => `127.0.0.1:${p}`).join(","));
  }
  const defaultPort = service === "gateway" ? 8080 : SERVICE_PORTS[service];
  return {
    port: intFrom(env, service === "gateway" ? "GATEWAY_PORT" : `${service.toUpperCase()}_PORT`, intFrom(env, "PORT", defaultPort)),
    host: env.HOST ?? "127.0.0.1",
    databaseUrl: env.DATABASE_URL ?? INFRA_DEFAULTS.databaseUrl,
    redisUrl: env.REDIS_URL ?? INFRA_DEFAULTS.redisUrl,
    natsUrl: env.NATS_URL ?? INFRA_DEFAULTS.natsUrl,
    addrs,
    auth: {
      jwksFile: env.AUTH_JWKS_FILE || undefined,
      signingKeysFile: service === "gateway" ? env.AUTH_SIGNING_KEYS_FILE || undefined : undefined,
      serviceKeysFile: service === "gateway" ? undefined : env.AUTH_SERVICE_KEYS_FILE || undefined,
    },
    tls: meshTlsFromEnv(env),
    dbPoolSize: intFrom(env, "DB_POOL_SIZE", 20),
    logLevel: env.LOG_LEVEL ?? "info",
    shutdownGraceMs: intFrom(env, "SHUTDOWN_GRACE_MS", 10_000),
    env,
  };
}

/**
 * The port a process serves Prometheus metrics on when METRICS_PORT is not set: its own port + 1000 (catalog
 * 51051, the gateway 9080; replica i of a service is +100*i as its gRPC port is). Port 0 (tests) stays 0: a free one.
 */
export function defaultMetricsPort(ownPort: number): number {
  return ownPort === 0 ? 0 : ownPort + 1000;
}

/** Reads an integer setting, failing loudly at start-up rather than running with NaN. */
export function intFrom(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

/** A yes/no setting: true or 1, false or 0 (any case); anything else fails start-up rather than meaning "no". */
export function booleanFrom(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? "").trim().toLowerCase();
  if (raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration setting in milliseconds: "7d", "12h", "90m", "30s", "500ms" (a bare number is seconds). */
export function durationFrom(env: Record<string, string | undefined>, name: string, fallback: string): number {
  const raw = env[name] || fallback;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m || Number(m[1]) <= 0) throw new Error(`${name} must be a positive duration such as 7d, 12h, 90m or 30s, got "${raw}"`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? "s"]);
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size setting in bytes: "1GiB", "512MiB", "500MB" (a bare number is bytes). */
export function bytesFrom(env: Record<string, string | undefined>, name: string, fallback: string): number {
  const raw = env[name] || fallback;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(raw.trim());
  if (!m || Number(m[1]) < 1) throw new Error(`${name} must be a size such as 1GiB, 512MiB or 500MB, got "${raw}"`);
  return Math.round(Number(m[1]) * BYTE_UNITS[(m[2] ?? "").toLowerCase()]);
}

/**
 * How many processes of a service run side by side: <NAME>_REPLICAS (e.g. SEARCH_REPLICAS), else REPLICAS,
 * else 1. Every service is safe as replicas (docs/replicas.md); they listen on <NAME>_PORT, +100, +200...
 */
export function replicaCount(env: Record<string, string | undefined>, name: ServiceName): number {
  const own = `${name.toUpperCase()}_REPLICAS`;
  const setting = env[own] !== undefined && env[own] !== "" ? own : "REPLICAS";
  const n = intFrom(env, setting, 1);
  if (n < 1 || n > 50) throw new Error(`${setting} must be between 1 and 50, got ${n}`);
  return n;
}

function replicaPorts(first: number, replicas: number): number[] {
  return Array.from({ length: replicas }, (_, i) => first + 100 * i);
}

/** The base URLs of a service's replicas in an address (one when it has no replicas). */
export function replicaUrls(addr: string): string[] {
  return addr.split(",").map((a) => a.trim()).filter(Boolean);
}

/**
 * A base URL, several comma-separated (a service's replicas), or a `dns:///name:port` that resolves to every
 * replica (a Kubernetes headless Service); meshTransport spreads calls over them.
 */
function normalizeAddr(addr: string): string {
  return replicaUrls(addr).map((a) => (/^(https?:\/\/|dns:)/.test(a) ? a.replace(/\/$/, "") : `http://${a}`)).join(",");
}
