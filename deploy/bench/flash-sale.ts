// `npm run bench:flash-sale`: N virtual buyers race for one item with K units through the gateway
// (BeginCheckout on a one-line cart, then SubmitOrder for those that got stock). Prints one JSON line with the
// end-to-end figures and, from the same run, the raw limit: the same conditional UPDATE driven straight at
// Postgres with the same concurrency. oversold must be 0 in every run. duration_s runs from the sale opening to
// the last buyer's answer, sold_out_s to the last unit reserved. Before the sale the store serves ordinary orders
// for --warmup seconds (other items, other shoppers), as a store that has been open does.
//   flags: --buyers 10000 --units 1000 --concurrency 200 --warmup 30
import { randomUUID } from "node:crypto";
import os from "node:os";
import { createClient } from "@connectrpc/connect";
import pg from "pg";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { money } from "../../services/lib/money.js";
import { cliFlags } from "../../services/lib/cli.js";
import { openForBusiness, stockedItems } from "./shopper.js";
import { benchStack, cpuPerRequest, cpuReading, gatewayTransport, percentile, pool, postgresDurability } from "./stack.js";

const { buyers, units, concurrency, warmup } = cliFlags({
  usage: "npm run bench:flash-sale --",
  summary: "Buyers with one-line carts race for one item's units through the gateway (BeginCheckout, then SubmitOrder "
    + "for those that got stock), and the raw limit: the same conditional UPDATE straight at Postgres. Prints one JSON line.",
  flags: {
    buyers: { type: "int", default: 10_000, min: 1, help: "buyers racing" },
    units: { type: "int", default: 1_000, min: 1, help: "units of the item on sale" },
    concurrency: { type: "int", default: 200, min: 1, help: "buyers at once" },
    warmup: { type: "int", default: 30, min: 0, help: "seconds of ordinary orders (other items and shoppers) before the sale" },
  },
});
const log = (m: string) => console.error(`[flash-sale] ${m}`);

const stack = await benchStack(log);
try {
  const verifier = stack.userTokens;
  const transport = gatewayTransport(stack.gatewayUrl, concurrency);
  const catalog = createClient(CatalogService, transport);
  const inventory = createClient(InventoryService, transport);
  const cart = createClient(CartService, transport);
  const order = createClient(OrderService, transport);
  const admin = { headers: { authorization: `Bearer ${await verifier.sign({ subject: randomUUID(), role: "admin" }, 3600)}` } };

  // The item on sale, with its units spread over two warehouses.
  const categories = await catalog.listCategories({});
  const category = categories.categories.find((c) => c.depth > 0) ?? categories.categories[0];
  const { item } = await catalog.createItem({
    sku: `FLASH-${Date.now()}`, name: "Flash sale console", brand: "Bench", categoryId: category.id,
    price: money(29_999), description: "The item everyone wants at once.",
  }, admin);
  const { warehouses } = await inventory.listWarehouses({}, admin);
  const half = Math.ceil(units / 2);
  await inventory.receiveStock({ warehouseId: warehouses[0].id, itemId: item!.id, quantity: half, reference: "bench" }, admin);
  if (units - half > 0) {
    await inventory.receiveStock({ warehouseId: warehouses[1 % warehouses.length].id, itemId: item!.id, quantity: units - half, reference: "bench" }, admin);
  }

  let warm = { orders: 0, errors: 0 };
  if (warmup > 0) {
    const everyday = await stockedItems(catalog, inventory, admin, 20, log);
    const shoppers = await Promise.all(Array.from({ length: 200 }, async () => ({
      headers: { authorization: `Bearer ${await verifier.sign({ subject: randomUUID(), role: "customer" }, 3600)}` },
    })));
    log(`open for business: ordinary orders for ${warmup}s before the sale`);
    warm = await openForBusiness({ cart, order }, everyday, shoppers, warmup, 16);
  }

  // Every buyer has a token and a one-line cart before the sale opens (not timed).
  log(`filling ${buyers} carts ...`);
  const tokens: string[] = [];
  for (let i = 0; i < buyers; i++) tokens.push(await verifier.sign({ subject: randomUUID(), role: "customer" }, 3600));
  const as = (i: number) => ({ headers: { authorization: `Bearer ${tokens[i]}` } });
  await pool(buyers, concurrency, async (i) => { await cart.updateCartItemQuantity({ itemId: item!.id, quantity: 1 }, as(i)); });

  log(`sale opens: ${buyers} buyers, ${units} units, concurrency ${concurrency}`);
  const begin: number[] = [];
  const submit: number[] = [];
  let reserved = 0, orders = 0, refused = 0, errors = 0, lastReservationAt = 0;
  const errorSamples = new Set<string>();
  const cpuBefore = cpuReading(!stack.reused);
  const t0 = performance.now();
  await pool(buyers, concurrency, async (i) => {
    try {
      const s = performance.now();
      const res = await order.beginCheckout({}, as(i));
      begin.push(performance.now() - s);
      if (!res.checkout) { refused++; return; }
      reserved++;
      lastReservationAt = performance.now();
      const s2 = performance.now();
      await order.submitOrder({
        checkoutId: res.checkout.id, idempotencyKey: randomUUID(),
        card: { number: "4242424242424242", expiryMonth: 12, expiryYear: new Date().getFullYear() + 3, cvc: "123", holderName: "Flash Buyer" },
        shippingAddress: { recipient: "Flash Buyer", line1: "1 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "US" },
      }, as(i));
      submit.push(performance.now() - s2);
      orders++;
    } catch (err) {
      errors++;
      if (errorSamples.size < 5) errorSamples.add(String((err as Error).message));
    }
  });
  const duration = (performance.now() - t0) / 1000;
  const { load_generator: loadGeneratorCpu, total: _total, ...meshCpu } = cpuPerRequest(cpuBefore, cpuReading(!stack.reused), buyers);
  const reservationWindow = ((lastReservationAt || performance.now()) - t0) / 1000;
  const audit = await inventory.auditStock({ itemIds: [item!.id] }, admin);
  const left = (await inventory.getAvailability({ itemId: item!.id })).availability?.available ?? -1;

  const raw = await rawLimit(stack.databaseUrl, buyers, units, concurrency);
  begin.sort((a, b) => a - b);
  submit.sort((a, b) => a - b);
  const e2eRate = reserved / reservationWindow;
  console.log(JSON.stringify({
    buyers, units, concurrency,
    warmup: { seconds: warmup, ...warm },
    orders, reserved, refused,
    oversold: Math.max(0, orders - units) + (left < 0 ? -left : 0),
    stock_left: left,
    audit_violations: audit.violations.length, audit_items_checked: audit.itemsChecked,
    errors, error_samples: [...errorSamples],
    duration_s: round(duration),
    sold_out_s: reserved >= units ? round(reservationWindow) : null,
    // The CPU each buyer cost the mesh's processes during the sale (winners and losers alike); the load
    // generator's own beside it, not in it.
    cpu_ms_per_buyer: round(Object.values(meshCpu).reduce((a, b) => a + b, 0)),
    cpu_ms_per_buyer_by_process: Object.fromEntries(Object.entries(meshCpu).sort((a, b) => b[1] - a[1])),
    load_generator_cpu_ms_per_buyer: loadGeneratorCpu,
    reservations_per_s: Math.round(e2eRate),
    begin_checkout_ms: { p50: round(percentile(begin, 50)), p99: round(percentile(begin, 99)) },
    submit_order_ms: { p50: round(percentile(submit, 50)), p99: round(percentile(submit, 99)) },
    raw_limit: raw,
    ratio_to_raw: round(e2eRate / raw.reservations_per_s),
    // The raw limit and the sale ran against the same Postgres: durable unless a reused stack says otherwise.
    postgres: await postgresDurability(stack.databaseUrl),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  }));
} finally {
  await stack.stop();
}

/**
 * The raw limit: the same conditional decrement (`UPDATE ... SET n = n - 1 WHERE ... AND n >= 1`) on one hot
 * row, straight at the same Postgres, with the same number of concurrent buyers (connections capped at 100).
 */
async function rawLimit(databaseUrl: string, attempts: number, stock: number, workers: number) {
  const db = new pg.Pool({ connectionString: databaseUrl, max: Math.min(workers, 100) });
  try {
    await db.query("CREATE TABLE IF NOT EXISTS public.bench_hot_row (id int PRIMARY KEY, n int NOT NULL CHECK (n >= 0))");
    await db.query("INSERT INTO public.bench_hot_row VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET n = $1", [stock]);
    let ok = 0, last = 0;
    const lat: number[] = [];
    const t0 = performance.now();
    await pool(attempts, workers, async () => {
      const s = performance.now();
      const r = await db.query("UPDATE public.bench_hot_row SET n = n - 1 WHERE id = 1 AND n >= 1", []);
      lat.push(performance.now() - s);
      if (r.rowCount === 1) { ok++; last = performance.now(); }
    });
    lat.sort((a, b) => a - b);
    await db.query("DROP TABLE public.bench_hot_row");
    return {
      reservations: ok,
      reservations_per_s: Math.round(ok / (((last || performance.now()) - t0) / 1000)),
      p50_ms: round(percentile(lat, 50)), p99_ms: round(percentile(lat, 99)),
    };
  } finally {
    await db.end();
  }
}

function round(n: number) {
  return Math.round(n * 100) / 100;
}

