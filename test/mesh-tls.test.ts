// Mutual TLS between the processes of the mesh: the whole shop in-process with certificates from the harness's
// CA. Who may connect (a certificate from the mesh's CA, nothing else), who may call mesh-only RPCs (the process
// their certificates name, per mesh-access.ts; never a customer, never the gateway on its own account), and an
// order placed end to end over TLS.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { AssignmentService } from "../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { InventoryService } from "../gen/shop/inventory/v1/inventory_pb.js";
import { ensureMeshCertificates, type MeshCertificates } from "../deploy/mesh-certs.js";
import { meshTlsFromEnv, type MeshTls } from "../services/lib/mesh-tls.js";
import { meshTransport } from "../services/lib/transport.js";
import { bearer, failure, testCertificates, tokenFor } from "./harness.js";
import { startShop, type Shop } from "./shop-fixture.js";

describe("mesh TLS", function () {
  this.timeout(180_000);
  let shop: Shop;
  let certs: MeshCertificates;
  let inventoryUrl: string;
  /** A client of a service presenting the certificate of `as`. */
  const asProcess = <T extends typeof InventoryService | typeof CartService | typeof AssignmentService>(service: T, url: string, tls: MeshTls | undefined) =>
    createClient(service, meshTransport(url, 10_000, tls));
  const tlsOf = (name: string) => meshTlsFromEnv(certs.envFor(name))!;

  before(async () => {
    certs = await testCertificates();
    shop = await startShop({ tls: certs, warehouses: 2 });
    inventoryUrl = shop.services.inventory.url;
  });
  after(async () => {
    await shop?.stop();
  });

  /** A health check over raw grpc-js with the given channel credentials: resolves with the status code. */
  const healthWith = (credentials: grpc.ChannelCredentials) => new Promise<grpc.status>((resolve) => {
    const client = new grpc.Client(new URL(inventoryUrl).host, credentials);
    client.makeUnaryRequest("/grpc.health.v1.Health/Check", (m: Uint8Array) => Buffer.from(m), (b: Buffer) => b,
      toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, {})), { deadline: Date.now() + 5000 }, (err) => {
        client.close();
        resolve(err ? err.code : grpc.status.OK);
      });
  });

  it("answers a caller presenting a certificate of the mesh's CA", async () => {
    const { ca, key, cert } = tlsOf("gateway");
    expect(await healthWith(grpc.credentials.createSsl(ca, key, cert))).to.equal(grpc.status.OK);
  });

  it("refuses a connection without a client certificate", async () => {
    expect(await healthWith(grpc.credentials.createSsl(tlsOf("gateway").ca))).to.equal(grpc.status.UNAVAILABLE);
  });

  it("refuses a cleartext connection", async () => {
    expect(await healthWith(grpc.credentials.createInsecure())).to.equal(grpc.status.UNAVAILABLE);
  });

  it("refuses a certificate from another CA, even one naming a service of the mesh", async () => {
    const foreign = await ensureMeshCertificates(mkdtempSync(join(tmpdir(), "shop-foreign-ca-")), ["order"], "another CA");
    const rogue = meshTlsFromEnv(foreign.envFor("order"))!;
    // It trusts the mesh's CA, so only the server's check of the client certificate can refuse it.
    expect(await healthWith(grpc.credentials.createSsl(tlsOf("order").ca, rogue.key, rogue.cert))).to.equal(grpc.status.UNAVAILABLE);
  });

  it("lets the process a mesh-only RPC is reserved for call it on its certificate alone", async () => {
    const res = await asProcess(InventoryService, inventoryUrl, tlsOf("order")).release({ checkoutId: randomUUID() })
      .catch((err) => err);
    // Not an access error: Inventory looked for the checkout (there is none).
    expect(res.code).to.equal(Code.NotFound);
  });

  it("refuses a mesh-only RPC to a service whose certificate names another service", async () => {
    const err = await failure(asProcess(InventoryService, inventoryUrl, tlsOf("cart")).reserve({ checkoutId: randomUUID(), lines: [] }));
    expect(err.code).to.equal(Code.PermissionDenied);
    expect(err.rawMessage).to.contain("spiffe://shop-mesh/cart").and.contain("InventoryService/Reserve");
    const alloc = await failure(asProcess(InventoryService, inventoryUrl, tlsOf("order")).allocateOrder({ orderId: randomUUID(), allocations: [] }));
    expect(alloc.code).to.equal(Code.PermissionDenied);
    const cancel = await failure(asProcess(AssignmentService, shop.services.assignment.url, tlsOf("search")).cancelOrderAssignment({ orderId: randomUUID() }));
    expect(cancel.code).to.equal(Code.PermissionDenied);
  });

  it("refuses a mesh-only RPC called with a customer token, directly or through the gateway", async () => {
    const customer = await shop.newCustomer("Mallory");
    const direct = await failure(asProcess(InventoryService, inventoryUrl, tlsOf("gateway"))
      .reserve({ checkoutId: randomUUID(), lines: [] }, bearer(customer.token)));
    expect(direct.code).to.equal(Code.PermissionDenied);
    // Even over the certificate of the process the RPC is reserved for: the token names the caller.
    const withOrderCert = await failure(asProcess(InventoryService, inventoryUrl, tlsOf("order"))
      .commit({ checkoutId: randomUUID(), orderId: randomUUID() }, bearer(customer.token)));
    expect(withOrderCert.code).to.equal(Code.PermissionDenied);
    const viaGateway = await failure(shop.client(CartService, customer.token).clearCart({ userId: randomUUID() }));
    expect(viaGateway.code).to.equal(Code.PermissionDenied);
  });

  it("gives the gateway's certificate no rights of its own: a call through it without a token is anonymous", async () => {
    const viaGateway = await failure(shop.client(CartService).clearCart({ userId: randomUUID() }));
    expect(viaGateway.code).to.equal(Code.Unauthenticated);
    const direct = await failure(asProcess(InventoryService, inventoryUrl, tlsOf("gateway")).release({ checkoutId: randomUUID() }));
    expect(direct.code).to.equal(Code.Unauthenticated);
  });

  it("refuses service tokens over TLS: the certificate is the service's identity", async () => {
    const token = await tokenFor("service", "service:order");
    const viaGateway = await failure(shop.client(CartService, token).clearCart({ userId: randomUUID() }));
    expect(viaGateway.code).to.equal(Code.Unauthenticated);
    const direct = await failure(asProcess(InventoryService, inventoryUrl, tlsOf("order")).release({ checkoutId: randomUUID() }, bearer(token)));
    expect(direct.code).to.equal(Code.Unauthenticated);
  });

  it("places, assigns and clears the cart of a whole order with every mesh call over mutual TLS", async () => {
    const item = await shop.newItem({ name: "TLS lamp", priceCents: 2500, stock: [[0, 3], [1, 3]] });
    const customer = await shop.newCustomer("Tess");
    const placed = await shop.placeOrder(customer, [[item.id, 2]]);
    expect(placed.id).to.be.a("string").and.not.empty;
    const shipments = await shop.assigned(placed.id);
    expect(shipments.reduce((n, wo) => n + wo.lines.reduce((m, l) => m + l.quantity, 0), 0)).to.equal(2);
    const cart = await shop.client(CartService, customer.token).getCart({});
    expect(cart.cart?.lines ?? []).to.have.length(0);
  });
});
