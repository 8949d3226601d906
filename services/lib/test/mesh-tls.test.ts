// Mesh TLS settings: all three files or none, a start-up error naming the variable otherwise, and the process a
// certificate names (SAN URI first, then CN).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { identityOf, meshTlsFromEnv } from "../mesh-tls.js";
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
});
