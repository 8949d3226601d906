// `npm run bench:rpc-floor`: what one mesh call costs before any work is done. A trivial unary call
// (grpc.health.v1.Health/Check) is served and called in this one process, so the CPU per call is both sides:
//   - mesh: the services' server (grpc-host.ts: Connect handlers on grpc-js) called through meshTransport, with the
//     services' interceptors (errors, tokens): what every mesh call costs now;
//   - mesh_tls: the same over mutual TLS (MESH_TLS=1, TLS_CA/TLS_CERT/TLS_KEY), the handler reading the caller's
//     certificate identity as a mesh-only RPC does; mesh_tls.extra_cpu_us_per_call is the difference to mesh;
//   - connect: a Connect server on HTTP/2 cleartext called by a Connect gRPC client (what the mesh used before grpc-js);
//   - grpc-js: @grpc/grpc-js on both sides with hand-written handlers, no Connect types: the floor.
// Prints one JSON line: calls/s and CPU microseconds per call for each, best of --rounds.
//   flags: --calls 20000 --concurrency 16 --rounds 3
import fs from "node:fs";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import {
  Health, HealthCheckRequestSchema, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus as Status,
  type HealthCheckRequest, type HealthCheckResponse,
} from "../../gen/grpc/health/v1/health_pb.js";
import { meshTlsFromEnv } from "../../services/lib/mesh-tls.js";
import { cliFlags } from "../../services/lib/cli.js";
import { ensureMeshCertificates } from "../mesh-certs.js";
import { measureCalls, meshCallCost } from "./rpc-cost.js";

const { calls, concurrency, rounds } = cliFlags({
  usage: "npm run bench:rpc-floor --",
  summary: "What one mesh call costs before any work: a trivial unary call served and called in this process, for "
    + "each server/client pair. Prints one JSON line: calls/s and CPU microseconds per call, best of the rounds.",
  flags: {
    calls: { type: "int", default: 20_000, min: 1, help: "calls per pair and round" },
    concurrency: { type: "int", default: 16, min: 1, help: "calls in flight" },
    rounds: { type: "int", default: 3, min: 1, help: "rounds per pair (the best is reported)" },
  },
});

const settings = { calls, concurrency, rounds };
const measure = (call: () => Promise<unknown>) => measureCalls(call, settings);

async function connectPair() {
  const server = http2.createServer(connectNodeAdapter({
    routes: (router) => router.service(Health, {
      check: () => ({ status: Status.SERVING }),
      async *watch() {},
    }),
  }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createClient(Health, createGrpcTransport({ baseUrl: url, acceptCompression: [] }));
  try {
    return await measure(() => client.check({ service: "" }));
  } finally {
    server.close();
  }
}

async function grpcJsPair() {
  const check = {
    path: "/grpc.health.v1.Health/Check", requestStream: false, responseStream: false,
    requestSerialize: (m: HealthCheckRequest) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
    requestDeserialize: (b: Buffer) => fromBinary(HealthCheckRequestSchema, b),
    responseSerialize: (m: HealthCheckResponse) => Buffer.from(toBinary(HealthCheckResponseSchema, m)),
    responseDeserialize: (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
  };
  const server = new grpc.Server();
  server.addService({ check }, {
    check: (_call: unknown, done: grpc.sendUnaryData<HealthCheckResponse>) => done(null, create(HealthCheckResponseSchema, { status: Status.SERVING })),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const request = create(HealthCheckRequestSchema, { service: "" });
  try {
    return await measure(() => new Promise((resolve, reject) => {
      client.makeUnaryRequest(check.path, check.requestSerialize, check.responseDeserialize, request, (err, res) => (err ? reject(err) : resolve(res)));
    }));
  } finally {
    client.close();
    server.forceShutdown();
  }
}

/** mesh over mutual TLS with certificates from a throwaway local CA (as MESH_TLS=1 npm start makes them). */
async function meshTlsPair(plain: { cpu_us_per_call: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rpc-floor-tls-"));
  try {
    const certs = await ensureMeshCertificates(dir, ["inventory", "order"]);
    const best = await meshCallCost(settings, { server: meshTlsFromEnv(certs.envFor("inventory"))!, client: meshTlsFromEnv(certs.envFor("order"))! });
    return { ...best, extra_cpu_us_per_call: best.cpu_us_per_call - plain.cpu_us_per_call };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mesh = await meshCallCost(settings);
console.log(JSON.stringify({
  calls, concurrency, rounds,
  mesh,
  mesh_tls: await meshTlsPair(mesh),
  connect: await connectPair(),
  grpc_js: await grpcJsPair(),
  note: "CPU per call counts client and server (same process); loopback HTTP/2, trivial messages; mesh_tls: TLS 1.3, ECDSA P-256, one long-lived connection",
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, load_average_1m: Math.round(os.loadavg()[0] * 100) / 100 },
}));
process.exit(0);
