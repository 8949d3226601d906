// The wire contract with a client that shares no code with the server: @grpc/grpc-js with the .proto files
// loaded at run time, over plain gRPC (HTTP/2 cleartext).
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { expect } from "chai";
import { startCatalog, type CatalogUnderTest } from "./helpers.js";

const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: ["proto"],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

type Unary = (req: object, metadata: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: any) => void) => void;
type GenericClient = grpc.Client & Record<string, Unary>;

function call(client: GenericClient, method: string, req: object, metadata = new grpc.Metadata()): Promise<any> {
  return new Promise((resolve, reject) => {
    client[method](req, metadata, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

describe("catalog over the wire (grpc-js)", function () {
  let c: CatalogUnderTest;
  let catalogClient: GenericClient;
  let healthClient: GenericClient;

  before(async () => {
    c = await startCatalog();
    const target = c.running.url.replace(/^http:\/\//, "");
    const catalogPkg = grpc.loadPackageDefinition(protoLoader.loadSync("shop/catalog/v1/catalog.proto", LOADER_OPTIONS)) as any;
    const healthPkg = grpc.loadPackageDefinition(protoLoader.loadSync("grpc/health/v1/health.proto", LOADER_OPTIONS)) as any;
    catalogClient = new catalogPkg.shop.catalog.v1.CatalogService(target, grpc.credentials.createInsecure());
    healthClient = new healthPkg.grpc.health.v1.Health(target, grpc.credentials.createInsecure());
  });

  after(async () => {
    catalogClient?.close();
    healthClient?.close();
    await c?.stop();
  });

  it("creates an item with an admin token in metadata, then gets and lists it", async () => {
    const md = new grpc.Metadata();
    md.set("authorization", c.admin.headers.authorization);
    const created = await call(catalogClient, "CreateItem", {
      sku: `WIRE-${Date.now()}`,
      name: "Wire Test Speaker",
      description: "Created over grpc-js.",
      brand: "Insignia",
      category_id: "abcat0200000",
      price: { currency_code: "USD", minor_units: "4999" },
      image_url: "https://images.shop-mesh.dev/items/wire.jpg",
      attributes: { colour: "red" },
    }, md);
    const item = created.item;
    expect(item.id).to.match(/^[0-9a-f-]{36}$/);
    expect(item.version).to.equal("1");
    expect(item.status).to.equal("ITEM_STATUS_ACTIVE");
    expect(item.price).to.deep.equal({ currency_code: "USD", minor_units: "4999" });
    expect(item.attributes).to.deep.equal({ colour: "red" });
    expect(Number(item.create_time.seconds)).to.be.closeTo(Date.now() / 1000, 60);

    const got = await call(catalogClient, "GetItem", { item_id: item.id });
    expect(got.item).to.deep.equal(item);

    const listed = await call(catalogClient, "ListItems", { category_id: "abcat0200000", page_size: 10 });
    expect(listed.items.map((i: { id: string }) => i.id)).to.include(item.id);
  });

  it("answers gRPC status codes: UNAUTHENTICATED without a token, NOT_FOUND, INVALID_ARGUMENT", async () => {
    const noToken = await call(catalogClient, "CreateItem", { sku: "X" }).catch((e: grpc.ServiceError) => e);
    expect(noToken.code).to.equal(grpc.status.UNAUTHENTICATED);
    const missing = await call(catalogClient, "GetItem", { item_id: "8d3e7f8a-1c2b-4d5e-9f00-112233445566" }).catch((e: grpc.ServiceError) => e);
    expect(missing.code).to.equal(grpc.status.NOT_FOUND);
    const bad = await call(catalogClient, "GetItem", { item_id: "nope" }).catch((e: grpc.ServiceError) => e);
    expect(bad.code).to.equal(grpc.status.INVALID_ARGUMENT);
    // connect-es percent-encodes grpc-message with encodeURIComponent; grpc-js undoes it with decodeURI, which
    // leaves reserved characters such as ":" encoded. The text is intact once fully decoded.
    expect(decodeURIComponent(bad.details)).to.match(/^item_id: /);
  });

  it("reports SERVING on grpc.health.v1 Check", async () => {
    const res = await call(healthClient, "Check", { service: "" });
    expect(res.status).to.equal("SERVING");
  });
});

describe("catalog answers mesh calls uncompressed", () => {
  it("sends a large answer without gzip although the caller accepts it (on loopback gzip costs more than it saves)", async () => {
    const c = await startCatalog();
    try {
      // The Connect gRPC client offers gzip; grpc-js (the mesh's client) always does.
      let encoding: string | null | undefined;
      const res = await c.client.listCategories({}, { onHeader: (h) => { encoding = h.get("grpc-encoding"); } });
      expect(res.categories.length).to.be.greaterThan(100); // far above the 1 KiB a server compresses from
      expect(encoding ?? "identity").to.equal("identity");
    } finally {
      await c.stop();
    }
  });
});
