import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { SearchService } from "../../gen/shop/search/v1/search_pb.js";
import { catalog } from "../../services/catalog/src/main.js";
import { search } from "../../services/search/src/main.js";
import { startServices } from "../../test/harness.js";
import type { RunningGateway } from "../src/main.js";
import { startTestGateway } from "./helpers.js";

describe("gateway", () => {
  let mesh: Awaited<ReturnType<typeof startServices>>;
  let gateway: RunningGateway;

  before(async () => {
    mesh = await startServices([catalog, search]);
    gateway = await startTestGateway({
      databaseUrl: mesh.databaseUrl,
      services: mesh.services,
      env: { CORS_ORIGINS: "http://shop.example" },
    });
  });

  after(async () => {
    await gateway?.stop();
    await mesh?.stop();
  });

  it("answers a Connect JSON call as curl would send it", async () => {
    const res = await fetch(`${gateway.url}/shop.catalog.v1.CatalogService/ListItems`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pageSize: 5 }),
    });
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body).to.be.an("object");
    expect(body.items ?? []).to.be.an("array");
  });

  it("speaks gRPC-Web over HTTP/1.1", async () => {
    const client = createClient(CatalogService, createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
    const res = await client.listCategories({});
    expect(res.categories).to.be.an("array");
  });

  it("passes the service's error through with its code and field", async () => {
    const res = await fetch(`${gateway.url}/shop.catalog.v1.CatalogService/GetItem`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ itemId: "not-a-uuid" }),
    });
    expect(res.status).to.equal(400);
    const body = await res.json();
    expect(body.code).to.equal("invalid_argument");
    expect(body.message).to.contain("item_id");
  });

  it("gives a Connect client the service's error code, not the upstream gRPC call's headers", async () => {
    const res = await fetch(`${gateway.url}/shop.catalog.v1.CatalogService/GetItem`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ itemId: "0b7c1f6e-1111-4111-8111-111111111111" }),
    });
    expect(res.headers.get("content-type")).to.equal("application/json");
    expect(res.headers.get("grpc-status")).to.equal(null);
    const client = createClient(CatalogService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
    const err = await client.getItem({ itemId: "0b7c1f6e-1111-4111-8111-111111111111" }).catch((e) => e);
    expect(err.code).to.equal(5); // NotFound, read from the JSON body
  });

  it("forwards binary requests as the same bytes: answers and errors equal the JSON path's", async () => {
    const json = createClient(CatalogService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
    const binary = createClient(CatalogService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", useBinaryFormat: true }));
    const grpcWeb = createClient(CatalogService, createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
    const viaJson = await json.listCategories({});
    expect(viaJson.categories.length).to.be.greaterThan(10);
    expect(await binary.listCategories({})).to.deep.equal(viaJson);
    expect(await grpcWeb.listCategories({})).to.deep.equal(viaJson);
    for (const client of [binary, grpcWeb]) {
      const err = await client.getItem({ itemId: "not-a-uuid" }).catch((e) => e);
      expect(err.code).to.equal(3); // InvalidArgument
      expect(err.rawMessage).to.contain("item_id");
    }
    const internal = await fetch(`${gateway.url}/shop.inventory.v1.InventoryService/Reserve`, {
      method: "POST", headers: { "content-type": "application/proto" }, body: new Uint8Array(),
    });
    expect(internal.status).to.equal(404);
  });

  it("does not expose internal RPCs", async () => {
    const res = await fetch(`${gateway.url}/shop.inventory.v1.InventoryService/Reserve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).to.equal(404);
  });

  it("answers CORS preflight for configured origins only", async () => {
    const allowed = await fetch(`${gateway.url}/shop.search.v1.SearchService/GetItemCatalog`, {
      method: "OPTIONS",
      headers: { origin: "http://shop.example", "access-control-request-method": "POST" },
    });
    expect(allowed.status).to.equal(204);
    expect(allowed.headers.get("access-control-allow-origin")).to.equal("http://shop.example");
    const other = await fetch(`${gateway.url}/shop.search.v1.SearchService/GetItemCatalog`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(other.headers.get("access-control-allow-origin")).to.equal(null);
  });

  it("refuses request bodies over the size cap", async () => {
    const client = createClient(SearchService, createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
    const err = await client.getItemCatalog({ query: "x".repeat(2 << 20) }).catch((e) => e);
    expect(err.code).to.equal(8); // ResourceExhausted
  });
});
