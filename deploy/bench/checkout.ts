// `npm run bench:checkout`: sustained end-to-end ordering through the gateway for a fixed time. Virtual buyers
// (one loop per unit of concurrency, each owning a slice of the users) fill a 1-3 line cart from many items
// (55% one line, 30% two, 15% three; 1-2 units each), BeginCheckout, SubmitOrder, and start again. A warehouse
// system listening on `warehouse.*.orders.assigned` (plain NATS, generated types) timestamps each order's
// first warehouse event. Prints one JSON line: orders/s, SubmitOrder p50/p99, SubmitOrder -> warehouse event
// p50/p99, errors, AuditStock at the end, the machine and its load, Postgres's durability settings; and what an
// order costs (docs/cost-per-order.md): CPU ms per order by process (from /proc), mesh calls,
// SQL statements and transactions per order (counted), one mesh call's and one SQL round trip's CPU measured in the
// same run; then an open-loop phase at 70% of the measured capacity, and with --overload one at twice it.
//   flags: --seconds 60 --users 2000 --items 200 --concurrency 16 --warmup 30 --open-seconds 20 --overload --statements 12
// --telemetry-matrix runs it once per telemetry setting (off, metrics, metrics and the access log, traces at 10% and
// 100%: telemetry.ts; --telemetry-rounds times each, in turns) on fresh stacks and prints the results side by side.
import { randomUUID } from "node:crypto";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connect } from "nats";
import { WarehouseOrderAssignedSchema } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { money } from "../../services/lib/money.js";
import { cliFlags } from "../../services/lib/cli.js";
import { RETRY_AFTER_HEADER } from "../../services/lib/admission.js";
import {
  callsBetween, enableStatementStatistics, readCallCounts, readPostgres, statementsBetween, type CallCounts, type PostgresReading,
} from "./counters.js";
import { openLoop } from "./open-loop.js";
import { meshCallCost } from "./rpc-cost.js";
import { roundTripFloor, sqlRoundTripCost } from "./sql-cost.js";
import { ADDRESS, buyerFlags, CARD, randomCart, stockedItems } from "./shopper.js";
import { benchStack, cpuPerRequest, cpuReading, gatewayTransport, percentile, postgresDurability, type BenchStack } from "./stack.js";
import { telemetryMatrix } from "./telemetry.js";

const { seconds, users, items: itemCount, concurrency, warmup, "open-seconds": openSeconds, overload, "overload-seconds": overloadSeconds,
  "overload-limit": overloadLimit, "telemetry-matrix": matrix, "telemetry-rounds": matrixRounds, "telemetry-settings": matrixSettings, statements: topStatements } = cliFlags({
  usage: "npm run bench:checkout --",
  summary: "Sustained end-to-end ordering through the gateway for a fixed time: virtual buyers fill a 1-3 line cart, "
    + "begin checkout and submit; a NATS subscriber times each order's warehouse event. Prints one JSON line.",
  flags: {
    seconds: { type: "int", default: 60, min: 1, help: "how long to measure" },
    ...buyerFlags({ users: 2000, items: 200, concurrency: 16 }),
    // V8 is still compiling the hot paths for the first ~30 s of load (a tenth of the CPU at 20 s, a fiftieth by 60 s):
    // a deployment pays that once per process start, not per order.
    warmup: { type: "int", default: 30, help: "seconds of load before measuring" },
    "open-seconds": { type: "int", default: 20, min: 0, help: "open-loop phase at 70% of the measured capacity (0: skip)" },
    overload: { type: "boolean", help: "add a phase at twice the measured capacity: refused vs admitted" },
    "overload-seconds": { type: "int", default: 15, min: 1, help: "length of the --overload phase" },
    "overload-limit": {
      type: "int", default: 64, min: 1,
      help: "with --overload, a throwaway stack's GATEWAY_MAX_IN_FLIGHT (calls in flight per service; above --concurrency)",
    },
    statements: { type: "int", default: 12, min: 0, help: "how many of the most frequent SQL statements to list per order (top_statements_per_order)" },
    "telemetry-matrix": {
      type: "boolean", help: "run once per telemetry setting (off, metrics, access log, traces at 10% and 100%) on fresh stacks, side by side",
    },
    "telemetry-rounds": { type: "int", default: 1, min: 1, help: "with --telemetry-matrix, runs per setting, taking turns (the median is reported)" },
    "telemetry-settings": { type: "string", help: "with --telemetry-matrix, only these settings (comma-separated, e.g. metrics), beside off" },
  },
});
const log = (m: string) => console.error(`[checkout] ${m}`);


// The processes write their call counts here on SIGUSR2 (admission.ts).
const countsDir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-bench-calls-"));
const stackOptions = {
  statementStatistics: true,
  env: { RPC_COUNTS_DIR: countsDir, ...(overload ? { GATEWAY_MAX_IN_FLIGHT: String(overloadLimit) } : {}) },
};
try {
  if (matrix) {
    console.log(JSON.stringify(await telemetryMatrix(log, { throughput: "orders_per_s", perUnit: "cpu_ms_per_order", rounds: matrixRounds, only: matrixSettings?.split(",").map((v) => v.trim()) }, measure, stackOptions)));
  } else {
    const stack = await benchStack(log, stackOptions);
    try {
      console.log(JSON.stringify(await measure(stack)));
    } finally {
      await stack.stop();
    }
  }
} finally {
  fs.rmSync(countsDir, { recursive: true, force: true });
}
// The call-floor measurement's mesh channel and the gateway agent's sockets would keep the process alive.
process.exit(0);

/** One run against `stack`: its figures, as the JSON line prints them. */
async function measure(stack: BenchStack) {
  const loadAtStart = os.loadavg();
  const durability = await postgresDurability(stack.databaseUrl);
  const withStatements = await enableStatementStatistics(stack.databaseUrl);
  const verifier = stack.userTokens;
  // Open-loop arrivals do not wait for each other: enough sockets that none waits in the load generator.
  const transport = gatewayTransport(stack.gatewayUrl, Math.max(concurrency + 8, 1024));
  const catalog = createClient(CatalogService, transport);
  const inventory = createClient(InventoryService, transport);
  const cart = createClient(CartService, transport);
  const order = createClient(OrderService, transport);
  const admin = { headers: { authorization: `Bearer ${await verifier.sign({ subject: randomUUID(), role: "admin" }, 3600)}` } };

  const itemIds = await stockedItems(catalog, inventory, admin, itemCount, log);

  const tokens = await Promise.all(Array.from({ length: users }, () => verifier.sign({ subject: randomUUID(), role: "customer" }, 4 * 3600)));
  const as = (u: number) => ({ headers: { authorization: `Bearer ${tokens[u]}` } });

  // The warehouse system: first warehouse event per order.
  const nc = await connect({ servers: stack.natsUrl, name: "bench-warehouse-system" });
  const firstEvent = new Map<string, number>();
  const sub = nc.subscribe("warehouse.*.orders.assigned");
  void (async () => {
    for await (const m of sub) {
      const orderId = fromBinary(WarehouseOrderAssignedSchema, m.data).warehouseOrder?.orderId;
      if (orderId && !firstEvent.has(orderId)) firstEvent.set(orderId, performance.now());
    }
  })();
  await nc.flush();

  const submitMs: number[] = [];
  const beginMs: number[] = [];
  const submitted = new Map<string, { sent: number; answered: number }>();
  let measuring = false;
  let orders = 0, errors = 0, shortages = 0;
  const errorSamples = new Map<string, number>();

  /** One purchase: fill the cart, begin, submit. A failure says which call failed, how, and how long it took. */
  const buy = async (u: number): Promise<Purchase> => {
    // When the call under way started: a failure's latency is that call's.
    let step = performance.now();
    const timed = <T>(call: () => Promise<T>) => {
      step = performance.now();
      return call();
    };
    try {
      for (const line of randomCart(itemIds)) await timed(() => cart.updateCartItemQuantity(line, as(u)));
      const begun = await timed(() => order.beginCheckout({}, as(u)));
      const beginMs = performance.now() - step;
      if (!begun.checkout) {
        await cart.clearCart({}, as(u));
        return { kind: "short", beginMs };
      }
      const placed = await timed(() => order.submitOrder({ checkoutId: begun.checkout!.id, idempotencyKey: randomUUID(), card: CARD, shippingAddress: ADDRESS }, as(u)));
      return { kind: "ordered", orderId: placed.order!.id, beginMs, sent: step, answered: performance.now() };
    } catch (err) {
      const ms = performance.now() - step;
      const ce = ConnectError.from(err);
      await cart.clearCart({}, as(u)).catch(() => {});
      return { kind: "failed", code: ce.code, message: ce.rawMessage, ms, retryAfterMs: ce.metadata.get(RETRY_AFTER_HEADER) ?? undefined };
    }
  };

  /** The closed loop's bookkeeping of one purchase. */
  const record = (p: Purchase) => {
    if (p.kind === "failed") {
      const k = `${p.code}: ${p.message.slice(0, 120)}`;
      errorSamples.set(k, (errorSamples.get(k) ?? 0) + 1);
    }
    if (!measuring) return;
    if (p.kind === "failed") errors++;
    else beginMs.push(p.beginMs);
    if (p.kind === "short") shortages++;
    if (p.kind === "ordered") {
      submitMs.push(p.answered - p.sent);
      submitted.set(p.orderId, { sent: p.sent, answered: p.answered });
      orders++;
    }
  };

  /** What the stack has done so far: CPU by process, statements and transactions, calls by procedure. */
  const reading = async (): Promise<{ cpu: Record<string, number>; pg: PostgresReading; calls: CallCounts }> => ({
    cpu: cpuReading(!stack.reused),
    pg: await readPostgres(stack.databaseUrl, withStatements),
    calls: stack.reused ? new Map() : await readCallCounts(stack.processes, countsDir),
  });

  log(`ordering for ${warmup}s warm-up + ${seconds}s: ${users} users, ${itemCount} items, concurrency ${concurrency}`);
  const started = performance.now();
  const warmEnd = started + warmup * 1000;
  const end = warmEnd + seconds * 1000;
  let measuredFrom = 0;
  const cpuBefore = os.cpus().map((c) => c.times);
  let atStart: Promise<Awaited<ReturnType<typeof reading>>> | undefined;
  await Promise.all(Array.from({ length: concurrency }, async (_, loop) => {
    // Each loop owns the users loop, loop + concurrency, ...: one user never has two checkouts in flight.
    const mine = Array.from({ length: Math.ceil(users / concurrency) }, (_, k) => loop + k * concurrency).filter((u) => u < users);
    for (let k = 0; performance.now() < end; k++) {
      if (!measuring && performance.now() >= warmEnd) {
        measuring = true;
        measuredFrom = performance.now();
        atStart = reading();
      }
      record(await buy(mine[k % mine.length]));
    }
  }));
  const window = (performance.now() - measuredFrom) / 1000;
  const cpuAfter = os.cpus().map((c) => c.times);

  // Late warehouse events: give the pipeline time to drain before judging.
  const drainDeadline = performance.now() + 30_000;
  while (performance.now() < drainDeadline && [...submitted.keys()].some((id) => !firstEvent.has(id))) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const toWarehouse: number[] = [];
  const afterAnswer: number[] = [];
  let neverAnnounced = 0;
  for (const [id, t] of submitted) {
    const at = firstEvent.get(id);
    if (at === undefined) { neverAnnounced++; continue; }
    toWarehouse.push(at - t.sent);
    afterAnswer.push(at - t.answered);
  }
  // Every order's after-order flow has run (the drain above); Postgres publishes transaction counts within a second.
  await new Promise((r) => setTimeout(r, 1500));
  const before = await atStart!;
  const after = await reading();
  const perOrder = (n: number) => round(n / Math.max(1, orders));
  const cpu = cpuPerRequest(before.cpu, after.cpu, orders);
  const { load_generator: loadGeneratorCpu, total: _total, ...meshCpu } = cpu;
  const statements = statementsBetween(before.pg, after.pg);
  const calls = callsBetween(before.calls, after.calls);
  const cost = {
    cpu_ms_per_order: round(Object.values(meshCpu).reduce((a, b) => a + b, 0)),
    cpu_ms_per_order_by_process: Object.fromEntries(Object.entries(meshCpu).sort((a, b) => b[1] - a[1])),
    load_generator_cpu_ms_per_order: loadGeneratorCpu,
    mesh_calls_per_order: stack.reused ? null : perOrder(Object.values(calls).reduce((a, b) => a + b, 0)),
    gateway_requests_per_order: stack.reused ? null : perOrder(Object.values(callsBetween(before.calls, after.calls, true)).reduce((a, b) => a + b, 0)),
    mesh_calls_per_order_by_procedure: Object.fromEntries(Object.entries(calls).map(([p, n]) => [p.replace(/^\/shop\./, ""), perOrder(n)])),
    sql_statements_per_order: withStatements ? perOrder(statements.reduce((a, s) => a + s.calls, 0)) : null,
    transactions_per_order: perOrder(after.pg.transactions - before.pg.transactions),
    top_statements_per_order: statements.slice(0, topStatements).map((s) => ({ per_order: perOrder(s.calls), query: s.query.replace(/\s+/g, " ").slice(0, 160) })),
  };
  // What the same stack does with no orders (relays polling, sweepers, health checks), measured once the orders'
  // events are applied and the processes are warm: the fixed cost the per-order figures include, spread over
  // however many orders a second the run made.
  const idleSeconds = 5;
  const idleFrom = await reading();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idleTo = await reading();
  const idle = {
    cpu_ms_per_s: round(Object.entries(cpuPerRequest(idleFrom.cpu, idleTo.cpu, idleSeconds)).filter(([g]) => g !== "load_generator" && g !== "total")
      .reduce((a, [, ms]) => a + ms, 0)),
    sql_statements_per_s: round(statementsBetween(idleFrom.pg, idleTo.pg).reduce((a, st) => a + st.calls, 0) / idleSeconds),
    transactions_per_s: round((idleTo.pg.transactions - idleFrom.pg.transactions) / idleSeconds),
  };
  const rpcFloor = await meshCallCost({ calls: 5000, concurrency: 16, rounds: 2 });
  const sqlFloor = stack.reused ? null : await sqlRoundTripCost(stack.databaseUrl);
  const brackets = perOrder(statements.find((st) => /^START TRANSACTION$/i.test(st.query.trim()))?.calls ?? 0);
  const floor = sqlFloor && withStatements && cost.mesh_calls_per_order !== null ? roundTripFloor({
    meshCalls: cost.mesh_calls_per_order, statements: cost.sql_statements_per_order!, transactionBrackets: brackets, cpuMs: cost.cpu_ms_per_order,
  }, rpcFloor.cpu_us_per_call, sqlFloor) : null;

  const capacity = orders / window;
  const openPhase = openSeconds > 0 ? await openLoopPhase(0.7 * capacity, openSeconds) : undefined;
  const overloadPhase = overload ? await openLoopPhase(2 * capacity, overloadSeconds) : undefined;

  // The benchmark's own items (a store of a million items is audited whole by `AuditStock {}` in its own time).
  const audit = await inventory.auditStock({ itemIds }, admin);
  await nc.close();

  /** Buyers arriving at `rate` per second for `secs`: SubmitOrder latencies of the orders, refusals and errors. */
  async function openLoopPhase(rate: number, secs: number) {
    log(`open loop: ${round(rate)} purchases/s for ${secs}s`);
    const run = await openLoop(rate, secs, users, buy);
    const ordered = run.outcomes.filter((o) => o.kind === "ordered");
    const failed = run.outcomes.filter((o) => o.kind === "failed");
    const refused = failed.filter((o) => o.code === Code.ResourceExhausted || o.code === Code.Unavailable);
    const submit = ordered.map((o) => o.answered - o.sent).sort((a, b) => a - b);
    const refusedMs = refused.map((o) => o.ms).sort((a, b) => a - b);
    const byCode: Record<string, number> = {};
    for (const f of failed) byCode[Code[f.code]] = (byCode[Code[f.code]] ?? 0) + 1;
    return {
      rate: round(rate), seconds: round(run.seconds), purchases: run.outcomes.length, orders: ordered.length, dropped: run.dropped,
      submit_order_ms: { p50: round(percentile(submit, 50)), p95: round(percentile(submit, 95)), p99: round(percentile(submit, 99)) },
      errors: failed.length - refused.length, failures_by_code: byCode,
      refused: refused.length, refused_ms: { p50: round(percentile(refusedMs, 50)), p99: round(percentile(refusedMs, 99)) },
      retry_after_ms: refused.find((o) => o.retryAfterMs)?.retryAfterMs ?? null,
    };
  }

  for (const a of [submitMs, beginMs, toWarehouse, afterAnswer]) a.sort((x, y) => x - y);
  const busy = cpuAfter.reduce((s, c, i) => {
    const b = cpuBefore[i];
    const total = (c.user - b.user) + (c.nice - b.nice) + (c.sys - b.sys) + (c.idle - b.idle) + (c.irq - b.irq);
    return s + (total ? 1 - (c.idle - b.idle) / total : 0);
  }, 0) / cpuAfter.length;
  return {
    seconds: Math.round(window * 10) / 10, users, items: itemCount, concurrency,
    orders, orders_per_s: Math.round((orders / window) * 10) / 10,
    submit_order_ms: { p50: round(percentile(submitMs, 50)), p99: round(percentile(submitMs, 99)) },
    begin_checkout_ms: { p50: round(percentile(beginMs, 50)), p99: round(percentile(beginMs, 99)) },
    submit_to_warehouse_event_ms: { p50: round(percentile(toWarehouse, 50)), p99: round(percentile(toWarehouse, 99)) },
    answer_to_warehouse_event_ms: { p50: round(percentile(afterAnswer, 50)), p99: round(percentile(afterAnswer, 99)) },
    never_announced: neverAnnounced,
    errors, error_samples: Object.fromEntries([...errorSamples].slice(0, 5)), stock_shortages: shortages,
    audit_violations: audit.violations.length, audit_items_checked: audit.itemsChecked,
    ...cost,
    idle_per_s: idle,
    rpc_floor_us: rpcFloor.cpu_us_per_call,
    sql_floor_us: sqlFloor,
    transaction_brackets_per_order: brackets,
    round_trip_floor_ms_per_order: floor,
    open_loop: openPhase ?? null,
    ...(overloadPhase ? {
      overload: {
        ...overloadPhase, gateway_max_in_flight: stack.reused ? null : overloadLimit,
        admitted_submit_order_p99_ms: overloadPhase.submit_order_ms.p99, refused_p99_ms: overloadPhase.refused_ms.p99,
      },
    } : {}),
    postgres: durability,
    machine: {
      cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version,
      load_before: loadAtStart.map(round), cpu_busy_during_run: round(busy), stack: stack.reused ? "reused" : "throwaway",
    },
  };
}

/** How one purchase ended. */
type Purchase =
  | { kind: "ordered"; orderId: string; beginMs: number; sent: number; answered: number }
  | { kind: "short"; beginMs: number }
  | { kind: "failed"; code: Code; message: string; ms: number; retryAfterMs?: string };

function round(n: number) {
  return Math.round(n * 100) / 100;
}
