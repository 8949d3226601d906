// The browser-facing gateway: Connect (JSON and binary) and gRPC-Web over HTTP/1.1 on port 8080. It hosts
// shop.identity.v1 (accounts, sign-in) itself, forwards the other public RPCs to the services over gRPC,
// serves the storefront, verifies tokens, rate-limits by address and by user (Redis), caps request sizes and
// sets deadlines. CORS for configured origins.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { cors as connectCors, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { DataSource } from "typeorm";
import { IdentityService } from "../../gen/shop/identity/v1/identity_pb.js";
import { AdmissionGate, admissionInterceptor, admissionSettings, writeCountsOnSignal } from "../../services/lib/admission.js";
import { TokenVerifier, userTokenSigner } from "../../services/lib/auth.js";
import { intFrom, loadConfig, type Config, type ServiceName } from "../../services/lib/config.js";
import { openDatabase, pingDatabase } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { metricsInterceptor, startMetricsServer, type MetricsServer } from "../../services/lib/metrics.js";
import { accessLogInterceptor, errorInterceptor } from "../../services/lib/server.js";
import { startTracing, tracingInterceptor } from "../../services/lib/tracing.js";
import { clientAddress } from "./client-address.js";
import { trackRequest } from "./metrics.js";
import { registerForwarding } from "./forward.js";
import { adminFromEnv, ensureAccount } from "./identity/accounts.js";
import { identityHandlers } from "./identity/service.js";
import { deleteExpiredRefreshTokens } from "./identity/refresh-tokens.js";
import { identityDatabase } from "./identity/store.js";
import { runPeriodic } from "../../services/lib/periodic.js";
import {
  clientAddressKey, connectRateLimitRedis, RateLimiter, rateLimitSettings, requestLimits,
} from "./rate-limit.js";
import { PUBLIC_SERVICES } from "./routes.js";
import { buildStorefront, serveStorefront } from "./storefront.js";
import { unaryProxy } from "./unary-proxy.js";
import { testPaymentsEndpoint } from "./test-payments.js";
import { ensureTestPaymentsSchema, TestTokenVault } from "../../services/order/src/payment/test-tokens.js";
import { meshTransport } from "../../services/lib/transport.js";

export interface RunningGateway {
  port: number;
  url: string;
  /** Where Prometheus scrapes the gateway (absent with METRICS_ENABLED=false). */
  metricsUrl?: string;
  db: DataSource;
  /** The in-flight limit of each service the gateway calls, with its counts of admitted and refused calls. */
  admission: Map<ServiceName, AdmissionGate>;
  stop(): Promise<void>;
}

/** Largest request body accepted (JSON or binary). */
const MAX_REQUEST_BYTES = 1 << 20;
/** Connect proto (unary and streaming) and gRPC-Web, whose default is proto. GET requests go the JSON way. */
const BINARY_CONTENT_TYPE = /^application\/(proto|connect\+proto|grpc-web(\+proto)?)\s*(;|$)/i;

export async function startGateway(config: Config): Promise<RunningGateway> {
  const log = createLogger("gateway", config.logLevel);
  const env = config.env;
  // User tokens only: the gateway holds no mesh key, so a service token is refused at the edge.
  const verifier = TokenVerifier.fromConfig(config, { acceptServices: false });
  const signer = userTokenSigner(config);
  const limits = rateLimitSettings(env);
  const tokenTtlSeconds = intFrom(env, "ACCESS_TOKEN_TTL_SECONDS", 900);
  const refresh = {
    ttlSeconds: intFrom(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
    reuseGraceSeconds: intFrom(env, "REFRESH_REUSE_GRACE_SECONDS", 10),
  };
  const trustProxy = env.TRUST_PROXY === "true";

  const [db, storefront, redis] = await Promise.all([
    openDatabase(config.databaseUrl, identityDatabase, Math.min(config.dbPoolSize, 10), "gateway"),
    buildStorefront(),
    connectRateLimitRedis(config.redisUrl, log),
  ]);
  const closeAll = async () => {
    await redis.close().catch(() => redis.destroy());
    await db.destroy().catch(() => {});
  };
  try {
    // The test payment provider's tokens: its own schema, in the database the order service charges from.
    await ensureTestPaymentsSchema(config.databaseUrl);
    const admin = adminFromEnv(env);
    if (admin) {
      const { user, created } = await ensureAccount(db, admin);
      if (created) log.info({ email: user.email }, "first admin created from ADMIN_EMAIL");
      else if (user.role !== "admin") log.warn({ email: user.email }, "ADMIN_EMAIL belongs to an account that is not an admin");
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const limiter = new RateLimiter(redis, log);
  const testPayments = testPaymentsEndpoint(new TestTokenVault(db), log);

  const transports = new Map<ServiceName, ReturnType<typeof meshTransport>>();
  const transportFor = (target: ServiceName) => {
    let t = transports.get(target);
    if (!t) {
      // Looked up when first used, so tests may fill in config.addrs after start. Mutual TLS when configured.
      t = meshTransport(config.addrs[target], undefined, config.tls);
      transports.set(target, t);
    }
    return t;
  };
  const identity = identityHandlers({ ds: db, signer, limiter, limits, log, tokenTtlSeconds, refresh });
  // A bounded number of calls in flight to each service (admission.ts): past it a call is refused at once, before
  // it costs a rate-limit lookup or a token check, instead of waiting for a loaded service toward its deadline.
  const admissionLimits = admissionSettings(env, "GATEWAY_", 1000);
  const admission = new Map(PUBLIC_SERVICES.map((p) => [p.target, new AdmissionGate(admissionLimits)]));
  const upstreamOf = new Map<string, ServiceName>(PUBLIC_SERVICES.flatMap((p) => p.service.methods.map((m) => [`/${p.service.typeName}/${m.name}`, p.target] as const)));
  const admit = admissionInterceptor((procedure) => {
    const target = upstreamOf.get(procedure);
    return target && { gate: admission.get(target)!, what: `the ${target} service` };
  });
  // requestLimits checks the token and counts the address and user limits (a bad token's request too) in one Redis call.
  const interceptors = [metricsInterceptor(), tracingInterceptor(), accessLogInterceptor(log), errorInterceptor(log), admit, requestLimits(limiter, limits, verifier)];
  const contextValues = (req: { socket: { remoteAddress?: string }; headers: http.IncomingHttpHeaders }) => createContextValues().set(clientAddressKey, clientAddress(req, trustProxy));
  // Binary Connect unary calls are forwarded as bytes by unaryProxy. The rest goes to two routers with the same
  // routes and rules: JSON requests are translated with the real message types, binary ones (gRPC-Web, streams)
  // are forwarded as opaque messages (see forward.ts).
  const adapter = (opaque: boolean) => connectNodeAdapter({
    routes: (router) => {
      router.service(IdentityService, identity);
      registerForwarding(router, PUBLIC_SERVICES, (p) => transportFor(p.target), opaque);
    },
    readMaxBytes: MAX_REQUEST_BYTES,
    interceptors,
    contextValues,
  });
  const rpcJson = adapter(false);
  const rpcBinary = adapter(true);
  const proxied = unaryProxy({
    exposed: PUBLIC_SERVICES, transportFor: (p) => transportFor(p.target), interceptors, maxRequestBytes: MAX_REQUEST_BYTES, contextValues,
  });
  const rpc = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (proxied(req, res)) return;
    (BINARY_CONTENT_TYPE.test(req.headers["content-type"] ?? "") ? rpcBinary : rpcJson)(req, res);
  };
  const allowedOrigins = (env.CORS_ORIGINS ?? "*").split(",").map((s) => s.trim()).filter(Boolean);

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && (allowedOrigins.includes("*") || allowedOrigins.includes(origin))) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", [...connectCors.exposedHeaders, "X-Request-Id"].join(", "));
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "Access-Control-Allow-Methods": connectCors.allowedMethods.join(", "),
          "Access-Control-Allow-Headers": [...connectCors.allowedHeaders, "Authorization", "Traceparent", "X-Request-Id"].join(", "),
          "Access-Control-Max-Age": "7200",
        });
        res.end();
        return;
      }
    }
    // Liveness: the process answers. Readiness (/healthz): it can serve calls now (its database answers).
    if (req.url === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    if (req.url === "/healthz" || req.url === "/readyz") {
      pingDatabase(db).then(
        () => res.writeHead(200, { "content-type": "text/plain" }).end("ok\n"),
        () => res.writeHead(503, { "content-type": "text/plain" }).end("database unavailable\n"),
      );
      return;
    }
    if (testPayments(req, res)) return;
    if (serveStorefront(storefront, req, res)) return;
    trackRequest(req, res);
    res.setHeader("x-request-id", requestIdOf(req));
    rpc(req, res);
  });
  // Slow-loris guard: a request must arrive whole within this time (streams' responses are not affected).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  // An idle keep-alive connection stays open longer than the idle timeout of what sits in front (load
  // balancers and browsers use ~60 s): closing it first races the client's next request on it, which then
  // fails with ECONNRESET or "socket hang up" (seen at Node's default of 5 s under bench:search).
  server.keepAliveTimeout = 65_000;
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    await closeAll();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let metrics: MetricsServer | undefined;
  try {
    metrics = await startMetricsServer(env, config.host, config.port, log);
  } catch (err) {
    server.close();
    await closeAll();
    throw err;
  }
  log.info({ port, metrics: metrics?.url, storefrontBuildMs: storefront.buildMs }, "gateway listening");
  // Expired refresh tokens are dead weight; deleting them is safe from every gateway replica at once (no lease).
  const sweeper = runPeriodic({
    name: "refresh-token-sweeper", everyMs: 3600_000, everyReplica: true,
    run: async () => {
      const deleted = await deleteExpiredRefreshTokens(db);
      if (deleted) log.info({ deleted }, "expired refresh tokens deleted");
    },
  }, log);
  await sweeper.start();

  let stopping: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: metrics?.url,
    db,
    admission,
    stop: () => (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Long-lived streams (order tracking) are cut after the grace period.
        setTimeout(() => { for (const s of sockets) s.destroy(); }, config.shutdownGraceMs).unref();
      });
      await sweeper.stop();
      await closeAll();
      await metrics?.close();
    })()),
  };
}

/**
 * The request's id, which the services' access logs carry: the client's X-Request-Id when it is a plausible id,
 * else a new one (set on the request, so it is forwarded, and returned to the client).
 */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers["x-request-id"];
  if (typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)) return given;
  const id = randomUUID();
  req.headers["x-request-id"] = id;
  return id;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const tracing = startTracing("gateway");
  const config = loadConfig("gateway");
  const gateway = await startGateway(config).catch((err) => {
    createLogger("gateway").fatal({ err }, "gateway failed to start");
    process.exit(1);
  });
  writeCountsOnSignal("gateway", config.env, () => [...gateway.admission.values()]);
  const onSignal = () => gateway.stop().then(() => tracing?.shutdown()).then(() => process.exit(0));
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
