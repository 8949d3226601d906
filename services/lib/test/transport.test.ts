// Mesh calls whose HTTP/2 stream or session fails answer Unavailable (retry), not Internal: a service that sheds
// load or goes away is not a bug, and the gateway passes the code on to browsers as it is.
import { spawn } from "node:child_process";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.js";
import { failure } from "../../../test/harness.js";
import { grpcServer } from "../grpc-host.js";
import { channelTarget, meshTransport } from "../transport.js";

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_REFUSED_STREAM, NGHTTP2_INTERNAL_ERROR } = http2.constants;

/** An HTTP/2 server that misbehaves on every stream as told; its URL and a way to close it. */
async function rawServer(onStream: (stream: http2.ServerHttp2Stream) => void) {
  const server = http2.createServer();
  trackSessions(server);
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.session?.on("error", () => {});
    onStream(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

/** Closes a test server without waiting for the clients' idle sessions. */
function closeServer(server: http2.Http2Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sessions.get(server) ?? []) s.destroy();
  return closed;
}

const sessions = new WeakMap<http2.Http2Server, Set<http2.ServerHttp2Session>>();
function trackSessions(server: http2.Http2Server): void {
  const live = new Set<http2.ServerHttp2Session>();
  sessions.set(server, live);
  server.on("session", (s) => {
    live.add(s);
    s.on("close", () => live.delete(s));
  });
}

/** A Health service on the services' own gRPC server (grpc-host.ts). */
async function meshServer(impl: { check(): { status: Status } }) {
  const server = grpcServer((r) => r.service(Health, { ...impl, async *watch() {} }), []);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { url: `http://127.0.0.1:${port}`, close: async () => server.forceShutdown() };
}

describe("meshTransport failures", () => {
  const cases: [string, (s: http2.ServerHttp2Stream) => void, RegExp][] = [
    ["a stream refused for load (ENHANCE_YOUR_CALM)", (s) => s.close(NGHTTP2_ENHANCE_YOUR_CALM), /memory limit/],
    ["a refused stream", (s) => s.close(NGHTTP2_REFUSED_STREAM), /refused/],
    ["a session closed by the server", (s) => s.session?.destroy(new Error("gone"), NGHTTP2_INTERNAL_ERROR), /Session closed/],
  ];
  for (const [what, misbehave, message] of cases) {
    it(`answers Unavailable for ${what}`, async () => {
      const server = await rawServer(misbehave);
      try {
        const err = await failure(createClient(Health, meshTransport(server.url, 5_000)).check({ service: "" }));
        expect(err.code).to.equal(Code.Unavailable);
        expect(err.rawMessage).to.match(message);
      } finally {
        await server.close();
      }
    });
  }

  it("answers Unavailable when the session dies in the middle of a server stream", async () => {
    const server = await rawServer((s) => {
      s.respond({ ":status": 200, "content-type": "application/grpc" });
      // One length-prefixed HealthCheckResponse { status: SERVING }, then the connection goes.
      s.write(Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01]), () => setTimeout(() => s.session?.destroy(new Error("gone"), NGHTTP2_INTERNAL_ERROR), 20));
    });
    try {
      const seen: Status[] = [];
      const err = await failure((async () => {
        for await (const m of createClient(Health, meshTransport(server.url, 5_000)).watch({ service: "" })) seen.push(m.status);
      })());
      expect(seen).to.deep.equal([Status.SERVING]);
      expect(err.code).to.equal(Code.Unavailable);
    } finally {
      await server.close();
    }
  });

  it("ends a call that outlives its deadline with DeadlineExceeded, and one its caller aborts with Canceled", async () => {
    const server = await rawServer(() => { /* never answers */ });
    try {
      const client = createClient(Health, meshTransport(server.url));
      const late = await failure(client.check({ service: "" }, { timeoutMs: 100 }));
      expect(late.code).to.equal(Code.DeadlineExceeded);
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 50);
      const aborted = await failure(client.check({ service: "" }, { signal: abort.signal, timeoutMs: 5_000 }));
      expect(aborted.code).to.equal(Code.Canceled);
    } finally {
      await server.close();
    }
  });

  it("keeps an Internal error the service itself answered", async () => {
    const server = await meshServer({
      check() {
        throw new ConnectError("internal error", Code.Internal);
      },
    });
    try {
      const err = await failure(createClient(Health, meshTransport(server.url, 5_000)).check({ service: "" }));
      expect(err.code).to.equal(Code.Internal);
      expect(err.rawMessage).to.equal("internal error");
    } finally {
      await server.close();
    }
  });
});

describe("meshTransport over replicas", () => {
  /** A Health server that counts the calls it answers; Check is idempotent (idempotent-rpcs.ts), List is not. */
  async function replica(answer: () => Status | Error = () => Status.SERVING) {
    let checks = 0;
    let lists = 0;
    const server = grpcServer((r) => r.service(Health, {
      check() {
        checks++;
        const a = answer();
        if (a instanceof Error) throw a;
        return { status: a };
      },
      list() {
        lists++;
        const a = answer();
        if (a instanceof Error) throw a;
        return { statuses: {} };
      },
      async *watch() {},
    }), []);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    return { url: `http://127.0.0.1:${port}`, close: async () => server.forceShutdown(), checks: () => checks, lists: () => lists };
  }

  it("spreads calls over every replica in turn once connected", async () => {
    const replicas = [await replica(), await replica(), await replica()];
    try {
      const client = createClient(Health, meshTransport(replicas.map((r) => r.url).join(","), 5_000));
      // round_robin connects to every replica; calls go to those connected, so wait until all three answer.
      while (replicas.some((r) => r.checks() === 0)) await client.check({ service: "" });
      const before = replicas.map((r) => r.checks());
      for (let i = 0; i < 30; i++) await client.check({ service: "" });
      expect(replicas.map((r, i) => r.checks() - before[i])).to.deep.equal([10, 10, 10]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  /** A replica in a process of its own (so it can die as a process does), naming itself in List's answer. */
  async function replicaProcess(name: string) {
    const hostModule = new URL("../grpc-host.ts", import.meta.url).pathname;
    const healthModule = new URL("../../../gen/grpc/health/v1/health_pb.ts", import.meta.url).pathname;
    const script = `
      import * as grpc from "@grpc/grpc-js";
      import { grpcServer } from ${JSON.stringify(hostModule)};
      import { Health } from ${JSON.stringify(healthModule)};
      const server = grpcServer((r) => r.service(Health, { list: () => ({ statuses: { ${JSON.stringify(name)}: { status: 1 } } }) }), []);
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => console.log(port));
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve) => child.stdout!.once("data", (d) => resolve(String(d).trim())));
    return { url: `http://127.0.0.1:${port}`, kill: () => child.kill("SIGKILL") };
  }

  it("stops sending to a replica within a second of its process dying, even calls it would not retry", async function () {
    this.timeout(30_000);
    const [stays, dies] = [await replicaProcess("stays"), await replicaProcess("dies")];
    try {
      const client = createClient(Health, meshTransport(`${stays.url},${dies.url}`, 5_000));
      const answerer = () => client.list({}).then((r) => Object.keys(r.statuses)[0], (e: ConnectError) => Code[e.code]);
      const seen = new Set<string>();
      while (seen.size < 2) seen.add(await answerer());
      dies.kill();
      await new Promise((r) => setTimeout(r, 1000));
      const outcomes = await Promise.all(Array.from({ length: 20 }, answerer));
      expect(outcomes).to.deep.equal(Array(20).fill("stays"));
    } finally {
      stays.kill();
      dies.kill();
    }
  });

  it("sends an idempotent call that failed Unavailable again, to another replica; a call that is not idempotent fails", async () => {
    const shedding = await replica(() => new ConnectError("shedding load", Code.Unavailable));
    const healthy = await replica();
    try {
      const client = createClient(Health, meshTransport(`${shedding.url},${healthy.url}`, 5_000));
      while (shedding.checks() === 0 || healthy.checks() === 0) await client.check({ service: "" });
      // One call at a time, so the retry is the next pick of round_robin: the other replica.
      const outcome = (call: Promise<unknown>) => call.then(() => "ok", (e: ConnectError) => Code[e.code]);
      const checks: string[] = [];
      for (let i = 0; i < 20; i++) checks.push(await outcome(client.check({ service: "" })));
      expect(checks).to.deep.equal(Array(20).fill("ok"));
      const lists: string[] = [];
      for (let i = 0; i < 20; i++) lists.push(await outcome(client.list({})));
      expect(lists.filter((o) => o === "Unavailable").length).to.equal(shedding.lists());
      expect(shedding.lists()).to.be.within(5, 15);
    } finally {
      await Promise.all([shedding.close(), healthy.close()]);
    }
  });

  it("takes dns:/// addresses and refuses a list of host names it could not spread over", () => {
    expect(channelTarget("dns:///order.shop.svc.cluster.local:50055")).to.equal("dns:///order.shop.svc.cluster.local:50055");
    expect(channelTarget("http://127.0.0.1:1,http://127.0.0.1:2")).to.equal("ipv4:127.0.0.1:1,127.0.0.1:2");
    expect(channelTarget("http://order:50055")).to.equal("order:50055");
    expect(() => channelTarget("http://order-0:50055,http://order-1:50055")).to.throw(/dns:\/\/\//);
  });
});
