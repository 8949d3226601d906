// One order is one trace across processes: the whole mesh runs as separate processes exporting OTLP/HTTP JSON to
// a receiver inside this test, and the spans of one SubmitOrder (continued from the caller's traceparent) come
// from the gateway, order, inventory and assignment, through orders.placed and the warehouse subject on NATS.
// Their logs and spans hold no token, password or card number.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService } from "../gen/shop/identity/v1/identity_pb.js";
import { InventoryService } from "../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../gen/shop/order/v1/order_pb.js";
import { SERVICE_NAMES, type ServiceName } from "../services/lib/config.js";
import { money } from "../services/lib/money.js";
import { processArgs, type ProcessName } from "../services/registry.js";
import { eventually, freePort, freshDatabase, isolatedConsumers, testInfra, testKeyEnv } from "./harness.js";
import { DESK_LAMPS, TEST_ADDRESS, TEST_CARD } from "./shop-fixture.js";

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP JSON receiver: what a collector would get. */
async function otlpReceiver(): Promise<{ url: string; spans: ExportedSpan[]; raw: string[]; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const raw: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      raw.push(body);
      if (req.url === "/v1/traces") {
        for (const rs of JSON.parse(body).resourceSpans ?? []) {
          const service = rs.resource.attributes.find((a: { key: string }) => a.key === "service.name")?.value.stringValue;
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              const attributes = Object.fromEntries((s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]]));
              spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, kind: s.kind, attributes });
            }
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    raw,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface MeshProcess {
  proc: ChildProcess;
  logs: string[];
}

describe("tracing across processes", function () {
  this.timeout(240_000);
  const password = `pw-${randomUUID()}`;
  const adminEmail = `admin-${randomUUID().slice(0, 6)}@shop.test`;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  const processes: MeshProcess[] = [];
  let gatewayUrl: string;

  before(async () => {
    receiver = await otlpReceiver();
    const infra = testInfra();
    const ports = Object.fromEntries(await Promise.all([...SERVICE_NAMES, "gateway" as const].map(async (n) => [n, await freePort()]))) as Record<ProcessName, number>;
    const env: Record<string, string> = {
      ...process.env as Record<string, string>,
      ...isolatedConsumers(),
      DATABASE_URL: await freshDatabase(),
      REDIS_URL: infra.redisUrl,
      NATS_URL: infra.natsUrl,
      LOG_LEVEL: "info",
      METRICS_ENABLED: "false",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: password, RATE_LIMIT_PER_ADDRESS: "0", REGISTRATIONS_PER_ADDRESS: "0",
      GATEWAY_PORT: String(ports.gateway),
    };
    for (const name of SERVICE_NAMES) {
      env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
      env[`${name.toUpperCase()}_ADDR`] = `127.0.0.1:${ports[name]}`;
    }
    // Services first (each migrates its schema), the gateway last.
    for (const name of [...SERVICE_NAMES, "gateway"] as ProcessName[]) {
      const procEnv = { ...env, ...testKeyEnv(name === "gateway") };
      const proc = spawn(process.execPath, processArgs(name, procEnv), { env: procEnv, stdio: ["ignore", "pipe", "pipe"] });
      const logs: string[] = [];
      proc.stdout!.on("data", (c) => logs.push(String(c)));
      proc.stderr!.on("data", (c) => logs.push(String(c)));
      processes.push({ proc, logs });
    }
    gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    await eventually(async () => {
      const res = await fetch(`${gatewayUrl}/healthz`).catch(() => undefined);
      return res?.ok;
    }, 120_000, "gateway up");
  });

  after(async () => {
    await Promise.all(processes.map(({ proc }) => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
      setTimeout(() => proc.kill("SIGKILL"), 5000).unref();
    })));
    await receiver?.close();
  });

  const client = <T extends DescService>(service: T, token?: string, traceparent?: string) => createClient(service, createConnectTransport({
    baseUrl: gatewayUrl,
    httpVersion: "1.1",
    interceptors: [(next) => (req) => {
      if (token) req.header.set("authorization", `Bearer ${token}`);
      if (traceparent) req.header.set("traceparent", traceparent);
      return next(req);
    }],
  }));

  it("follows one order from the gateway's SubmitOrder through order, inventory, NATS and assignment", async () => {
    const admin = await eventually(() => client(IdentityService).login({ email: adminEmail, password }).catch(() => undefined), 60_000, "admin sign-in");
    const adminToken = admin.accessToken;
    const { warehouse } = await client(InventoryService, adminToken).createWarehouse({
      code: `TR${randomBytes(2).toString("hex").toUpperCase()}`, name: "Trace Depot", address: { ...TEST_ADDRESS }, location: { lat: 44.97, lon: -93.26 }, priority: 1,
    });
    const { item } = await eventually(() => client(CatalogService, adminToken).createItem({
      sku: `TR-${randomUUID().slice(0, 8)}`, name: "Traced lamp", brand: "Acme", categoryId: DESK_LAMPS,
      description: "A lamp whose order is traced.", price: money(1999n, "USD"),
    }).catch(() => undefined), 60_000, "catalog ready");
    await client(InventoryService, adminToken).receiveStock({ warehouseId: warehouse!.id, itemId: item!.id, quantity: 5, reference: "trace delivery" });

    const customer = await client(IdentityService).register({ email: `tracer-${randomUUID().slice(0, 8)}@example.com`, password, displayName: "Tracy" });
    const token = customer.accessToken;
    await eventually(() => client(CartService, token).updateCartItemQuantity({ itemId: item!.id, quantity: 1 }).catch(() => undefined), 30_000, "item in cart");
    const begun = await client(OrderService, token).beginCheckout({});
    expect(begun.checkout, JSON.stringify(begun.alerts)).to.not.equal(undefined);

    // The caller (a browser with tracing) starts the trace; every hop continues it.
    const traceId = randomBytes(16).toString("hex");
    const { order } = await client(OrderService, token, `00-${traceId}-${randomBytes(8).toString("hex")}-01`).submitOrder({
      checkoutId: begun.checkout!.id, idempotencyKey: randomUUID(), card: TEST_CARD, shippingAddress: TEST_ADDRESS,
    });
    expect(order?.id).to.be.a("string");

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const has = (service: string, name: string | RegExp) => inTrace().some((s) => s.service === service && (typeof name === "string" ? s.name === name : name.test(s.name)));
    const expected: [string, string | RegExp][] = [
      ["gateway", "shop.order.v1.OrderService/SubmitOrder"],
      ["order", "shop.order.v1.OrderService/SubmitOrder"],
      ["inventory", "shop.inventory.v1.InventoryService/Commit"],
      ["order", "orders.placed publish"],
      ["assignment", "orders.placed process"],
      ["inventory", "shop.inventory.v1.InventoryService/AllocateOrder"],
      ["assignment", /^warehouse\..+\.orders\.assigned publish$/],
    ];
    // Each process exports its own batches: a span that ended early may arrive after the last hop's.
    await eventually(async () => expected.every(([service, name]) => has(service, name)), 60_000, "every hop's span in the order's trace").catch(() => {});
    for (const [service, name] of expected) expect(has(service, name), `${service}: ${name}`).to.equal(true);
    expect(inTrace().some((s) => s.service === "order" && (s.attributes["db.system.name"] ?? s.attributes["db.system"]) === "postgresql"), "Postgres work as child spans").to.equal(true);
    // Parent links hold: every span but the caller's root has its parent in the trace.
    const ids = new Set(inTrace().map((s) => s.spanId));
    const orphans = inTrace().filter((s) => s.parentSpanId && !ids.has(s.parentSpanId) && s.service !== "gateway");
    expect(orphans.map((s) => `${s.service} ${s.name}`)).to.deep.equal([]);

    // Logs join traces: the order service's access line for SubmitOrder carries the trace id.
    const orderLogs = processes[SERVICE_NAMES.indexOf("order" as ServiceName)].logs.join("");
    expect(orderLogs).to.match(new RegExp(`"rpc":"shop.order.v1.OrderService/SubmitOrder".*"trace_id":"${traceId}"|"trace_id":"${traceId}".*"rpc":"shop.order.v1.OrderService/SubmitOrder"`));

    // Secrets stay out of every log line and span.
    const everything = processes.map((p) => p.logs.join("")).join("\n") + receiver.raw.join("\n");
    for (const secret of [token, adminToken, password, TEST_CARD.number]) expect(everything.includes(secret), "a secret in logs or spans").to.equal(false);
  });
});
