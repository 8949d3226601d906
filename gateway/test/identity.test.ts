import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { expect } from "chai";
import { IdentityService, Role } from "../../gen/shop/identity/v1/identity_pb.js";
import { unknownKeySigner } from "../../test/forged-tokens.js";
import { freshDatabase, failure, testKeys, testVerifier } from "../../test/harness.js";
import { ensureAccount } from "../src/identity/accounts.js";
import type { RunningGateway } from "../src/main.js";
import { fromAddress, gatewayClient, startTestGateway } from "./helpers.js";

const PASSWORD = "correct horse battery";

const email = () => `shopper-${randomUUID().slice(0, 8)}@Example.com`;

describe("identity (IdentityService in the gateway)", () => {
  let gateway: RunningGateway;
  let databaseUrl: string;
  const verifier = testVerifier();

  before(async () => {
    databaseUrl = await freshDatabase();
    gateway = await startTestGateway({
      databaseUrl,
      env: {
        TRUST_PROXY: "true",
        ADMIN_EMAIL: "root@shop.test",
        ADMIN_PASSWORD: "first-admin-password",
        ACCESS_TOKEN_TTL_SECONDS: "600",
        LOGIN_FAILURES_PER_EMAIL: "3",
        LOGIN_FAILURES_PER_ADDRESS: "8",
        RATE_LIMIT_PER_USER: "5",
        REGISTRATIONS_PER_ADDRESS: "4",
      },
    });
  });

  after(async () => {
    await gateway?.stop();
  });

  it("registers a customer and signs them in with a short-lived token the mesh accepts", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const address = email();
    const res = await client.register({ email: address, password: PASSWORD, displayName: "  Ada Shopper " });
    expect(res.user?.email).to.equal(address.toLowerCase());
    expect(res.user?.displayName).to.equal("Ada Shopper");
    expect(res.user?.role).to.equal(Role.CUSTOMER);
    const principal = await verifier.verify(res.accessToken);
    expect(principal).to.include({ subject: res.user!.id, role: "customer" });
    const ttl = timestampDate(res.expireTime!).getTime() - Date.now();
    expect(ttl).to.be.within(590_000, 600_000);

    const me = await gatewayClient(IdentityService, gateway.url, { authorization: `Bearer ${res.accessToken}` }).me({});
    expect(me.user?.id).to.equal(res.user!.id);
  });

  it("stores a scrypt hash, never the password", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const address = email();
    await client.register({ email: address, password: PASSWORD, displayName: "Hash Check" });
    const rows: { password_hash: string }[] = await gateway.db.query(
      `SELECT password_hash FROM identity.users WHERE email = $1`, [address.toLowerCase()]);
    expect(rows[0].password_hash).to.match(/^scrypt\$15\$8\$1\$/);
    expect(rows[0].password_hash).not.to.contain(PASSWORD);
  });

  it("names the field of bad registration input", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const cases: [Parameters<typeof client.register>[0], string][] = [
      [{ email: "not-an-email", password: PASSWORD, displayName: "X" }, "email"],
      [{ email: "", password: PASSWORD, displayName: "X" }, "email"],
      [{ email: email(), password: "short", displayName: "X" }, "password"],
      [{ email: email(), password: "p".repeat(201), displayName: "X" }, "password"],
      [{ email: email(), password: PASSWORD, displayName: "   " }, "display_name"],
      [{ email: email(), password: PASSWORD, displayName: "n".repeat(101) }, "display_name"],
    ];
    for (const [req, field] of cases) {
      const err = await failure(client.register(req));
      expect(err.code, field).to.equal(Code.InvalidArgument);
      expect(err.rawMessage.startsWith(`${field}:`), err.rawMessage).to.equal(true);
    }
  });

  it("answers AlreadyExists for a taken email, whatever its case", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const address = email();
    await client.register({ email: address, password: PASSWORD, displayName: "First" });
    const err = await failure(client.register({ email: address.toUpperCase(), password: PASSWORD, displayName: "Second" }));
    expect(err.code).to.equal(Code.AlreadyExists);
    expect(err.rawMessage).to.match(/^email:/);
  });

  it("signs in with the right password and refuses a wrong email or password with one message", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const address = email();
    await client.register({ email: address, password: PASSWORD, displayName: "Login" });
    const ok = await client.login({ email: address.toUpperCase(), password: PASSWORD });
    expect((await verifier.verify(ok.accessToken)).role).to.equal("customer");

    const timed = async (req: { email: string; password: string }) => {
      const t = performance.now();
      const err = await failure(client.login(req));
      return { err, ms: performance.now() - t };
    };
    const wrongPassword = await timed({ email: address, password: "wrong password!" });
    const wrongEmail = await timed({ email: email(), password: PASSWORD });
    expect(wrongPassword.err.code).to.equal(Code.Unauthenticated);
    expect(wrongEmail.err.code).to.equal(Code.Unauthenticated);
    expect(wrongEmail.err.rawMessage).to.equal(wrongPassword.err.rawMessage);
    // An unknown email pays for a hash too, so the answer does not come back faster.
    expect(wrongEmail.ms).to.be.greaterThan(wrongPassword.ms * 0.5);
  });

  it("locks sign-in for an email from an address after repeated failures, even with the right password", async () => {
    const headers = fromAddress();
    const client = gatewayClient(IdentityService, gateway.url, headers);
    const address = email();
    await client.register({ email: address, password: PASSWORD, displayName: "Locked" });
    for (let i = 0; i < 3; i++) {
      expect((await failure(client.login({ email: address, password: "wrong password!" }))).code).to.equal(Code.Unauthenticated);
    }
    const locked = await failure(client.login({ email: address, password: PASSWORD }));
    expect(locked.code).to.equal(Code.ResourceExhausted);
    expect(locked.rawMessage).to.match(/too many failed sign-in attempts; try again in \d+ (seconds|minutes)/);
    // The same account from another address is not locked out by someone else's guesses.
    const elsewhere = await gatewayClient(IdentityService, gateway.url, fromAddress()).login({ email: address, password: PASSWORD });
    expect(elsewhere.user?.email).to.equal(address.toLowerCase());
  });

  it("limits failed sign-ins from one address across emails (password spraying)", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const codes: Code[] = [];
    for (let i = 0; i < 10; i++) codes.push((await failure(client.login({ email: email(), password: "guess-password" }))).code);
    expect(codes.slice(0, 8).every((c) => c === Code.Unauthenticated)).to.equal(true);
    expect(codes.slice(8)).to.deep.equal([Code.ResourceExhausted, Code.ResourceExhausted]);
  });

  it("limits new accounts per address", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    for (let i = 0; i < 4; i++) await client.register({ email: email(), password: PASSWORD, displayName: `Bulk ${i}` });
    const err = await failure(client.register({ email: email(), password: PASSWORD, displayName: "One too many" }));
    expect(err.code).to.equal(Code.ResourceExhausted);
  });

  it("rate-limits each signed-in user, independently of other users", async () => {
    const anon = gatewayClient(IdentityService, gateway.url, fromAddress());
    const a = await anon.register({ email: email(), password: PASSWORD, displayName: "Busy" });
    const b = await anon.register({ email: email(), password: PASSWORD, displayName: "Calm" });
    const busy = gatewayClient(IdentityService, gateway.url, { ...fromAddress(), authorization: `Bearer ${a.accessToken}` });
    for (let i = 0; i < 5; i++) await busy.me({});
    expect((await failure(busy.me({}))).code).to.equal(Code.ResourceExhausted);
    const calm = gatewayClient(IdentityService, gateway.url, { ...fromAddress(), authorization: `Bearer ${b.accessToken}` });
    expect((await calm.me({})).user?.id).to.equal(b.user!.id);
  });

  it("creates the first admin from configuration, once", async () => {
    const client = gatewayClient(IdentityService, gateway.url, fromAddress());
    const res = await client.login({ email: "root@shop.test", password: "first-admin-password" });
    expect(res.user?.role).to.equal(Role.ADMIN);
    expect((await verifier.verify(res.accessToken)).role).to.equal("admin");
    const again = await ensureAccount(gateway.db, { email: "ROOT@shop.test", password: "another-password", displayName: "x", role: "admin" });
    expect(again.created).to.equal(false);
  });

  it("signs a warehouse user in with a token bound to their warehouse", async () => {
    const warehouseId = randomUUID();
    const address = email();
    await ensureAccount(gateway.db, { email: address, password: PASSWORD, displayName: "Picker", role: "warehouse", warehouseId });
    const res = await gatewayClient(IdentityService, gateway.url, fromAddress()).login({ email: address, password: PASSWORD });
    expect(res.user?.role).to.equal(Role.WAREHOUSE);
    expect(res.user?.warehouseId).to.equal(warehouseId);
    expect(await verifier.verify(res.accessToken)).to.include({ role: "warehouse", warehouseId });
  });

  it("answers Me without a token, or with a forged or expired one, with Unauthenticated", async () => {
    const anon = gatewayClient(IdentityService, gateway.url, fromAddress());
    expect((await failure(anon.me({}))).code).to.equal(Code.Unauthenticated);
    const forged = await unknownKeySigner().sign({ subject: randomUUID(), role: "admin" }, 3600);
    const expired = await testKeys().users.sign({ subject: randomUUID(), role: "customer" }, -60);
    for (const token of [forged, expired, "garbage"]) {
      const err = await failure(gatewayClient(IdentityService, gateway.url, { ...fromAddress(), authorization: `Bearer ${token}` }).me({}));
      expect(err.code).to.equal(Code.Unauthenticated);
    }
  });

  it("rate-limits each client address, counting calls before their token is checked", async () => {
    const tight = await startTestGateway({ databaseUrl, env: { TRUST_PROXY: "true", RATE_LIMIT_PER_ADDRESS: "3" } });
    try {
      const headers = fromAddress();
      const bad = gatewayClient(IdentityService, tight.url, { ...headers, authorization: "Bearer not-a-token" });
      for (let i = 0; i < 3; i++) expect((await failure(bad.me({}))).code).to.equal(Code.Unauthenticated);
      const err = await failure(gatewayClient(IdentityService, tight.url, headers).login({ email: email(), password: PASSWORD }));
      expect(err.code).to.equal(Code.ResourceExhausted);
      expect(err.rawMessage).to.match(/too many requests from your network; try again in \d+ seconds/);
      // Another address is not affected.
      expect((await failure(gatewayClient(IdentityService, tight.url, fromAddress()).me({}))).code).to.equal(Code.Unauthenticated);
    } finally {
      await tight.stop();
    }
  });

  it("keeps answering when Redis is down (limits relaxed, never failed requests)", async () => {
    const noRedis = await startTestGateway({ databaseUrl, env: { REDIS_URL: "redis://127.0.0.1:1", TRUST_PROXY: "true" } });
    try {
      const client = gatewayClient(IdentityService, noRedis.url, fromAddress());
      const res = await client.register({ email: email(), password: PASSWORD, displayName: "No Redis" });
      expect((await failure(client.login({ email: res.user!.email, password: "wrong password!" }))).code).to.equal(Code.Unauthenticated);
      expect((await client.login({ email: res.user!.email, password: PASSWORD })).user?.id).to.equal(res.user!.id);
    } finally {
      await noRedis.stop();
    }
  });
});

describe("storefront files", () => {
  let gateway: RunningGateway;

  before(async () => {
    gateway = await startTestGateway({ databaseUrl: await freshDatabase() });
  });

  after(async () => {
    await gateway?.stop();
  });

  it("serves the app at / and every client-side route, with a strict content security policy", async () => {
    for (const path of ["/", "/cart", "/item/0b7c1f6e-1111-4111-8111-111111111111", "/orders?page=2"]) {
      const res = await fetch(`${gateway.url}${path}`);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get("content-type")).to.contain("text/html");
      expect(res.headers.get("content-security-policy")).to.contain("script-src 'self'");
      expect(await res.text()).to.contain(`src="/assets/app.js"`);
    }
  });

  it("serves the bundled script and styles, and 404 for unknown assets", async () => {
    const js = await fetch(`${gateway.url}/assets/app.js`);
    expect(js.status).to.equal(200);
    expect(js.headers.get("content-type")).to.contain("javascript");
    const etag = js.headers.get("etag")!;
    expect((await fetch(`${gateway.url}/assets/app.js`, { headers: { "if-none-match": etag } })).status).to.equal(304);
    expect((await fetch(`${gateway.url}/assets/styles.css`)).status).to.equal(200);
    const raw = await fetch(`${gateway.url}/assets/app.js`, { headers: { "accept-encoding": "gzip" } });
    expect(raw.headers.get("content-encoding")).to.equal("gzip"); // fetch decodes it transparently
    expect((await raw.text()).length).to.equal((await (await fetch(`${gateway.url}/assets/app.js`, { headers: { "accept-encoding": "identity" } })).text()).length);
    expect((await fetch(`${gateway.url}/assets/nope.js`)).status).to.equal(404);
  });

  it("leaves RPC paths to the RPC router", async () => {
    const res = await fetch(`${gateway.url}/shop.identity.v1.IdentityService/Me`, {
      method: "POST", headers: { "content-type": "application/json" }, body: "{}",
    });
    expect(res.status).to.equal(401);
    expect((await res.json()).code).to.equal("unauthenticated");
  });
});
