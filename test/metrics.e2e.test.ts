// Every process serves Prometheus text on its metrics port, and what a test does shows up in it: RPCs by method
// and status code on the server and client side, the gateway's protocols, events published and consumed, and
// the domain's counters.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Code, ConnectError } from "@connectrpc/connect";
import { CatalogService } from "../gen/shop/catalog/v1/catalog_pb.js";
import { SearchService } from "../gen/shop/search/v1/search_pb.js";
import { gatewayClient } from "../gateway/test/helpers.js";
import { parsePrometheusText, valueOf, type Sample } from "./prometheus-text.js";
import { createClient } from "@connectrpc/connect";
import { meshTransport } from "../services/lib/transport.js";
import { eventually, freePort, freshDatabase, spawnService } from "./harness.js";
import { startShop, type Shop } from "./shop-fixture.js";

async function scrape(url: string | undefined): Promise<Sample[]> {
  expect(url, "metrics address").to.be.a("string");
  const res = await fetch(url!);
  expect(res.status).to.equal(200);
  expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text()).samples;
}

const calls = (samples: Sample[], side: "server" | "client", service: string, method: string, code: number) =>
  valueOf(samples, `rpc_${side}_duration_milliseconds_count`, {
    rpc_system: "grpc", rpc_service: service, rpc_method: method, rpc_grpc_status_code: String(code),
  });

describe("metrics", function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async () => {
    shop = await startShop();
  });
  after(async () => {
    await shop?.stop();
  });

  it("serves parseable Prometheus text from every process, on a port of its own", async () => {
    const urls = [shop.gateway.metricsUrl, ...Object.values(shop.services).map((s) => s.metricsUrl)];
    expect(new Set(urls).size).to.equal(7);
    for (const url of urls) {
      expect(url).to.not.include(`:${shop.gateway.port}/`);
      const samples = await scrape(url);
      expect(valueOf(samples, "process_cpu_seconds_total"), "runtime metrics").to.be.greaterThan(0);
      expect(samples.some((s) => s.name === "nodejs_eventloop_lag_seconds")).to.equal(true);
    }
  });

  it("counts each RPC by service, method and status code, on the server and the client side", async () => {
    const customer = await shop.newCustomer();
    const item = await shop.newItem({ name: `Metered lamp ${randomUUID().slice(0, 6)}`, priceCents: 2500, stock: [[0, 5]] });
    const before = await scrape(shop.services.order.metricsUrl);
    const placed = await shop.placeOrder(customer, [[item.id, 1]]);
    await shop.assigned(placed.id);
    const bad = await shop.client(CatalogService).getItem({ itemId: "not-an-id" }).catch((e) => e);
    expect(ConnectError.from(bad).code).to.equal(Code.InvalidArgument);
    await shop.client(SearchService).getItemCatalog({ query: "lamp", pageSize: 5 });

    // One process here: the gateway's server metrics (calls it forwards) and the services' share one registry,
    // so a call through the gateway counts twice (a test below runs a service as a process of its own).
    const after = await scrape(shop.services.order.metricsUrl);
    const grew = (side: "server" | "client", service: string, method: string, code = 0) =>
      calls(after, side, service, method, code) - calls(before, side, service, method, code);
    expect(grew("server", "shop.order.v1.OrderService", "SubmitOrder")).to.equal(2);
    expect(grew("server", "shop.order.v1.OrderService", "BeginCheckout")).to.equal(2);
    expect(grew("client", "shop.inventory.v1.InventoryService", "Reserve")).to.be.at.least(1);
    expect(grew("server", "shop.inventory.v1.InventoryService", "Commit")).to.be.at.least(1);
    expect(grew("server", "shop.cart.v1.CartService", "UpdateCartItemQuantity")).to.equal(2);
    expect(grew("server", "shop.assignment.v1.AssignmentService", "ListWarehouseOrders")).to.be.at.least(1);
    expect(grew("server", "shop.search.v1.SearchService", "GetItemCatalog")).to.equal(2);
    expect(grew("server", "shop.catalog.v1.CatalogService", "GetItem", Code.InvalidArgument)).to.equal(2);

    // Domain and event counters moved with the order.
    expect(valueOf(after, "orders_placed_total") - valueOf(before, "orders_placed_total")).to.equal(1);
    expect(valueOf(after, "events_published_total", { subject: "orders.placed" })).to.be.at.least(1);
    expect(valueOf(after, "events_consumed_total")).to.be.greaterThan(valueOf(before, "events_consumed_total"));
    expect(valueOf(after, "inventory_reserve_batch_size_count")).to.be.at.least(1);
    expect(valueOf(after, "order_active_checkouts", { service: "order" })).to.equal(0);
    expect(valueOf(after, "outbox_events_waiting", { service: "order" })).to.be.at.least(0);
    expect(after.some((s) => s.name === "outbox_oldest_waiting_age_seconds" && s.labels.service === "inventory")).to.equal(true);
  });

  it("counts the gateway's requests by protocol", async () => {
    const before = await scrape(shop.gateway.metricsUrl);
    await gatewayClient(CatalogService, shop.url).listCategories({});
    await shop.client(CatalogService).listCategories({});
    await shop.client(CatalogService).listCategories({});
    const after = await scrape(shop.gateway.metricsUrl);
    const grew = (protocol: string) => valueOf(after, "gateway_requests_total", { protocol }) - valueOf(before, "gateway_requests_total", { protocol });
    expect(grew("json")).to.equal(1);
    expect(grew("connect")).to.equal(2);
    expect(grew("grpc_web")).to.equal(0);
    expect(valueOf(after, "gateway_requests_in_flight")).to.equal(0);
  });

  it("counts, in a service running as its own process, exactly the calls made to it", async () => {
    const metricsPort = await freePort();
    const catalog = await spawnService("catalog", { DATABASE_URL: await freshDatabase(), METRICS_PORT: String(metricsPort) });
    try {
      const client = createClient(CatalogService, meshTransport(catalog.url));
      const code = () => client.getItem({ itemId: "not-an-id" }).then(() => 0, (e) => ConnectError.from(e).code as number);
      await eventually(async () => (await code()) === Code.InvalidArgument, 30_000, "catalog answering");
      const before = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      await code();
      await code();
      const after = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      const n = (samples: Sample[]) => calls(samples, "server", "shop.catalog.v1.CatalogService", "GetItem", Code.InvalidArgument);
      expect(n(after) - n(before)).to.equal(2);
      expect(valueOf(after, "rpc_server_duration_milliseconds_count", { rpc_service: "shop.order.v1.OrderService" })).to.equal(0);
    } finally {
      await catalog.stop();
    }
  });
});
