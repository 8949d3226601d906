// The mesh's gRPC server (grpc-host.ts) keeps connect-es's handler contract: the caller's headers, deadline and
// cancellation reach the handler; interceptors run; a ConnectError's code and message reach the caller as they
// are; server streams arrive in order and end with the handler's error; a body that is not the request message
// is InvalidArgument, never Internal; a Connect request is refused.
import http2 from "node:http2";
import { Code, ConnectError, createClient, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.js";
import { failure } from "../../../test/harness.js";
import { grpcServer } from "../grpc-host.js";
import { meshTransport } from "../transport.js";

const intercepted = createContextKey<string | undefined>(undefined);

describe("the mesh's gRPC server (grpc-js hosting Connect handlers)", () => {
  let server: grpc.Server;
  let url: string;
  const seen: { header?: string | null; timeoutMs?: number; aborted?: Promise<unknown>; intercepted?: string } = {};

  const tag: Interceptor = (next) => async (req) => {
    req.contextValues.set(intercepted, `before ${req.method.name}`);
    return next(req);
  };
  before(async () => {
    server = grpcServer((router) => router.service(Health, {
      async check(req, ctx: HandlerContext) {
        seen.header = ctx.requestHeader.get("x-request-id");
        seen.timeoutMs = ctx.timeoutMs();
        seen.intercepted = ctx.values.get(intercepted);
        if (req.service === "refuse") throw new ConnectError("service: not served here", Code.NotFound);
        if (req.service === "hang") {
          seen.aborted = new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(ctx.signal.reason), { once: true }));
          await seen.aborted;
        }
        return { status: Status.SERVING };
      },
      async *watch(req) {
        yield { status: Status.SERVING };
        yield { status: Status.NOT_SERVING };
        if (req.service === "fail") throw new ConnectError("service: went away", Code.Unavailable);
      },
    }), [tag]);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    url = `http://127.0.0.1:${port}`;
  });
  after(() => server.forceShutdown());

  it("gives the handler the caller's headers and deadline, after the interceptors ran", async () => {
    const client = createClient(Health, meshTransport(url));
    const res = await client.check({ service: "" }, { headers: { "x-request-id": "req-42" }, timeoutMs: 4_000 });
    expect(res.status).to.equal(Status.SERVING);
    expect(seen.header).to.equal("req-42");
    expect(seen.timeoutMs).to.be.within(3_000, 4_000);
    expect(seen.intercepted).to.equal("before Check");
  });

  it("answers a handler's ConnectError with its code and message", async () => {
    const err = await failure(createClient(Health, meshTransport(url)).check({ service: "refuse" }));
    expect(err.code).to.equal(Code.NotFound);
    expect(err.rawMessage).to.equal("service: not served here");
  });

  it("aborts the handler's signal when the caller gives up", async () => {
    const abort = new AbortController();
    const call = failure(createClient(Health, meshTransport(url)).check({ service: "hang" }, { signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect((await call).code).to.equal(Code.Canceled);
    const reason = await seen.aborted;
    expect(reason).to.be.instanceOf(ConnectError);
  });

  it("streams messages in order and ends with the handler's error", async () => {
    const client = createClient(Health, meshTransport(url));
    const ok: Status[] = [];
    for await (const m of client.watch({ service: "" })) ok.push(m.status);
    expect(ok).to.deep.equal([Status.SERVING, Status.NOT_SERVING]);
    const got: Status[] = [];
    const err = await failure((async () => { for await (const m of client.watch({ service: "fail" })) got.push(m.status); })());
    expect(got).to.deep.equal([Status.SERVING, Status.NOT_SERVING]);
    expect(err.code).to.equal(Code.Unavailable);
    expect(err.rawMessage).to.equal("service: went away");
  });

  it("answers a body that is not the request message with InvalidArgument", async () => {
    const session = http2.connect(url);
    try {
      // One gRPC frame holding a field tag with a wire type that does not exist (7).
      const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const req = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" });
        req.on("trailers", resolve);
        req.on("response", (h) => { if (h["grpc-status"] !== undefined) resolve(h); });
        req.on("error", reject);
        req.resume();
        req.end(Buffer.from([0, 0, 0, 0, 2, 0x0f, 0x01]));
      });
      expect(trailers["grpc-status"]).to.equal(String(Code.InvalidArgument));
      expect(decodeURIComponent(String(trailers["grpc-message"]))).to.match(/^request: /);
    } finally {
      session.close();
    }
  });

  it("refuses a Connect (not gRPC) request: services speak gRPC only, Connect ends at the gateway", async () => {
    const session = http2.connect(url);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/proto" });
        req.on("response", (h) => resolve(Number(h[":status"])));
        req.on("error", reject);
        req.resume();
        req.end(Buffer.alloc(0));
      });
      expect(status).to.equal(415);
    } finally {
      session.close();
    }
  });
});
