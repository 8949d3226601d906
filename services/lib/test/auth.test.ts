import { Code } from "@connectrpc/connect";
import { expect } from "chai";
import { TokenVerifier } from "../auth.js";
import { failure } from "../../../test/harness.js";

describe("TokenVerifier", () => {
  const verifier = new TokenVerifier("unit-test-secret-unit-test-secret");

  it("remembers a verified token only until it expires", async function () {
    this.timeout(5_000);
    const token = await verifier.mint({ subject: "u-1", role: "customer" }, 1);
    expect((await verifier.verify(token)).subject).to.equal("u-1");
    expect((await verifier.verify(token)).subject).to.equal("u-1"); // the remembered answer
    await new Promise((r) => setTimeout(r, 2_100));
    const err = await failure(verifier.verify(token));
    expect(err.code).to.equal(Code.Unauthenticated);
    expect(err.rawMessage).to.match(/expired/);
  });

  it("refuses a token signed with another secret even after the same caller's real token was remembered", async () => {
    const real = await verifier.mint({ subject: "u-2", role: "admin" });
    await verifier.verify(real);
    const forged = await new TokenVerifier("another-secret-another-secret-xx").mint({ subject: "u-2", role: "admin" });
    expect((await failure(verifier.verify(forged))).code).to.equal(Code.Unauthenticated);
    const tampered = real.slice(0, -2) + (real.endsWith("AA") ? "BB" : "AA");
    expect((await failure(verifier.verify(tampered))).code).to.equal(Code.Unauthenticated);
  });
});
