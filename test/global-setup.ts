// Mocha global fixtures: install what the run needs (Chromium when browser tests are loaded), then start the
// suite's own Postgres, Redis and NATS once for the whole run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Runner, Suite } from "mocha";
import { startInfra, type Infra } from "../deploy/infra.js";
import { ensureBrowser } from "../deploy/infra/packages.js";

let infra: Infra | undefined;

/** Files of the loaded suites; mocha calls global setup with its Runner as `this`, after loading the files. */
function loadedFiles(runner: Partial<Runner> | undefined): string[] | undefined {
  if (!runner?.suite) return undefined;
  const files: string[] = [];
  const walk = (s: Suite) => {
    if (s.file) files.push(s.file);
    s.suites.forEach(walk);
  };
  walk(runner.suite);
  return files;
}

/** Browser tests are the files named *browser*.test.ts; unknown (another mocha) means maybe. */
const BROWSER_TEST = /browser.*\.test\.ts$/;

export async function mochaGlobalSetup(this: Partial<Runner> | undefined): Promise<void> {
  const files = loadedFiles(this);
  if (!files || files.some((f) => BROWSER_TEST.test(basename(f)))) await ensureBrowser((msg) => console.log(`  ${msg}`));
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
