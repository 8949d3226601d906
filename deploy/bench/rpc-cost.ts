// What one mesh call costs in CPU before any work is done: a trivial unary call (grpc.health.v1.Health/Check)
// served by the services' server (grpc-host.ts, with their interceptors) and called through meshTransport, both
// in this process. bench:rpc-floor compares it with other server/client pairs; bench:checkout measures it in
// the same run as the orders, to say how much of an order's CPU its mesh calls explain.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { authInterceptor, TokenVerifier } from "../../services/lib/auth.js";
import { grpcServer } from "../../services/lib/grpc-host.js";
import { ensureKeyFiles, KeyRing } from "../../services/lib/keys.js";
import { createLogger } from "../../services/lib/log.js";
import { meshPeer } from "../../services/lib/mesh-access.js";
import { serverCredentials, type MeshTls } from "../../services/lib/mesh-tls.js";
import { errorInterceptor } from "../../services/lib/server.js";
import { meshTransport } from "../../services/lib/transport.js";

export interface CallRounds {
  calls: number;
  concurrency: number;
  rounds: number;
}

export interface CallCost {
  calls_per_s: number;
  cpu_us_per_call: number;
}

/** Runs `call` in rounds (round 0 warms the JIT and the connection) and returns the round with the least CPU per call. */
export async function measureCalls(call: () => Promise<unknown>, { calls, concurrency, rounds }: CallRounds): Promise<CallCost> {
  let best = { calls_per_s: 0, cpu_us_per_call: Infinity };
  for (let r = 0; r <= rounds; r++) {
    let i = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (i++ < calls) await call();
    }));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (r === 0) continue;
    const cpuPerCall = (cpu.user + cpu.system) / calls;
    if (cpuPerCall < best.cpu_us_per_call) best = { calls_per_s: Math.round(calls / seconds), cpu_us_per_call: Math.round(cpuPerCall) };
  }
  return best;
}

/** A verifier with keys of its own: the calls measured carry no token, but a service always has the interceptor. */
function throwawayVerifier(): TokenVerifier {
  const keys = ensureKeyFiles(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rpc-floor-")), "keys"));
  return new TokenVerifier({ users: new KeyRing(keys.jwksFile, "AUTH_JWKS_FILE", false) });
}

/**
 * One mesh call's CPU, client and server side: the services' server and interceptors, called through meshTransport;
 * with `tls` (the server's and the client's material) over mutual TLS, the handler reading the caller's
 * certificate identity as a mesh-only RPC does.
 */
export async function meshCallCost(rounds: CallRounds, tls?: { server: MeshTls; client: MeshTls }): Promise<CallCost> {
  const server = grpcServer((router) => router.service(Health, {
    check: (_req, ctx) => {
      if (tls && meshPeer(ctx.values) === undefined) throw new Error("caller certificate not seen");
      return { status: Status.SERVING };
    },
    async *watch() {},
  }), [errorInterceptor(createLogger("rpc-floor", "warn")), authInterceptor(throwawayVerifier())]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", serverCredentials(tls?.server), (err, p) => (err ? reject(err) : resolve(p))));
  const client = createClient(Health, meshTransport(`http://127.0.0.1:${port}`, undefined, tls?.client));
  try {
    return await measureCalls(() => client.check({ service: "" }), rounds);
  } finally {
    server.forceShutdown();
  }
}
