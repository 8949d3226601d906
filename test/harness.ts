// Test harness: real Postgres, Redis and NATS JetStream started by the suite itself on free ports (never the
// servers a machine may run on the standard ports), and services started in-process on free ports.
//
// One infrastructure per `npm test` run (global-setup.ts exports its URLs through the environment); every
// call to testConfig() gets its own fresh database, so test files do not see each other's rows.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectError } from "@connectrpc/connect";
import pg from "pg";
import { loadConfig, SERVICE_NAMES, type Config, type ServiceName } from "../services/lib/config.js";
import { TokenVerifier, type Role } from "../services/lib/auth.js";
import { ensureKeyFiles, keyEnv, KeyRing, TokenSigner, type KeyFiles } from "../services/lib/keys.js";
import { startService, type RunningService, type ServiceModule } from "../services/lib/server.js";
import { ensureMeshCertificates, type MeshCertificates } from "../deploy/mesh-certs.js";
import { processArgs } from "../services/registry.js";

export interface TestInfra {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
}

/** The suite's infrastructure, as global-setup.ts started it. */
export function testInfra(): TestInfra {
  const { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_NATS_URL } = process.env;
  if (!TEST_DATABASE_URL || !TEST_REDIS_URL || !TEST_NATS_URL) {
    throw new Error("test infrastructure not started: run the tests with `npm test` (mocha loads test/global-setup.ts)");
  }
  return { databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL, natsUrl: TEST_NATS_URL };
}

/** Creates an empty database in the suite's Postgres and returns its URL. */
export async function freshDatabase(prefix = "t"): Promise<string> {
  const base = testInfra().databaseUrl;
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Configuration for a service under test: the suite's Redis and NATS, the given (or a fresh) database,
 * port 0 (a free one), quiet logs. `env` sets service-specific settings (e.g. RESERVATION_TTL_SECONDS).
 */
export function testConfig(service: ServiceName, databaseUrl: string, env: Record<string, string> = {}): Config {
  const infra = testInfra();
  const config = loadConfig(service, {
    DATABASE_URL: databaseUrl,
    REDIS_URL: infra.redisUrl,
    NATS_URL: infra.natsUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    SHUTDOWN_GRACE_MS: "2000",
    DB_POOL_SIZE: "10",
    ...testKeyEnv(false),
    ...env,
  });
  return { ...config, port: 0 };
}

let certificates: Promise<MeshCertificates> | undefined;

/**
 * The suite's mesh TLS certificates (made once per run in a temporary directory, as `MESH_TLS=1 npm start` makes
 * them): a CA and one certificate per service, the gateway and `start`. `envFor(name)` gives TLS_CA/CERT/KEY.
 */
export function testCertificates(): Promise<MeshCertificates> {
  certificates ??= ensureMeshCertificates(mkdtempSync(join(tmpdir(), "shop-tls-")), [...SERVICE_NAMES, "gateway", "start"]);
  return certificates;
}

/**
 * Starts services in-process, wired to each other (each one's <NAME>_ADDR points at the others' free ports).
 * Services are started in the order given; list dependencies first. With `tls`, each runs mutual TLS with its
 * own certificate from it.
 */
export async function startServices(
  modules: ServiceModule[],
  opts: { databaseUrl?: string; env?: Record<string, string>; tls?: MeshCertificates } = {},
): Promise<{ services: Record<string, RunningService>; databaseUrl: string; stop(): Promise<void> }> {
  const databaseUrl = opts.databaseUrl ?? (await freshDatabase());
  const services: Record<string, RunningService> = {};
  const addrEnv: Record<string, string> = {};
  try {
    for (const mod of modules) {
      const config = testConfig(mod.name, databaseUrl, { ...opts.env, ...opts.tls?.envFor(mod.name), ...addrEnv });
      const running = await startService(mod, config);
      services[mod.name] = running;
      addrEnv[`${mod.name.toUpperCase()}_ADDR`] = running.url;
      // Services started earlier learn the address too (their clients are created lazily from config.addrs).
      for (const other of Object.values(services)) other.ctx.config.addrs[mod.name] = running.url;
    }
  } catch (err) {
    for (const s of Object.values(services).reverse()) await s.stop().catch(() => {});
    throw err;
  }
  return {
    services,
    databaseUrl,
    async stop() {
      for (const s of Object.values(services).reverse()) await s.stop().catch(() => {});
    },
  };
}

/**
 * What `start` makes, started in the suite's `before` hook and stopped in its `after` hook (registered where this
 * is called, inside a describe). The returned object stands for it: tests and later hooks use it as they would
 * the started one.
 */
export function suiteFixture<T extends { stop(): Promise<unknown> }>(start: () => Promise<T>): T {
  let current: T | undefined;
  before(async () => { current = await start(); });
  after(async () => { await current?.stop(); });
  const started = () => current ?? (() => { throw new Error("the suite's fixture is used before its before hook started it"); })();
  return new Proxy({} as T, {
    get: (_, key) => {
      const value = Reflect.get(started(), key);
      return typeof value === "function" ? value.bind(started()) : value;
    },
    set: (_, key, value) => Reflect.set(started(), key, value),
    has: (_, key) => Reflect.has(started(), key),
  });
}

/**
 * Environment that gives the services of one startServices() call durable consumers of their own, starting at
 * new events: the suite shares one NATS, and events other test files published refer to rows of their databases.
 */
export function isolatedConsumers(): Record<string, string> {
  return { EVENT_CONSUMER_SUFFIX: `-t${randomUUID().slice(0, 8)}`, EVENT_CONSUMER_START: "new" };
}

let keys: { files: KeyFiles; users: TokenSigner; services: TokenSigner } | undefined;

/** The key files of this test run, generated on first use (no test ever runs with a key from the repository). */
export function testKeys(): { files: KeyFiles; users: TokenSigner; services: TokenSigner } {
  if (!keys) {
    const files = ensureKeyFiles(join(mkdtempSync(join(tmpdir(), "shop-keys-")), "keys"));
    keys = {
      files,
      users: TokenSigner.fromFile(files.signingKeysFile, "AUTH_SIGNING_KEYS_FILE"),
      services: TokenSigner.fromFile(files.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE"),
    };
  }
  return keys;
}

/** Environment naming this run's key files: the user signing keys for identity (the gateway), the mesh key for services. */
export function testKeyEnv(forIdentity: boolean): Record<string, string> {
  return keyEnv(testKeys().files, forIdentity);
}

/** A verifier of this run's tokens, as a service has it (user keys and the mesh key). */
export function testVerifier(): TokenVerifier {
  const { files } = testKeys();
  return new TokenVerifier({
    users: new KeyRing(files.jwksFile, "AUTH_JWKS_FILE", false),
    services: new KeyRing(files.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE", true),
  });
}

/**
 * A token as the mesh would issue it: user roles signed by the identity service's key, role "service" by the
 * mesh key (subject "service:<name>").
 */
export async function tokenFor(role: Role, subject: string = role === "service" ? "service:test" : randomUUID(), warehouseId?: string): Promise<string> {
  const k = testKeys();
  return (role === "service" ? k.services : k.users).sign({ subject, role, warehouseId }, 3600);
}

/** Headers for a call as that token's holder. */
export function bearer(token: string): { headers: { authorization: string } } {
  return { headers: { authorization: `Bearer ${token}` } };
}

/** Polls until `check` returns a truthy value or the deadline passes (tests never sleep blindly). */
/** The error a call fails with (as a ConnectError); throws when the call succeeds. */
export async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms${lastError ? `: ${lastError}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { SERVICE_NAMES };

/** A service running as its own process, for tests that kill it mid-flight. */
export interface ServiceProcess {
  proc: ChildProcess;
  url: string;
  /** Resolves with the exit code when the process ends (by itself or by stop()). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 5 s; nothing when it already ended. */
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx services/<name>/src/main.ts` (or the node arguments `args` gives, e.g. a bundle of
 * `npm run build`) on a free port with the suite's Redis and NATS and quiet logs; `env` adds DATABASE_URL, the
 * other services' addresses, settings and fault switches.
 */
export async function spawnService(name: ServiceName, env: Record<string, string>, args = processArgs(name, {})): Promise<ServiceProcess> {
  const port = await freePort();
  const infra = testInfra();
  const proc = spawn(process.execPath, args, {
    cwd: new URL("../", import.meta.url).pathname,
    env: {
      ...process.env,
      [`${name.toUpperCase()}_PORT`]: String(port),
      REDIS_URL: infra.redisUrl,
      NATS_URL: infra.natsUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ...testKeyEnv(false),
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A list for the service processes a suite spawns (push each one): every one still running is stopped in the
 * suite's `after` hook. Call it before suiteFixture() so the processes stop before the services they talk to.
 */
export function spawnedForSuite(): ServiceProcess[] {
  const children: ServiceProcess[] = [];
  after(async () => {
    for (const c of children) await c.stop();
  });
  return children;
}
