// Property tests: malformed and random requests to every Catalog RPC, typed and as raw bytes over gRPC (the
// only protocol services speak; Connect and gRPC-Web end at the gateway). Never a crash, never Internal/Unknown; InvalidArgument names the field; a refused request
// changes nothing (items, versions, outbox).
import http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import fc from "fast-check";
import { ItemStatus } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../lib/money.js";
import { newItem, startCatalog } from "./helpers.js";
import { suiteFixture } from "../../../test/harness.js";

const RUNS = 200;
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** Request fields an InvalidArgument message may start with, per RPC. */
const FIELDS: Record<string, string[]> = {
  CreateItem: ["sku", "name", "description", "brand", "category_id", "price", "image_url", "attributes"],
  UpdateItem: ["item_id", "expected_version", "name", "description", "brand", "category_id", "price", "image_url", "attributes"],
  ArchiveItem: ["item_id"],
  GetItem: ["item_id"],
  BatchGetItems: ["item_ids"],
  ListItems: ["category_id", "page_size", "page_token"],
  ListCategories: ["parent_id"],
};

const CODE_NAMES: Record<string, Code> = {
  canceled: Code.Canceled, unknown: Code.Unknown, invalid_argument: Code.InvalidArgument, deadline_exceeded: Code.DeadlineExceeded,
  not_found: Code.NotFound, already_exists: Code.AlreadyExists, permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted, failed_precondition: Code.FailedPrecondition, aborted: Code.Aborted,
  out_of_range: Code.OutOfRange, unimplemented: Code.Unimplemented, internal: Code.Internal, unavailable: Code.Unavailable,
  data_loss: Code.DataLoss, unauthenticated: Code.Unauthenticated,
};

/** Text that is often wrong: empty, huge, control characters, lone surrogates, SQL-ish, or just random. */
const junk = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ minLength: 190, maxLength: 6000 }),
  fc.constantFrom("", " ", "\u0000", "a\u0007b", "'; DROP TABLE catalog.items; --", "\ud800", "../../etc/passwd", "%00", "null", "-1"),
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.stringMatching(/^[a-z]{2,8}\d{1,20}$/),
);
const bigint64 = fc.bigInt(INT64);
const randomMoney = fc.option(fc.record({
  currencyCode: fc.oneof(fc.constantFrom("USD", "EUR", "usd", "XXX", "", "US"), fc.string({ maxLength: 5 })),
  minorUnits: bigint64,
}), { nil: undefined }).map((m) => (m ? money(m.minorUnits, m.currencyCode) : undefined));
const randomAttributes = fc.dictionary(fc.string({ unit: "binary", maxLength: 80 }), fc.string({ maxLength: 600 }), { maxKeys: 60 });

/** One change that makes any request invalid, so a request with a real category can never succeed. */
const definitelyInvalid = fc.constantFrom<[string, unknown]>(
  ["sku", "has space"], ["sku", ""], ["name", ""], ["name", "x".repeat(201)], ["brand", ""], ["description", "d".repeat(5001)],
  ["price", money(-1n)], ["price", money(1n, "EUR")], ["price", undefined], ["imageUrl", "ftp://x/y.jpg"],
  ["attributes", { "": "v" }], ["name", "nul\u0000byte"],
);

function rawCall(session: http2.ClientHttp2Session, path: string, headers: Record<string, string>, body: Uint8Array): Promise<{ code: string; message: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ":method": "POST", ":path": path, ...headers });
    let status = 0;
    let head: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      head = h;
      status = Number(h[":status"]);
    });
    req.on("trailers", (t) => {
      trailers = t;
    });
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("error", reject);
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const grpcStatus = trailers["grpc-status"] ?? head["grpc-status"];
      if (grpcStatus !== undefined) {
        const name = Object.entries(CODE_NAMES).find(([, v]) => String(v) === String(grpcStatus))?.[0] ?? `grpc ${grpcStatus}`;
        resolve({ code: grpcStatus === "0" ? "ok" : name, message: decodeURIComponent(String(trailers["grpc-message"] ?? head["grpc-message"] ?? "")) });
      } else if (status === 200) {
        resolve({ code: "ok", message: "" });
      } else {
        try {
          const err = JSON.parse(text) as { code: string; message?: string };
          resolve({ code: err.code, message: err.message ?? "" });
        } catch {
          resolve({ code: `http ${status}`, message: text.slice(0, 200) });
        }
      }
    });
    req.end(body);
  });
}

describe("catalog under bad input", function () {
  this.timeout(120_000);
  const c = suiteFixture(() => startCatalog());
  let realCategories: string[];
  let active: { id: string; sku: string };
  let archived: { id: string };

  before(async () => {
    realCategories = (await c.client.listCategories({})).categories.map((cat) => cat.id);
    const a = (await c.client.createItem(newItem(), c.admin)).item!;
    active = { id: a.id, sku: a.sku };
    const b = (await c.client.createItem(newItem(), c.admin)).item!;
    archived = { id: (await c.client.archiveItem({ itemId: b.id }, c.admin)).item!.id };
  });

  async function snapshot(): Promise<string> {
    const [row] = await c.running.ctx.db.query(
      `SELECT (SELECT count(*) FROM catalog.items) AS items,
              (SELECT md5(coalesce(string_agg(id::text || ':' || version || ':' || status || ':' || name || ':' || price_minor, ',' ORDER BY id), '')) FROM catalog.items) AS digest,
              (SELECT count(*) FROM catalog.outbox) AS events`,
    );
    return JSON.stringify(row);
  }

  /** Calls and checks the answer: an allowed code, and InvalidArgument naming one of the RPC's fields. */
  async function expectSafe(rpc: string, call: () => Promise<unknown>, allowed: Code[], okAllowed: boolean): Promise<void> {
    try {
      await call();
      expect(okAllowed, `${rpc} unexpectedly succeeded`).to.equal(true);
    } catch (err) {
      const e = ConnectError.from(err);
      expect(allowed, `${rpc}: ${Code[e.code]} ${e.rawMessage}`).to.include(e.code);
      if (e.code === Code.InvalidArgument) {
        const named = FIELDS[rpc].some((f) => e.rawMessage.startsWith(f) && /^[\w.]+(\[[^\]]*\])?( key)?: /.test(e.rawMessage));
        expect(named, `${rpc}: "${e.rawMessage}" does not name a field`).to.equal(true);
      }
    }
  }

  it("CreateItem: refuses every malformed item with InvalidArgument/NotFound and writes nothing", async () => {
    const before = await snapshot();
    const req = fc.record({
      sku: fc.oneof(junk, fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/), fc.constant(active.sku)),
      name: junk, description: junk, brand: junk,
      categoryId: fc.oneof(junk, fc.constantFrom(...realCategories)),
      price: randomMoney, imageUrl: fc.oneof(junk, fc.webUrl()), attributes: randomAttributes,
    });
    await fc.assert(fc.asyncProperty(req, definitelyInvalid, async (r, [field, value]) => {
      const request = realCategories.includes(r.categoryId) ? { ...r, [field]: value } : r;
      await expectSafe("CreateItem", () => c.client.createItem(request, c.admin), [Code.InvalidArgument, Code.NotFound, Code.AlreadyExists], false);
    }), { numRuns: RUNS });
    expect(await snapshot()).to.equal(before);
  });

  it("writes without an admin token are Unauthenticated or PermissionDenied, whatever the body", async () => {
    const before = await snapshot();
    await fc.assert(fc.asyncProperty(junk, fc.boolean(), async (id, asCustomer) => {
      const opts = asCustomer ? c.customer : undefined;
      const expected = asCustomer ? Code.PermissionDenied : Code.Unauthenticated;
      for (const call of [
        () => c.client.createItem({ ...newItem(), sku: id }, opts),
        () => c.client.updateItem({ itemId: active.id, expectedVersion: 1n, name: id }, opts),
        () => c.client.archiveItem({ itemId: active.id }, opts),
      ]) {
        const e = await call().then(() => undefined, (err) => ConnectError.from(err));
        expect(e?.code).to.equal(expected);
      }
    }), { numRuns: 50 });
    expect(await snapshot()).to.equal(before);
  });

  it("UpdateItem: never applies a malformed or stale update", async () => {
    const before = await snapshot();
    const req = fc.record({
      itemId: fc.oneof(junk, fc.constantFrom(active.id, archived.id)),
      expectedVersion: bigint64,
      name: fc.option(junk, { nil: undefined }), description: fc.option(junk, { nil: undefined }),
      brand: fc.option(junk, { nil: undefined }),
      categoryId: fc.option(fc.oneof(junk, fc.constantFrom(...realCategories)), { nil: undefined }),
      price: randomMoney, imageUrl: fc.option(junk, { nil: undefined }),
      replaceAttributes: fc.boolean(), attributes: randomAttributes,
    });
    await fc.assert(fc.asyncProperty(req, async (r) => {
      // The one live item is at version 1: any other expected_version is stale, so nothing may change.
      const request = r.itemId === active.id && r.expectedVersion === 1n ? { ...r, expectedVersion: 2n } : r;
      await expectSafe("UpdateItem", () => c.client.updateItem(request, c.admin),
        [Code.InvalidArgument, Code.NotFound, Code.Aborted, Code.FailedPrecondition], false);
    }), { numRuns: RUNS });
    expect(await snapshot()).to.equal(before);
  });

  it("ArchiveItem: malformed or unknown ids change nothing; an archived item answers as it is", async () => {
    const before = await snapshot();
    await fc.assert(fc.asyncProperty(fc.oneof(junk, fc.constant(archived.id)), async (itemId) => {
      await expectSafe("ArchiveItem", () => c.client.archiveItem({ itemId }, c.admin), [Code.InvalidArgument, Code.NotFound], itemId === archived.id);
    }), { numRuns: RUNS });
    expect(await snapshot()).to.equal(before);
  });

  it("reads answer OK, InvalidArgument or NotFound to anything", async () => {
    const before = await snapshot();
    await fc.assert(fc.asyncProperty(fc.oneof(junk, fc.constant(active.id)), async (itemId) => {
      await expectSafe("GetItem", () => c.client.getItem({ itemId }), [Code.InvalidArgument, Code.NotFound], true);
    }), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(junk, fc.constant(active.id)), { maxLength: 600 }), async (itemIds) => {
      await expectSafe("BatchGetItems", () => c.client.batchGetItems({ itemIds }), [Code.InvalidArgument], true);
    }), { numRuns: RUNS });
    const token = fc.oneof(
      junk,
      fc.base64String(),
      fc.record({ t: fc.oneof(junk, fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace("Z", "123Z"))), i: junk, c: junk, a: fc.integer() })
        .map((t) => Buffer.from(JSON.stringify(t)).toString("base64url")),
      fc.json().map((j) => Buffer.from(j).toString("base64url")),
    );
    await fc.assert(fc.asyncProperty(
      fc.oneof(junk, fc.constantFrom("", ...realCategories)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.oneof(fc.constant(""), token), fc.boolean(),
      async (categoryId, pageSize, pageToken, includeArchived) => {
        await expectSafe("ListItems", () => c.client.listItems({ categoryId, pageSize, pageToken, includeArchived }), [Code.InvalidArgument, Code.NotFound], true);
      },
    ), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(fc.oneof(junk, fc.constantFrom(...realCategories)), async (parentId) => {
      await expectSafe("ListCategories", () => c.client.listCategories({ parentId }), [Code.InvalidArgument, Code.NotFound], true);
    }), { numRuns: 100 });
    expect(await snapshot()).to.equal(before);
  });

  it("random bytes as the whole request body, framed or not, are refused cleanly", async () => {
    const before = await snapshot();
    const methods = Object.keys(FIELDS);
    const acceptable = ["ok", "invalid_argument", "not_found", "already_exists", "aborted", "failed_precondition", "unauthenticated", "permission_denied"];
    const framing = fc.constantFrom("grpc-raw", "grpc-envelope");
    const body = fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.json().map((j) => new TextEncoder().encode(j)));
    const session = http2.connect(c.running.url);
    after(() => session.close());
    await fc.assert(fc.asyncProperty(fc.constantFrom(...methods), framing, body, fc.boolean(), async (method, how, bytes, withToken) => {
      const headers: Record<string, string> = withToken ? { authorization: c.admin.headers.authorization } : {};
      Object.assign(headers, { "content-type": "application/grpc", te: "trailers" });
      const payload = how === "grpc-envelope"
        ? Buffer.concat([Buffer.from([0, ...[24, 16, 8, 0].map((s) => (bytes.length >>> s) & 0xff)]), bytes])
        : bytes;
      const res = await rawCall(session, `/shop.catalog.v1.CatalogService/${method}`, headers, payload);
      // gRPC names a unary call without exactly one message a cardinality violation: UNIMPLEMENTED by its spec.
      const cardinality = res.code === "unimplemented" && /missing input message|received extra|received no request message|received a second request message/i.test(res.message);
      if (!cardinality) expect(acceptable, `${method} ${how}: ${res.code} ${res.message}`).to.include(res.code);
    }), { numRuns: 300 });
    expect(await snapshot()).to.equal(before);
    // Still serving, and the fixture item is untouched.
    const { item } = await c.client.getItem({ itemId: active.id });
    expect(item!.version).to.equal(1n);
    expect(item!.status).to.equal(ItemStatus.ACTIVE);
  });
});
