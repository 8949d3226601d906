import { createHash, randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { expect } from "chai";
import { IdentityService } from "../../gen/shop/identity/v1/identity_pb.js";
import { freshDatabase, failure, testVerifier } from "../../test/harness.js";
import type { RunningGateway } from "../src/main.js";
import { fromAddress, gatewayClient, startTestGateway } from "./helpers.js";

const PASSWORD = "correct horse battery";

describe("refresh tokens and sign-out (IdentityService in the gateway)", () => {
  let gateway: RunningGateway;
  const verifier = testVerifier();

  before(async () => {
    gateway = await startTestGateway({
      databaseUrl: await freshDatabase(),
      env: {
        TRUST_PROXY: "true", ACCESS_TOKEN_TTL_SECONDS: "300", REFRESH_TOKEN_TTL_SECONDS: "86400", LOGIN_FAILURES_PER_ADDRESS: "5",
        // Replays are judged at once here; the grace has its own test.
        REFRESH_REUSE_GRACE_SECONDS: "0",
      },
    });
  });

  after(async () => {
    await gateway?.stop();
  });

  const identity = (headers: Record<string, string> = fromAddress()) => gatewayClient(IdentityService, gateway.url, headers);

  /** A new customer, signed in: the Register answer (access and refresh token). */
  async function signedUp() {
    return identity().register({ email: `r-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, displayName: "Rae Refresh" });
  }

  it("signs in with a short access token and a refresh token that expires much later", async () => {
    const address = `login-${randomUUID().slice(0, 8)}@example.com`;
    await identity().register({ email: address, password: PASSWORD, displayName: "Lou Login" });
    const res = await identity().login({ email: address, password: PASSWORD });
    expect(res.refreshToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    const refreshTtl = timestampDate(res.refreshExpireTime!).getTime() - Date.now();
    expect(refreshTtl).to.be.within(86_390_000, 86_400_000);
    expect(timestampDate(res.expireTime!).getTime() - Date.now()).to.be.within(290_000, 300_000);
  });

  it("exchanges a refresh token for a new access token the mesh accepts and a new refresh token", async () => {
    const first = await signedUp();
    const next = await identity().refresh({ refreshToken: first.refreshToken });
    expect(next.user?.id).to.equal(first.user!.id);
    expect(next.refreshToken).not.to.equal(first.refreshToken);
    expect(await verifier.verify(next.accessToken)).to.include({ subject: first.user!.id, role: "customer" });
    const me = await identity({ authorization: `Bearer ${next.accessToken}` }).me({});
    expect(me.user?.id).to.equal(first.user!.id);
    // And the chain goes on.
    const third = await identity().refresh({ refreshToken: next.refreshToken });
    expect(third.user?.id).to.equal(first.user!.id);
  });

  it("revokes the whole family when a used refresh token comes back: the newer token stops working too", async () => {
    const first = await signedUp();
    const second = await identity().refresh({ refreshToken: first.refreshToken });
    const replay = await failure(identity().refresh({ refreshToken: first.refreshToken }));
    expect(replay.code).to.equal(Code.Unauthenticated);
    const after = await failure(identity().refresh({ refreshToken: second.refreshToken }));
    expect(after.code).to.equal(Code.Unauthenticated);
    const rows: { revoked: boolean }[] = await gateway.db.query(
      `SELECT revoked FROM identity.refresh_tokens WHERE user_id = $1`, [first.user!.id]);
    expect(rows.map((r) => r.revoked)).to.deep.equal([true, true]);
  });

  it("leaves the user's other sign-ins alone when one family is revoked", async () => {
    const first = await signedUp();
    const otherDevice = await identity().login({ email: first.user!.email, password: PASSWORD });
    await identity().logout({ refreshToken: first.refreshToken });
    expect((await identity().refresh({ refreshToken: otherDevice.refreshToken })).user?.id).to.equal(first.user!.id);
  });

  it("lets exactly one of two simultaneous refreshes with the same token through", async () => {
    const first = await signedUp();
    const results = await Promise.allSettled([1, 2].map(() => identity().refresh({ refreshToken: first.refreshToken })));
    expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
  });

  it("signs out for real: after Logout the refresh token and its successors are refused", async () => {
    const first = await signedUp();
    const second = await identity().refresh({ refreshToken: first.refreshToken });
    await identity().logout({ refreshToken: second.refreshToken });
    expect((await failure(identity().refresh({ refreshToken: second.refreshToken }))).code).to.equal(Code.Unauthenticated);
    // Logging out again, or with a token nobody issued, is not an error (the shopper is signed out either way).
    await identity().logout({ refreshToken: second.refreshToken });
    await identity().logout({ refreshToken: "never-issued" });
  });

  it("stores only the SHA-256 of a refresh token", async () => {
    const res = await signedUp();
    const rows: { token_hash: Buffer }[] = await gateway.db.query(
      `SELECT token_hash FROM identity.refresh_tokens WHERE user_id = $1`, [res.user!.id]);
    expect(rows).to.have.length(1);
    expect(rows[0].token_hash.equals(createHash("sha256").update(res.refreshToken).digest())).to.equal(true);
    const dump: { t: string }[] = await gateway.db.query(`SELECT row_to_json(r)::text AS t FROM identity.refresh_tokens r`);
    expect(dump.some((r) => r.t.includes(res.refreshToken))).to.equal(false);
  });

  it("gives new tokens for a used token sent again within the grace (an answer lost in flight), and revokes after it", async function () {
    this.timeout(20_000);
    const graceful = await startTestGateway({ databaseUrl: (gateway.db.options as { url: string }).url, env: { TRUST_PROXY: "true", REFRESH_REUSE_GRACE_SECONDS: "2" } });
    try {
      const client = () => gatewayClient(IdentityService, graceful.url, fromAddress());
      const first = await client().register({ email: `g-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, displayName: "Grace Period" });
      const lost = await client().refresh({ refreshToken: first.refreshToken });
      const again = await client().refresh({ refreshToken: first.refreshToken });
      expect(again.user?.id).to.equal(first.user!.id);
      expect(again.refreshToken).not.to.equal(lost.refreshToken);
      await new Promise((r) => setTimeout(r, 2_200));
      expect((await failure(client().refresh({ refreshToken: first.refreshToken }))).code).to.equal(Code.Unauthenticated);
      for (const t of [lost.refreshToken, again.refreshToken]) {
        expect((await failure(client().refresh({ refreshToken: t }))).code).to.equal(Code.Unauthenticated);
      }
    } finally {
      await graceful.stop();
    }
  });

  it("refuses an expired refresh token", async function () {
    this.timeout(20_000);
    const short = await startTestGateway({ databaseUrl: (gateway.db.options as { url: string }).url, env: { TRUST_PROXY: "true", REFRESH_TOKEN_TTL_SECONDS: "1" } });
    try {
      const res = await gatewayClient(IdentityService, short.url, fromAddress())
        .register({ email: `x-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, displayName: "Short Lived" });
      await new Promise((r) => setTimeout(r, 1_200));
      const err = await failure(gatewayClient(IdentityService, short.url, fromAddress()).refresh({ refreshToken: res.refreshToken }));
      expect(err.code).to.equal(Code.Unauthenticated);
    } finally {
      await short.stop();
    }
  });

  it("answers a missing refresh token with InvalidArgument naming the field", async () => {
    for (const call of [identity().refresh({ refreshToken: "" }), identity().logout({ refreshToken: "" })]) {
      const err = await failure(call);
      expect(err.code).to.equal(Code.InvalidArgument);
      expect(err.rawMessage).to.match(/refresh_token/);
    }
  });

  it("limits failed refreshes per client address", async () => {
    const headers = fromAddress();
    for (let i = 0; i < 5; i++) {
      expect((await failure(identity(headers).refresh({ refreshToken: `guess-${i}` }))).code).to.equal(Code.Unauthenticated);
    }
    const real = await signedUp();
    expect((await failure(identity(headers).refresh({ refreshToken: real.refreshToken }))).code).to.equal(Code.ResourceExhausted);
    // The token was not used up by the refused attempt: from another address it still works.
    expect((await identity().refresh({ refreshToken: real.refreshToken })).user?.id).to.equal(real.user!.id);
  });
});
