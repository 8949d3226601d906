// Reservation throughput on ONE hot item: C concurrent buyers send N Reserve RPCs (1 unit each) straight to
// the inventory service, which runs as its own process against its own Postgres (fsync on, like `npm start`).
// Prints reservations/s and latency percentiles; checks nothing was oversold and the audit is clean.
//   npm run bench:reserve-hot-item -- --reservations 20000 --concurrency 500 [--units 15000]
//   env: RESERVE_BATCH_MAX / RESERVE_BATCH_CONCURRENCY are passed to the service (compare batching on and off);
//        BENCH_EPHEMERAL=1 runs Postgres with fsync off (as the test suite does); BENCH_CPU_PROF=<dir> profiles the service;
//        BENCH_NODE_FLAGS="--max-semi-space-size=64" passes node flags to the service.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { ServiceCredentials } from "../../services/lib/auth.js";
import { cliFlags } from "../../services/lib/cli.js";
import { ensureKeyFiles, keyEnv, TokenSigner } from "../../services/lib/keys.js";
import { startInfra } from "../infra.js";
import { processCpuMs } from "./stack.js";

const flags = cliFlags({
  usage: "npm run bench:reserve-hot-item --",
  summary: "Reservation throughput on one hot item: concurrent buyers send Reserve RPCs (1 unit each) straight to an "
    + "inventory process on its own Postgres. Prints reservations/s and latency percentiles; checks nothing was "
    + "oversold and the audit is clean.",
  flags: {
    reservations: { type: "int", default: 20_000, min: 1, help: "Reserve calls to send" },
    concurrency: { type: "int", default: 500, min: 1, help: "calls in flight" },
    units: { type: "int", default: 0, help: "units of the item in stock (0: as many as reservations)" },
    baseline: { type: "boolean", help: "send GetAvailability instead of Reserve: what a trivial RPC costs on the same stack" },
  },
});
const { reservations: total, concurrency, baseline } = flags;
const units = flags.units || total;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "inv-bench-"));
const infra = await startInfra({ dataDir, ephemeral: process.env.BENCH_EPHEMERAL === "1", log: () => {} });
const port = await freePort();
const keys = ensureKeyFiles(path.join(dataDir, "keys"));
const env = {
  ...process.env, ...keyEnv(keys, false), DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl, NATS_URL: infra.natsUrl,
  INVENTORY_PORT: String(port), LOG_LEVEL: "warn",
};
const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [];
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
const child = spawn(process.execPath, [...nodeFlags, ...profile, "--import", "tsx", "services/inventory/src/main.ts"], { env, stdio: ["ignore", "inherit", "inherit"] });
try {
  const client = createClient(InventoryService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  const userTokens = TokenSigner.fromFile(keys.signingKeysFile, "AUTH_SIGNING_KEYS_FILE");
  const admin = { headers: { authorization: `Bearer ${await userTokens.sign({ subject: randomUUID(), role: "admin" }, 3600)}` } };
  const service = { headers: await new ServiceCredentials("bench", TokenSigner.fromFile(keys.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE")).headers() };
  for (let i = 0; ; i++) {
    try {
      await client.listWarehouses({}, admin);
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const { warehouse } = await client.createWarehouse({ code: `BENCH-${Date.now()}`, name: "Bench", location: { lat: 45, lon: -93 } }, admin);
  const itemId = randomUUID();
  for (let left = units; left > 0; left -= 1_000_000) {
    await client.receiveStock({ warehouseId: warehouse!.id, itemId, quantity: Math.min(left, 1_000_000), reference: "bench" }, admin);
  }
  // Warm-up: connections, JIT, prepared plans.
  await Promise.all(Array.from({ length: 200 }, () => client.getAvailability({ itemId })));

  // CPU seconds the service process used (user + system): robust to other load on the machine.
  const serviceCpu = () => processCpuMs(child.pid!) / 1000;
  const cpu0 = serviceCpu();
  const latencies: number[] = [];
  let ok = 0, short = 0, failed = 0, next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++;
      const start = performance.now();
      try {
        if (baseline) {
          await client.getAvailability({ itemId }, service);
          ok++;
        } else {
          const r = await client.reserve({ checkoutId: randomUUID(), lines: [{ itemId, quantity: 1 }] }, service);
          if (r.reservation) ok++;
          else short++;
        }
      } catch {
        failed++;
      }
      latencies.push(performance.now() - start);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const cpuMsPerReservation = ((serviceCpu() - cpu0) * 1000) / total;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  const left = (await client.getAvailability({ itemId })).availability!.available;
  const audit = await client.auditStock({}, admin);
  console.log(JSON.stringify({
    reservations: total, concurrency, units, ok, short, failed,
    reservationsPerSecond: Math.round(ok / seconds), seconds: Number(seconds.toFixed(2)),
    p50ms: Number(p(0.5)), p99ms: Number(p(0.99)), serviceCpuMsPerReserve: Number(cpuMsPerReservation.toFixed(3)),
    rpc: baseline ? "GetAvailability (baseline)" : "Reserve", oversold: baseline ? 0 : Math.max(0, ok - units), unitsLeft: left, unitsAccounted: baseline || left + ok === units, auditViolations: audit.violations.length,
    batchMax: process.env.RESERVE_BATCH_MAX ?? "200 (default)", fsync: process.env.BENCH_EPHEMERAL === "1" ? "off" : "on", cpus: os.cpus().length,
  }));
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await infra.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
