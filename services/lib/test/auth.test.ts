import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { expect } from "chai";
import { ServiceCredentials, TokenVerifier } from "../auth.js";
import { ensureKeyFiles, KeyRing, rotateKeyFiles, TokenSigner } from "../keys.js";
import { failure } from "../../../test/harness.js";
import { unknownKeySigner } from "../../../test/forged-tokens.js";

/** Fresh key files, a signer as identity has it and a verifier as a service has it. */
function keysInTempDir() {
  const files = ensureKeyFiles(join(mkdtempSync(join(tmpdir(), "auth-test-")), "keys"));
  const verifier = new TokenVerifier({
    users: new KeyRing(files.jwksFile, "AUTH_JWKS_FILE", false),
    services: new KeyRing(files.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE", true),
  });
  return { files, verifier, signer: () => TokenSigner.fromFile(files.signingKeysFile, "AUTH_SIGNING_KEYS_FILE") };
}

describe("TokenVerifier", () => {
  const { verifier, signer } = keysInTempDir();

  it("remembers a verified token only until it expires", async function () {
    this.timeout(5_000);
    const token = await signer().sign({ subject: "u-1", role: "customer" }, 1);
    expect((await verifier.verify(token)).subject).to.equal("u-1");
    expect((await verifier.verify(token)).subject).to.equal("u-1"); // the remembered answer
    await new Promise((r) => setTimeout(r, 2_100));
    const err = await failure(verifier.verify(token));
    expect(err.code).to.equal(Code.Unauthenticated);
    expect(err.rawMessage).to.match(/expired/);
  });

  it("refuses a token signed by another key even after the same caller's real token was remembered", async () => {
    const real = await signer().sign({ subject: "u-2", role: "admin" }, 3600);
    await verifier.verify(real);
    const forged = await unknownKeySigner().sign({ subject: "u-2", role: "admin" }, 3600);
    expect((await failure(verifier.verify(forged))).rawMessage).to.match(/unknown key/);
    const tampered = real.slice(0, -2) + (real.endsWith("AA") ? "BB" : "AA");
    expect((await failure(verifier.verify(tampered))).code).to.equal(Code.Unauthenticated);
  });

  it("refuses a user-key token with the service role: identity never signs one", async () => {
    const token = await signer().sign({ subject: "service:order", role: "service" }, 3600);
    expect((await failure(verifier.verify(token))).code).to.equal(Code.Unauthenticated);
  });

  it("keeps tokens of the previous key valid across a rotation and refuses them once the key is retired", async function () {
    this.timeout(15_000);
    const { files, verifier: v, signer: s } = keysInTempDir();
    const service = new ServiceCredentials("order", TokenSigner.fromFile(files.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE"));
    const serviceBefore = (await service.headers()).authorization;
    const before = await s().sign({ subject: "u-3", role: "customer" }, 3600);
    expect((await v.verify(before)).subject).to.equal("u-3");
    rotateKeyFiles(files, { retire: false });
    // A token of the new key names a kid the verifier has not seen: it re-reads the file and accepts it.
    const after = await s().sign({ subject: "u-4", role: "customer" }, 3600);
    expect((await v.verify(after)).subject).to.equal("u-4");
    expect((await v.verify(before)).subject).to.equal("u-3");
    // Another rotation with --retire: the first key is older than the newest previous one, so it goes.
    rotateKeyFiles(files, { retire: true });
    // `before` is remembered as verified; within the file check interval (5 s) the verifier notices the change
    // and forgets it.
    await new Promise((r) => setTimeout(r, 5_100));
    expect((await failure(v.verify(before))).rawMessage).to.match(/unknown key/);
    expect((await v.verify(after)).subject).to.equal("u-4");
    const latest = await s().sign({ subject: "u-5", role: "customer" }, 3600);
    expect((await v.verify(latest)).subject).to.equal("u-5");
    // A service re-signs its own token as soon as it sees the mesh key rotate, not half an hour later.
    const serviceAfter = (await service.headers()).authorization;
    expect(serviceAfter).not.to.equal(serviceBefore);
    expect(await v.verify(serviceAfter.slice("Bearer ".length))).to.include({ role: "service", subject: "service:order" });
    expect((await failure(v.verify(serviceBefore.slice("Bearer ".length)))).code).to.equal(Code.Unauthenticated);
  });

  it("names the missing setting when a process has no keys", () => {
    const config = { auth: {} } as Parameters<typeof TokenVerifier.fromConfig>[0];
    expect(() => TokenVerifier.fromConfig(config, { acceptServices: false })).to.throw(/AUTH_JWKS_FILE is not set/);
  });
});
