// Mesh TLS settings: all three files or none, a start-up error naming the variable otherwise, the process a
// certificate names (SAN URI first, then CN), and a client of two replicas (an ipv4: target) verifying both.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createClient } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { identityOf, meshTlsFromEnv, serverCredentials } from "../mesh-tls.js";
import { channelTarget, meshTransport } from "../transport.js";
import { testCertificates } from "../../../test/harness.js";

describe("mesh TLS settings", () => {
  it("is off without TLS_CA, TLS_CERT and TLS_KEY", () => {
    expect(meshTlsFromEnv({})).to.equal(undefined);
  });

  it("refuses some of the settings without the others, naming what is missing", () => {
    expect(() => meshTlsFromEnv({ TLS_CA: "/x/ca.crt", TLS_CERT: "/x/a.crt" })).to.throw(/TLS_KEY not set/);
    expect(() => meshTlsFromEnv({ TLS_KEY: "/x/a.key" })).to.throw(/TLS_CA, TLS_CERT not set/);
  });

  it("names the variable whose file cannot be read or is not a certificate", async () => {
    const env = (await testCertificates()).envFor("order");
    expect(() => meshTlsFromEnv({ ...env, TLS_CA: "/nonexistent/ca.crt" })).to.throw(/^TLS_CA: cannot read/);
    const junk = join(mkdtempSync(join(tmpdir(), "tls-junk-")), "junk.crt");
    writeFileSync(junk, "not a certificate");
    expect(() => meshTlsFromEnv({ ...env, TLS_CERT: junk })).to.throw(/^TLS_CERT: .* is not a PEM certificate/);
  });

  it("reads the process a certificate names", async () => {
    expect(meshTlsFromEnv((await testCertificates()).envFor("order"))?.identity).to.equal("order");
    expect(identityOf({ subjectaltname: "DNS:order, URI:spiffe://shop-mesh/inventory", subject: { CN: "x" } })).to.equal("inventory");
    // Another trust domain's URI is not a name of this mesh: the CN decides.
    expect(identityOf({ subjectaltname: "URI:spiffe://elsewhere/order", subject: { CN: "cart" } })).to.equal("cart");
    expect(identityOf({ subject: "O=shop\nCN=gateway" })).to.equal("gateway");
    expect(identityOf({ subjectaltname: "DNS:localhost" })).to.equal(undefined);
  });

  it("verifies every replica of a comma-separated address (ipv4: target) against its certificate, calling both", async () => {
    const certs = await testCertificates();
    const answered: number[] = [];
    const servers = await Promise.all([0, 1].map(async (replica) => {
      const server = new grpc.Server();
      server.register("/grpc.health.v1.Health/Check", (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
        answered.push(replica);
        done(null, Buffer.from([0x08, 0x01])); // status: SERVING
      }, (b: Buffer) => b, (b: Buffer) => b, "unary");
      const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0",
        serverCredentials(meshTlsFromEnv(certs.envFor("inventory"))), (err, p) => (err ? reject(err) : resolve(p))));
      return { server, port };
    }));
    try {
      const hosts = servers.map((s) => `127.0.0.1:${s.port}`);
      const addr = hosts.map((h) => `http://${h}`).join(",");
      expect(channelTarget(addr)).to.equal(`ipv4:${hosts.join(",")}`);
      const health = createClient(Health, meshTransport(addr, 5000, meshTlsFromEnv(certs.envFor("gateway"))));
      for (let i = 0; i < 4; i++) expect((await health.check({})).status).to.equal(1);
      expect(new Set(answered)).to.deep.equal(new Set([0, 1]));
    } finally {
      for (const s of servers) s.server.forceShutdown();
    }
  });
});
