// `npm run bench:checkout`: sustained end-to-end ordering through the gateway for a fixed time. Virtual buyers
// (one loop per unit of concurrency, each owning a slice of the users) fill a 1-3 line cart from many items
// (55% one line, 30% two, 15% three; 1-2 units each), BeginCheckout, SubmitOrder, and start again. A warehouse
// system listening on `warehouse.*.orders.assigned` (plain NATS, generated types) timestamps each order's
// first warehouse event. Prints one JSON line: orders/s, SubmitOrder p50/p99, SubmitOrder -> warehouse event
// p50/p99, errors, AuditStock at the end, the machine and its load.
//   flags: --seconds 60 --users 2000 --items 200 --concurrency 16 --warmup 5
import { randomUUID } from "node:crypto";
import os from "node:os";
import { fromBinary } from "@bufbuild/protobuf";
import { ConnectError, createClient } from "@connectrpc/connect";
import { connect } from "nats";
import { WarehouseOrderAssignedSchema } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { TokenVerifier } from "../../services/lib/auth.js";
import { loadConfig } from "../../services/lib/config.js";
import { cliFlags } from "../../services/lib/cli.js";
import { ADDRESS, CARD, randomCart, stockedItems } from "./shopper.js";
import { benchStack, gatewayTransport, percentile } from "./stack.js";

const { seconds, users, items: itemCount, concurrency, warmup } = cliFlags({
  usage: "npm run bench:checkout --",
  summary: "Sustained end-to-end ordering through the gateway for a fixed time: virtual buyers fill a 1-3 line cart, "
    + "begin checkout and submit; a NATS subscriber times each order's warehouse event. Prints one JSON line.",
  flags: {
    seconds: { type: "int", default: 60, min: 1, help: "how long to measure" },
    users: { type: "int", default: 2000, min: 1, help: "customer accounts the buyers use" },
    items: { type: "int", default: 200, min: 3, help: "items created for the run" },
    concurrency: { type: "int", default: 16, min: 1, help: "buyers at once" },
    warmup: { type: "int", default: 5, help: "seconds of load before measuring" },
  },
});
const log = (m: string) => console.error(`[checkout] ${m}`);


const loadAtStart = os.loadavg();
const stack = await benchStack(log);
try {
  const verifier = new TokenVerifier(loadConfig("gateway").jwtSecret);
  const transport = gatewayTransport(stack.gatewayUrl, concurrency + 8);
  const catalog = createClient(CatalogService, transport);
  const inventory = createClient(InventoryService, transport);
  const cart = createClient(CartService, transport);
  const order = createClient(OrderService, transport);
  const admin = { headers: { authorization: `Bearer ${await verifier.mint({ subject: randomUUID(), role: "admin" })}` } };

  const itemIds = await stockedItems(catalog, inventory, admin, itemCount, log);

  const tokens = await Promise.all(Array.from({ length: users }, () => verifier.mint({ subject: randomUUID(), role: "customer" }, 4 * 3600)));
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

  const buy = async (u: number) => {
    try {
      for (const line of randomCart(itemIds)) await cart.updateCartItemQuantity(line, as(u));
      const b0 = performance.now();
      const begun = await order.beginCheckout({}, as(u));
      if (measuring) beginMs.push(performance.now() - b0);
      if (!begun.checkout) {
        shortages++;
        await cart.clearCart({}, as(u));
        return;
      }
      const sent = performance.now();
      const placed = await order.submitOrder({ checkoutId: begun.checkout.id, idempotencyKey: randomUUID(), card: CARD, shippingAddress: ADDRESS }, as(u));
      const answered = performance.now();
      if (measuring) {
        submitMs.push(answered - sent);
        submitted.set(placed.order!.id, { sent, answered });
        orders++;
      }
    } catch (err) {
      if (measuring) errors++;
      const ce = ConnectError.from(err);
      const k = `${ce.code}: ${ce.rawMessage.slice(0, 120)}`;
      errorSamples.set(k, (errorSamples.get(k) ?? 0) + 1);
      await cart.clearCart({}, as(u)).catch(() => {});
    }
  };

  log(`ordering for ${warmup}s warm-up + ${seconds}s: ${users} users, ${itemCount} items, concurrency ${concurrency}`);
  const started = performance.now();
  const warmEnd = started + warmup * 1000;
  const end = warmEnd + seconds * 1000;
  let measuredFrom = 0;
  const cpuBefore = os.cpus().map((c) => c.times);
  await Promise.all(Array.from({ length: concurrency }, async (_, loop) => {
    // Each loop owns the users loop, loop + concurrency, ...: one user never has two checkouts in flight.
    const mine = Array.from({ length: Math.ceil(users / concurrency) }, (_, k) => loop + k * concurrency).filter((u) => u < users);
    for (let k = 0; performance.now() < end; k++) {
      if (!measuring && performance.now() >= warmEnd) {
        measuring = true;
        measuredFrom = performance.now();
      }
      await buy(mine[k % mine.length]);
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
  // The benchmark's own items (a store of a million items is audited whole by `AuditStock {}` in its own time).
  const audit = await inventory.auditStock({ itemIds }, admin);
  await nc.close();

  for (const a of [submitMs, beginMs, toWarehouse, afterAnswer]) a.sort((x, y) => x - y);
  const busy = cpuAfter.reduce((s, c, i) => {
    const b = cpuBefore[i];
    const total = (c.user - b.user) + (c.nice - b.nice) + (c.sys - b.sys) + (c.idle - b.idle) + (c.irq - b.irq);
    return s + (total ? 1 - (c.idle - b.idle) / total : 0);
  }, 0) / cpuAfter.length;
  console.log(JSON.stringify({
    seconds: Math.round(window * 10) / 10, users, items: itemCount, concurrency,
    orders, orders_per_s: Math.round(orders / window),
    submit_order_ms: { p50: round(percentile(submitMs, 50)), p99: round(percentile(submitMs, 99)) },
    begin_checkout_ms: { p50: round(percentile(beginMs, 50)), p99: round(percentile(beginMs, 99)) },
    submit_to_warehouse_event_ms: { p50: round(percentile(toWarehouse, 50)), p99: round(percentile(toWarehouse, 99)) },
    answer_to_warehouse_event_ms: { p50: round(percentile(afterAnswer, 50)), p99: round(percentile(afterAnswer, 99)) },
    never_announced: neverAnnounced,
    errors, error_samples: Object.fromEntries([...errorSamples].slice(0, 5)), stock_shortages: shortages,
    audit_violations: audit.violations.length, audit_items_checked: audit.itemsChecked,
    machine: {
      cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version,
      load_before: loadAtStart.map(round), cpu_busy_during_run: round(busy), stack: stack.reused ? "reused" : "throwaway",
    },
  }));
} finally {
  await stack.stop();
}

function round(n: number) {
  return Math.round(n * 100) / 100;
}
