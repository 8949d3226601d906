import * as grpc from "@grpc/grpc-js";
import { createClient } from "@connectrpc/connect";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  compressionGzip, createConnectTransport, createGrpcTransport, createGrpcWebTransport, type ConnectTransportOptions,
} from "@connectrpc/connect-node";
import { expect } from "chai";
import {
  CatalogService, ListCategoriesResponseSchema, ListItemsRequestSchema, ListItemsResponseSchema,
} from "../../gen/shop/catalog/v1/catalog_pb.js";
import { SearchService } from "../../gen/shop/search/v1/search_pb.js";
import { catalog } from "../../services/catalog/src/main.js";
import { grpcServer } from "../../services/lib/grpc-host.js";
import { search } from "../../services/search/src/main.js";
import { startServices, tokenFor } from "../../test/harness.js";
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
    // The whole tree Catalog loads at start, exactly as Catalog answers it over gRPC.
    const direct = await createClient(CatalogService, createGrpcTransport({ baseUrl: mesh.services.catalog.url })).listCategories({});
    expect(direct.categories.length).to.be.greaterThan(100);
    expect(res.categories.map((c) => [c.id, c.name, c.parentId])).to.deep.equal(direct.categories.map((c) => [c.id, c.name, c.parentId]));
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
    // A connection of its own for each: the refused body is still being sent when the answer comes.
    const nodeOptions = { agent: false } as const;
    for (const transport of [
      createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", nodeOptions }),
      createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: "1.1", nodeOptions }),
      createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", useBinaryFormat: true, nodeOptions }),
    ]) {
      const err = await createClient(SearchService, transport).getItemCatalog({ query: "x".repeat(2 << 20) }).catch((e) => e);
      expect(err.code).to.equal(8); // ResourceExhausted
    }
  });

  describe("binary Connect unary calls, forwarded as bytes (unary-proxy.ts)", () => {
    const binary = (opts: Pick<ConnectTransportOptions, "sendCompression" | "acceptCompression" | "compressMinBytes" | "interceptors"> = {}) =>
      createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", useBinaryFormat: true, ...opts });

    it("takes gzipped requests and gzips answers for clients that accept it, as connect-node does", async () => {
      const plain = await createClient(CatalogService, binary()).listCategories({});
      const gzipped = createClient(CatalogService, binary({ sendCompression: compressionGzip, acceptCompression: [compressionGzip], compressMinBytes: 0 }));
      expect(await gzipped.listCategories({})).to.deep.equal(plain);
      // A gzipped request body is inflated before it is forwarded (forwarded as it came, the service could not decode it).
      const request = toBinary(ListItemsRequestSchema, create(ListItemsRequestSchema, { pageSize: 2 }));
      const inflated = await fetch(`${gateway.url}/shop.catalog.v1.CatalogService/ListItems`, {
        method: "POST", headers: { "content-type": "application/proto", "content-encoding": "gzip" }, body: gzipSync(request),
      });
      expect(inflated.status).to.equal(200);
      expect(fromBinary(ListItemsResponseSchema, new Uint8Array(await inflated.arrayBuffer())).items.length).to.be.at.most(2);
      const res = await fetch(`${gateway.url}/shop.catalog.v1.CatalogService/ListCategories`, {
        method: "POST", headers: { "content-type": "application/proto", "accept-encoding": "gzip" }, body: new Uint8Array(),
      });
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-encoding")).to.equal("gzip");
      expect(fromBinary(ListCategoriesResponseSchema, new Uint8Array(await res.arrayBuffer()))).to.deep.equal(plain);
      const unknown = await fetch(`${gateway.url}/shop.catalog.v1.CatalogService/ListCategories`, {
        method: "POST", headers: { "content-type": "application/proto", "content-encoding": "zstd-of-my-own" }, body: new Uint8Array([1]),
      });
      expect(unknown.status).to.equal(501);
      expect((await unknown.json()).code).to.equal("unimplemented");
    });

    it("refuses a bad token, a bad timeout header, and a body that is not the request message, naming the problem", async () => {
      const withToken = createClient(SearchService, binary({
        interceptors: [(next) => (req) => { req.header.set("authorization", "Bearer garbage"); return next(req); }],
      }));
      expect((await withToken.getItemCatalog({ query: "tv" }).catch((e) => e)).code).to.equal(16); // Unauthenticated
      const timeout = await fetch(`${gateway.url}/shop.search.v1.SearchService/GetItemCatalog`, {
        method: "POST", headers: { "content-type": "application/proto", "connect-timeout-ms": "soon" }, body: new Uint8Array(),
      });
      expect(timeout.status).to.equal(400);
      expect((await timeout.json()).message).to.contain("connect timeout");
      const garbage = await fetch(`${gateway.url}/shop.search.v1.SearchService/GetItemCatalog`, {
        method: "POST", headers: { "content-type": "application/proto" }, body: new Uint8Array([0xff, 0xff, 0xff]),
      });
      expect(garbage.status).to.equal(400);
      expect((await garbage.json()).code).to.equal("invalid_argument");
    });

    it("gives the service the deadline the client asked for, 10 s when it asked none and 30 s at most, as the JSON path does", async () => {
      // A Search stand-in on the services' own gRPC server that answers with the deadline its call arrived with.
      const server = grpcServer((r) => r.service(SearchService, {
        async suggest(_req, ctx) {
          return { suggestions: [{ text: String(ctx.timeoutMs()) }] };
        },
        async getItemCatalog() {
          return {};
        },
      }), []);
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
      const echo = await startTestGateway({ databaseUrl: mesh.databaseUrl, services: { search: { url: `http://127.0.0.1:${port}` } } });
      try {
        for (const useBinaryFormat of [true, false]) {
          const client = createClient(SearchService, createConnectTransport({ baseUrl: echo.url, httpVersion: "1.1", useBinaryFormat }));
          const deadline = async (timeoutMs?: number) => Number((await client.suggest({ prefix: "t" }, { timeoutMs })).suggestions[0].text);
          expect(await deadline(5000)).to.be.within(4000, 5000);
          expect(await deadline()).to.be.within(9000, 10_000);
          expect(await deadline(60_000)).to.be.within(29_000, 30_000);
        }
      } finally {
        await echo.stop();
        server.forceShutdown();
      }
    });

    it("counts calls against the client address's rate limit", async () => {
      const tight = await startTestGateway({ databaseUrl: mesh.databaseUrl, services: mesh.services, env: { TRUST_PROXY: "true", RATE_LIMIT_PER_ADDRESS: "3" } });
      try {
        // An address of its own: other tests' calls from this machine count in the same Redis.
        const address = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
        const client = createClient(SearchService, createConnectTransport({
          baseUrl: tight.url, httpVersion: "1.1", useBinaryFormat: true,
          interceptors: [(next) => (req) => { req.header.set("x-forwarded-for", address); return next(req); }],
        }));
        for (let i = 0; i < 3; i++) await client.suggest({ prefix: "t" });
        const err = await client.suggest({ prefix: "t" }).catch((e) => e);
        expect(err.code).to.equal(8); // ResourceExhausted
        expect(err.rawMessage).to.match(/too many requests from your network/);
      } finally {
        await tight.stop();
      }
    });

    it("counts a signed-in caller's calls against its user, from any address, and a bad token's against its address", async () => {
      const tight = await startTestGateway({
        databaseUrl: mesh.databaseUrl, services: mesh.services, env: { TRUST_PROXY: "true", RATE_LIMIT_PER_ADDRESS: "4", RATE_LIMIT_PER_USER: "2" },
      });
      try {
        const client = (authorization: string) => {
          // An address of its own per client: other tests' calls from this machine count in the same Redis.
          const address = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.8`;
          return createClient(SearchService, createConnectTransport({
            baseUrl: tight.url, httpVersion: "1.1", useBinaryFormat: true,
            interceptors: [(next) => (req) => { req.header.set("x-forwarded-for", address); req.header.set("authorization", authorization); return next(req); }],
          }));
        };
        const token = `Bearer ${await tokenFor("customer")}`;
        await client(token).suggest({ prefix: "t" });
        await client(token).suggest({ prefix: "t" });
        const third = await client(token).suggest({ prefix: "t" }).catch((e) => e);
        expect(third.code).to.equal(8); // ResourceExhausted: the user's limit, though each call came from a new address
        expect(third.rawMessage).to.match(/^too many requests; try again/);

        const forged = client("Bearer not-a-token");
        for (let i = 0; i < 4; i++) expect((await forged.suggest({ prefix: "t" }).catch((e) => e)).code).to.equal(16); // Unauthenticated
        const fifth = await forged.suggest({ prefix: "t" }).catch((e) => e);
        expect(fifth.code).to.equal(8);
        expect(fifth.rawMessage).to.match(/too many requests from your network/);
      } finally {
        await tight.stop();
      }
    });
  });
});
