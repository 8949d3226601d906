// Mocha global fixtures: start the suite's own Postgres, Redis and NATS once for the whole run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfra, type Infra } from "../deploy/infra.js";

let infra: Infra | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  const started = Date.now();
  infra = await startInfra({
    dataDir: mkdtempSync(join(tmpdir(), "shop-test-")),
    ephemeral: true,
    // NATS_NODES=3 npm test: the whole suite against a 3-node JetStream cluster
    natsNodes: Number(process.env.NATS_NODES ?? 1),
    log: process.env.TEST_LOG_LEVEL ? undefined : () => {},
  });
  process.env.TEST_DATABASE_URL = infra.databaseUrl;
  process.env.TEST_REDIS_URL = infra.redisUrl;
  process.env.TEST_NATS_URL = infra.natsUrl;
  console.log(`  test infrastructure up in ${Date.now() - started} ms (postgres, redis, ${infra.natsNodes.length > 1 ? `${infra.natsNodes.length} clustered nats` : "nats"} on free ports)`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await infra?.stop();
}

/** The running infrastructure, for fault tests that stop and restart NATS (mocha runs files serially). */
export function suiteInfra(): Infra {
  if (!infra) throw new Error("test infrastructure not started");
  return infra;
}
