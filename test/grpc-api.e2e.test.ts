// What a gRPC user reaches for first, against the real mesh: server reflection lists every service's RPCs (with
// descriptors complete enough to build the messages, as grpcurl and Postman do), and errors carry google.rpc
// details: a bad CreateItem names its field in a BadRequest over gRPC and through the gateway in each browser
// protocol (Connect binary, Connect JSON, gRPC-Web), and a refusal keeps its ErrorInfo reason across hops.
import { createRequire } from "node:module";
import path from "node:path";
import { createFileRegistry, fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { expect } from "chai";
import { ErrorInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { AssignmentService } from "../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService } from "../gen/shop/identity/v1/identity_pb.js";
import { InventoryService } from "../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../gen/shop/search/v1/search_pb.js";
import { catalog } from "../services/catalog/src/main.js";
import type { ServiceName } from "../services/lib/config.js";
import { badFields, Code, ERROR_DOMAIN, errorReason } from "../services/lib/errors.js";
import { money } from "../services/lib/money.js";
import { meshTransport } from "../services/lib/transport.js";
import { bearer, failure, startServices, suiteFixture, tokenFor } from "./harness.js";
import { DESK_LAMPS, startShop } from "./shop-fixture.js";

const SERVED: Record<ServiceName, DescService> = {
  catalog: CatalogService, search: SearchService, cart: CartService,
  inventory: InventoryService, order: OrderService, assignment: AssignmentService,
};

type ReflectionResponse = {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
};

/** A reflection client, as grpcurl is one: grpc-js with the reflection protocol's own .proto. */
class ReflectionClient {
  private readonly client: grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientDuplexStream<unknown, ReflectionResponse>>;

  constructor(url: string, version: "v1" | "v1alpha") {
    const dir = path.dirname(createRequire(import.meta.url).resolve("@grpc/reflection"));
    const definition = loadSync(path.join(dir, `../proto/grpc/reflection/${version}/reflection.proto`), { keepCase: false, longs: String, defaults: true, oneofs: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
    };
    const Ctor = loaded.grpc.reflection[version].ServerReflection;
    this.client = new Ctor(new URL(url).host, grpc.credentials.createInsecure()) as never;
  }

  /** One request on a reflection stream; its one answer. */
  ask(request: Record<string, unknown>): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const stream = this.client.serverReflectionInfo();
      stream.once("data", (res: ReflectionResponse) => {
        resolve(res);
        stream.end();
      });
      stream.once("error", reject);
      stream.write(request);
    });
  }

  async services(): Promise<string[]> {
    const res = await this.ask({ listServices: "*" });
    return (res.listServicesResponse?.service ?? []).map((s) => s.name);
  }

  /** The service as a generic client sees it: built from the files reflection returns, with their dependencies. */
  async describe(serviceName: string): Promise<DescService> {
    const res = await this.ask({ fileContainingSymbol: serviceName });
    if (res.errorResponse) throw new Error(`reflection: ${res.errorResponse.errorMessage}`);
    const files = res.fileDescriptorResponse!.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
    // The first file declares the symbol; the rest are its imports, in no particular order.
    const byName = new Map(files.map((f) => [f.name, f]));
    const registry = createFileRegistry(files[0], (name) => byName.get(name));
    const service = registry.getService(serviceName);
    if (!service) throw new Error(`reflection: ${serviceName} is not in the files it returned`);
    return service;
  }

  close(): void {
    this.client.close();
  }
}

describe("the mesh as a gRPC client meets it: reflection and error details", function () {
  const shop = suiteFixture(() => startShop());

  for (const version of ["v1", "v1alpha"] as const) {
    it(`lists every service's RPCs and health over grpc.reflection.${version}`, async () => {
      for (const [name, expected] of Object.entries(SERVED) as [ServiceName, DescService][]) {
        const reflection = new ReflectionClient(shop.services[name].url, version);
        try {
          expect(await reflection.services(), name).to.include.members([expected.typeName, Health.typeName]);
          const described = await reflection.describe(expected.typeName);
          expect(described.methods.map((m) => m.name), name).to.deep.equal(expected.methods.map((m) => m.name));
          // Request types resolve through the files' dependencies (shop.common.v1, google.protobuf...).
          for (const m of described.methods) expect(m.input.typeName, `${name} ${m.name}`).to.equal(expected.method[m.localName].input.typeName);
          expect((await reflection.describe(Health.typeName)).methods.map((m) => m.name)).to.deep.equal(Health.methods.map((m) => m.name));
        } finally {
          reflection.close();
        }
      }
    });
  }

  it("serves no reflection with GRPC_REFLECTION=false", async () => {
    const mesh = await startServices([catalog], { env: { GRPC_REFLECTION: "false" } });
    const reflection = new ReflectionClient(mesh.services.catalog.url, "v1");
    try {
      const err = await reflection.services().then(() => undefined, (e: grpc.ServiceError) => e);
      expect(err?.code).to.equal(grpc.status.UNIMPLEMENTED);
    } finally {
      reflection.close();
      await mesh.stop();
    }
  });

  const badItem = {
    sku: "BAD-PRICE-1", name: "Negative lamp", brand: "Acme", categoryId: DESK_LAMPS, description: "Costs less than nothing.",
    price: money(-1n, "USD"),
  };

  it("names the bad field of a CreateItem in a BadRequest detail over gRPC", async () => {
    const client = createClient(CatalogService, meshTransport(shop.services.catalog.url));
    const err = await failure(client.createItem(badItem, bearer(await tokenFor("admin"))));
    expect(err.code).to.equal(Code.InvalidArgument);
    expect(err.rawMessage).to.equal("price.minor_units: must not be negative");
    expect(badFields(err)).to.deep.equal(["price.minor_units"]);
  });

  const browserProtocols: [string, (baseUrl: string) => Transport][] = [
    ["Connect binary", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true })],
    ["Connect JSON", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false })],
    ["gRPC-Web", (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
  ];

  for (const [protocol, transport] of browserProtocols) {
    it(`passes the BadRequest of a bad CreateItem through the gateway (${protocol})`, async () => {
      const client = createClient(CatalogService, transport(shop.url));
      const err = await failure(client.createItem(badItem, bearer(shop.admin.token)));
      expect(err.code).to.equal(Code.InvalidArgument);
      expect(err.rawMessage).to.equal("price.minor_units: must not be negative");
      expect(badFields(err)).to.deep.equal(["price.minor_units"]);
    });

    it(`names the bad field of the gateway's own IdentityService in a BadRequest (${protocol})`, async () => {
      const identity = createClient(IdentityService, transport(shop.url));
      const err = await failure(identity.register({ email: "", password: "long-enough-password", displayName: "No Email" }));
      expect(err.code).to.equal(Code.InvalidArgument);
      expect(err.rawMessage).to.equal("email: is required");
      expect(badFields(err)).to.deep.equal(["email"]);
    });

    it(`keeps a refusal's ErrorInfo reason from the service behind the gateway (${protocol})`, async () => {
      const soldOut = await shop.newItem({ name: "Sold-out lamp", priceCents: 1999, stock: [] });
      const customer = await shop.newCustomer();
      // Cart asks Inventory for the stock, refuses, and the gateway passes the refusal to the browser.
      const cart = createClient(CartService, transport(shop.url));
      const err = await failure(cart.updateCartItemQuantity({ itemId: soldOut.id, quantity: 1 }, bearer(customer.token)));
      expect(err.code).to.equal(Code.FailedPrecondition);
      expect(err.rawMessage).to.equal(`item ${JSON.stringify(soldOut.id)} is out of stock`);
      const [info] = err.findDetails(ErrorInfoSchema);
      expect(info.reason).to.equal("OUT_OF_STOCK");
      expect(info.domain).to.equal(ERROR_DOMAIN);
      const missing = await failure(createClient(CatalogService, transport(shop.url)).getItem({ itemId: "00000000-0000-4000-8000-000000000000" }));
      expect(missing.code).to.equal(Code.NotFound);
      expect(errorReason(missing)).to.equal("ITEM_NOT_FOUND");
    });
  }
});
