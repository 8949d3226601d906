// A chaos run: its own stack (services as replicas under npm start's supervision, a JetStream cluster), buyers
// ordering through the gateway the whole time as bench:checkout's do, and meanwhile, one at a time and spaced
// out, a SIGKILL of one replica of each listed service and of one NATS node, and optionally one NATS node cut off
// from the others by taking its network namespace's link down. Then the verdict (verdict.ts). bench:chaos prints
// the report; a shorter run is part of npm test.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { SERVICE_NAMES, type ServiceName } from "../../services/lib/config.js";
import { ensureKeyFiles, TokenSigner } from "../../services/lib/keys.js";
import { connectNats } from "../../services/lib/nats.js";
import { ADDRESS, CARD, randomCart, stockedItems } from "../bench/shopper.js";
import { gatewayTransport, pool } from "../bench/stack.js";
import { freePorts, freePortsWith } from "../infra/process.js";
import { startInfra, type Infra, type NatsNodePlacement } from "../infra.js";
import { launchMesh, type RunningMesh } from "../mesh.js";
import { seedDemoData } from "../seed.js";
import { isolatedNetwork, type IsolatedNetwork } from "./netns.js";
import { lostOrderEvidence, type Evidence, type LostStage } from "./evidence.js";
import { checkoutsChargedTwice, WarehouseListener } from "./verdict.js";

export interface ChaosOptions {
  /** how long the buyers order */
  seconds: number;
  concurrency: number;
  users: number;
  items: number;
  /** REPLICAS for the mesh (env may set <NAME>_REPLICAS on top) */
  replicas: number;
  natsNodes: number;
  /** one replica of each is killed (SIGKILL), in this order; "nats" kills one NATS node */
  kill: (ServiceName | "nats")[];
  /** > 0: the last NATS node runs in its own network namespace and is cut off for this long */
  partitionSeconds: number;
  /**
   * Keep the process logs, the NATS stores and evidence.json (where each lost order stopped, evidence.ts) in a
   * directory of their own, printed at the end; without it they are kept only when an order was lost.
   */
  keep?: boolean;
  /** extra environment for the mesh, e.g. <NAME>_REPLICAS (ports: free ones unless GATEWAY_PORT is set) */
  env?: Record<string, string>;
  log: (m: string) => void;
}

export interface ChaosReport {
  seconds: number;
  replicas: number;
  nats_nodes: number;
  orders_attempted: number;
  orders_placed: number;
  lost: number;
  /** not_announced split by where each such order stopped (evidence.ts LOST_STAGES) */
  lost_detail: { not_announced: number; not_visible: number } & Partial<Record<LostStage, number>>;
  duplicates: number;
  duplicates_detail: { charged_twice: number; assigned_twice: number };
  audit_violations: number;
  internal_errors: number;
  client_errors: Record<string, number>;
  unavailable_retries: number;
  /** the most frequent failures, "RPC Code: message" -> count */
  error_samples: Record<string, number>;
  killed: string[];
  partitioned: string[];
  restarts: number;
  restarts_by_process: Record<string, number>;
  orders_per_s: number;
  machine: { cpus: number; load_before: number[] };
  /** where the logs and evidence.json were kept (--keep, or an order was lost) */
  kept?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a real client does with Unavailable (the replica it reached died or shed the call): a bounded retry with backoff. */
const RETRY = { attempts: 6, firstMs: 100, maxMs: 2000 };

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-chaos-"));
  const cleanups: (() => Promise<unknown>)[] = [() => fs.promises.rm(dataDir, { recursive: true, force: true })];
  try {
    let net: IsolatedNetwork | undefined;
    let placement: NatsNodePlacement[] | undefined;
    if (o.partitionSeconds > 0) {
      net = await isolatedNetwork();
      cleanups.push(() => net!.remove());
      const ports = await freePorts(2 * o.natsNodes);
      const last = o.natsNodes - 1;
      placement = Array.from({ length: o.natsNodes }, (_, i) => ({
        host: i === last ? net!.nsAddr : net!.hostAddr, clientPort: ports[i], clusterPort: ports[o.natsNodes + i],
        ...(i === last ? { netns: net!.name } : {}),
      }));
    }
    o.log(`starting the stack: REPLICAS=${o.replicas}, ${o.natsNodes} NATS nodes${net ? ` (nats#${o.natsNodes} in network namespace ${net.name})` : ""}`);
    const infra = await startInfra({ dataDir, ephemeral: true, natsNodes: o.natsNodes, natsPlacement: placement, supervise: true, log: () => {} });
    cleanups.push(() => infra.stop());
    let result: { report: ChaosReport; evidence: Evidence } | undefined;
    // After the mesh stopped (its logs complete), before the infra's data is deleted.
    cleanups.push(async () => {
      if (!o.keep && !(result && result.report.lost > 0)) return; // with --keep also a stack that failed to start
      const kept = fs.mkdtempSync(path.join(os.tmpdir(), "shop-chaos-kept-"));
      for (const dir of ["logs", "nats"]) {
        if (fs.existsSync(path.join(dataDir, dir))) fs.cpSync(path.join(dataDir, dir), path.join(kept, dir), { recursive: true });
      }
      if (result) {
        fs.writeFileSync(path.join(kept, "evidence.json"), JSON.stringify({ report: result.report, ...result.evidence }, null, 2));
        result.report.kept = kept;
      }
      o.log(`logs, NATS stores and evidence.json kept in ${kept}`);
    });
    await seedDemoData(infra.databaseUrl, { items: 0, warehouses: 3, seed: 1 });
    const keys = ensureKeyFiles(path.join(dataDir, "keys"));
    const mesh = launchMesh({
      databaseUrl: infra.databaseUrl, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, logDir: path.join(dataDir, "logs"), keys,
      env: {
        LOG_LEVEL: "warn", RATE_LIMIT_PER_ADDRESS: "1000000000", RATE_LIMIT_PER_USER: "1000000000", REPLICAS: String(o.replicas),
        ...(process.env.GATEWAY_PORT ? {} : await meshPorts()), ...o.env,
      },
      log: (m) => o.log(m.split("\n")[0]),
      timeoutMs: 300_000,
    });
    cleanups.push(() => mesh.stop());
    await mesh.ready;
    result = await underFire(o, infra, mesh, net, loadBefore, TokenSigner.fromFile(keys.signingKeysFile, "AUTH_SIGNING_KEYS_FILE"));
    return result.report;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => o.log(`cleanup: ${(err as Error).message}`));
  }
}

/**
 * Free ports for every service and the gateway, each with room for replicas (+100, +200) free too: the stack is
 * throwaway and must not collide with an `npm start` on the default ports. Setting GATEWAY_PORT (and the
 * services' *_PORT) in the environment chooses them instead.
 */
async function meshPorts(): Promise<Record<string, string>> {
  // Replicas at +100 and +200, and each process's metrics at its port + 1000.
  const ports = await freePortsWith(SERVICE_NAMES.length + 1, [100, 200, 1000, 1100, 1200]);
  const env: Record<string, string> = { GATEWAY_PORT: String(ports[SERVICE_NAMES.length]) };
  SERVICE_NAMES.forEach((name, i) => (env[`${name.toUpperCase()}_PORT`] = String(ports[i])));
  return env;
}

async function underFire(
  o: ChaosOptions, infra: Infra, mesh: RunningMesh, net: IsolatedNetwork | undefined, loadBefore: number[], userTokens: TokenSigner,
): Promise<{ report: ChaosReport; evidence: Evidence }> {
  const transport = gatewayTransport(mesh.gatewayUrl, o.concurrency + 8);
  const catalog = createClient(CatalogService, transport);
  const inventory = createClient(InventoryService, transport);
  const cart = createClient(CartService, transport);
  const order = createClient(OrderService, transport);
  const admin = { headers: { authorization: `Bearer ${await userTokens.sign({ subject: randomUUID(), role: "admin" }, 3600)}` } };
  const itemIds = await stockedItems(catalog, inventory, admin, o.items, o.log);
  const tokens = await Promise.all(Array.from({ length: o.users }, () => userTokens.sign({ subject: randomUUID(), role: "customer" }, 4 * 3600)));
  const as = (u: number) => ({ headers: { authorization: `Bearer ${tokens[u]}` }, timeoutMs: 20_000 });

  const nats = await connectNats(infra.natsUrl, "chaos-warehouse-systems");
  const warehouses = new WarehouseListener(nats.js, o.log);
  warehouses.start();

  const clientErrors: Record<string, number> = {};
  let internalErrors = 0, unavailableRetries = 0, attempted = 0;
  const placed = new Map<string, number>(); // order id -> user
  const withRetry = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (ConnectError.from(err).code !== Code.Unavailable || attempt >= RETRY.attempts) throw err;
        unavailableRetries++;
        await sleep(Math.random() * Math.min(RETRY.maxMs, RETRY.firstMs * 2 ** attempt));
      }
    }
  };
  const errorSamples = new Map<string, number>();
  const failed = (rpc: string, err: unknown) => {
    const ce = ConnectError.from(err);
    const code = ce.code;
    clientErrors[Code[code]] = (clientErrors[Code[code]] ?? 0) + 1;
    const sample = `${rpc} ${Code[code]}: ${ce.rawMessage.slice(0, 140)}`;
    errorSamples.set(sample, (errorSamples.get(sample) ?? 0) + 1);
    if (code === Code.Internal || code === Code.Unknown) internalErrors++;
  };

  const buy = async (u: number) => {
    let rpc = "UpdateCartItemQuantity";
    try {
      for (const line of randomCart(itemIds)) await withRetry(() => cart.updateCartItemQuantity(line, as(u)));
      rpc = "BeginCheckout";
      const begun = await withRetry(() => order.beginCheckout({}, as(u)));
      if (!begun.checkout) return; // a shortage (never with a million units)
      attempted++;
      rpc = "SubmitOrder";
      const request = { checkoutId: begun.checkout.id, idempotencyKey: randomUUID(), card: CARD, shippingAddress: ADDRESS };
      const res = await withRetry(() => order.submitOrder(request, as(u)));
      placed.set(res.order!.id, u);
    } catch (err) {
      failed(rpc, err);
      await cart.clearCart({}, as(u)).catch(() => {});
    }
  };

  const faults = faultPlan(o, infra, mesh, net);
  o.log(`ordering for ${o.seconds}s with ${o.concurrency} buyers; faults: ${faults.names.join(", ")}`);
  const started = performance.now();
  const end = started + o.seconds * 1000;
  const faultRun = faults.run(started);
  await Promise.all(Array.from({ length: o.concurrency }, async (_, loop) => {
    // Each loop owns the users loop, loop + concurrency, ...: one user never has two checkouts in flight.
    const mine = Array.from({ length: Math.ceil(o.users / o.concurrency) }, (_, k) => loop + k * o.concurrency).filter((u) => u < o.users);
    for (let k = 0; performance.now() < end; k++) await buy(mine[k % mine.length]);
  }));
  const window = (performance.now() - started) / 1000;
  await faultRun;

  // Late announcements: outboxes that waited out a dead node or the partition drain now.
  o.log(`${placed.size} orders placed; waiting for every one to reach its warehouse ...`);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && [...placed.keys()].some((id) => !warehouses.announcedOrders.has(id))) await sleep(500);
  const notAnnounced = [...placed.keys()].filter((id) => !warehouses.announcedOrders.has(id)).length;
  const notVisible = new Set<string>();
  const placedList = [...placed];
  await pool(placedList.length, 8, async (i) => {
    const [id, u] = placedList[i];
    const got = await withRetry(() => order.getOrder({ orderId: id }, as(u))).catch(() => undefined);
    if (got?.order?.id !== id) notVisible.add(id);
  });
  const audit = await withRetry(() => inventory.auditStock({ itemIds }, admin));
  const chargedTwice = await checkoutsChargedTwice(infra.databaseUrl);
  await warehouses.stop();
  const lost = new Set([...placed.keys()].filter((id) => !warehouses.announcedOrders.has(id) || notVisible.has(id)));
  const evidence = await lostOrderEvidence(infra.databaseUrl, nats, [...lost], warehouses.announcedOrders)
    .catch((err): Evidence => ({ counts: {} as Evidence["counts"], orders: [], jetstream: { error: (err as Error).message } }));
  await nats.nc.close();

  const restartsBy: Record<string, number> = {};
  for (const p of mesh.processes) if (p.restarts) restartsBy[p.name] = p.restarts;
  for (const s of infra.supervised) if (s.restarts) restartsBy[s.name] = s.restarts;
  const stages = Object.fromEntries(Object.entries(evidence.counts).filter(([stage, n]) => n > 0 && stage !== "announced"));
  const report: ChaosReport = {
    seconds: Math.round(window * 10) / 10, replicas: o.replicas, nats_nodes: o.natsNodes,
    orders_attempted: attempted, orders_placed: placed.size,
    lost: lost.size, lost_detail: { not_announced: notAnnounced, not_visible: notVisible.size, ...stages },
    duplicates: chargedTwice + warehouses.assignedTwice(),
    duplicates_detail: { charged_twice: chargedTwice, assigned_twice: warehouses.assignedTwice() },
    audit_violations: audit.violations.length,
    internal_errors: internalErrors, client_errors: clientErrors, unavailable_retries: unavailableRetries,
    error_samples: Object.fromEntries([...errorSamples].sort((a, b) => b[1] - a[1]).slice(0, 6)),
    killed: faults.killed, partitioned: faults.partitioned,
    restarts: Object.values(restartsBy).reduce((a, b) => a + b, 0), restarts_by_process: restartsBy,
    orders_per_s: Math.round((placed.size / window) * 10) / 10,
    machine: { cpus: os.cpus().length, load_before: loadBefore },
  };
  return { report, evidence };
}

/**
 * The faults, one at a time and evenly spaced over the first 80% of the run (the rest lets the last one heal
 * under load): NATS first so its node is back long before a partition, then the services, then the partition.
 */
function faultPlan(o: ChaosOptions, infra: Infra, mesh: RunningMesh, net: IsolatedNetwork | undefined) {
  const killed: string[] = [];
  const partitioned: string[] = [];
  const order = [...o.kill.filter((k) => k === "nats"), ...o.kill.filter((k) => k !== "nats")];
  const steps: { name: string; act: () => Promise<void> }[] = order.map((target) => ({
    name: `kill ${target}`,
    act: target === "nats" ? () => killNatsNode(infra, net !== undefined, killed) : async () => killReplica(mesh, target, killed),
  }));
  if (net) {
    const node = `nats#${o.natsNodes}`;
    steps.push({
      name: `cut ${node} off for ${o.partitionSeconds}s`,
      act: async () => {
        await net.cut();
        partitioned.push(node);
        try {
          await sleep(o.partitionSeconds * 1000);
        } finally {
          await net.heal();
        }
      },
    });
  }
  const gapMs = ((o.seconds * 0.8 - (net ? o.partitionSeconds : 0)) * 1000) / Math.max(1, steps.length);
  return {
    names: steps.map((s) => s.name),
    killed,
    partitioned,
    async run(started: number) {
      for (const [k, step] of steps.entries()) {
        const at = started + o.seconds * 100 + k * gapMs;
        await sleep(Math.max(0, at - performance.now()));
        o.log(`t=${((performance.now() - started) / 1000).toFixed(1)}s ${step.name}`);
        await step.act().catch((err) => o.log(`${step.name} failed: ${(err as Error).message}`));
      }
    },
  };
}

/** SIGKILL of one running replica of the service, picked at random; the supervisor restarts it. */
function killReplica(mesh: RunningMesh, service: ServiceName, killed: string[]): void {
  const live = mesh.processes.filter((p) => p.service === service && p.pid !== undefined);
  if (live.length === 0) throw new Error(`no running replica of ${service}`);
  const victim = live[Math.floor(Math.random() * live.length)];
  process.kill(victim.pid!, "SIGKILL");
  killed.push(`${service}#${victim.replica + 1}`);
}

/**
 * SIGKILL of the NATS node leading the ORDERS stream (the loss that hurts most), never the one that will be
 * partitioned later; the supervisor restarts it on the same store.
 */
async function killNatsNode(infra: Infra, sparesLast: boolean, killed: string[]): Promise<void> {
  const candidates = infra.natsNodes.filter((n, i) => n.running() && !(sparesLast && i === infra.natsNodes.length - 1));
  const nats = await connectNats(infra.natsUrl, "chaos-probe");
  const leader = await nats.jsm.streams.info("ORDERS").then((i) => i.cluster?.leader, () => undefined).finally(() => nats.nc.close());
  const victim = candidates.find((n) => n.serverName === leader) ?? candidates[0];
  if (!victim) throw new Error("no running NATS node to kill");
  await victim.kill();
  killed.push(`nats#${victim.index}`);
}
