// The one bootstrap every service uses (docs/design.md "Servers and errors"): gRPC on HTTP/2 cleartext, with the
// handlers written as connect-es ServiceImpls and served by grpc-js (grpc-host.ts: a third of connect-node's CPU
// per call); real health; token verification; error hygiene; graceful shutdown (stop accepting, drain, stop
// background work, close pools). Browsers use Connect, gRPC-Web or JSON through the gateway.
import * as grpc from "@grpc/grpc-js";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { createClient as createRedisClient, type RedisClientType } from "redis";
import type { DataSource } from "typeorm";
import { AdmissionGate, admissionInterceptor, admissionSettings, writeCountsOnSignal } from "./admission.js";
import { authInterceptor, principalKey, ServiceCredentials, TokenVerifier } from "./auth.js";
import { loadConfig, type Config, type ServiceName } from "./config.js";
import { internal, unavailable } from "./errors.js";
import { grpcServer } from "./grpc-host.js";
import { openDatabase, pingDatabase, type DatabaseSpec } from "./db.js";
import { HealthState, type DependencyChecks } from "./health.js";
import { createLogger, type Logger } from "./log.js";
import { metricsInterceptor, startMetricsServer, type MetricsServer } from "./metrics.js";
import { connectNats, ensureStreams, pingNats, streamSettings, type Nats } from "./nats.js";
import { serverCredentials } from "./mesh-tls.js";
import { reflectionEnabled } from "./reflection.js";
import { meshTransport } from "./transport.js";
import { startTracing, tracingInterceptor } from "./tracing.js";
import { runBatchConsumer } from "./batch-consumer.js";
import { runConsumer, type AnyConsumerDecl, type RunningConsumer } from "./consumers.js";
import { OutboxRelay } from "./outbox.js";
import { runPeriodic, type PeriodicJob } from "./periodic.js";
import { TaskStatus, type TaskReport } from "./task-status.js";

export type { TaskReport } from "./task-status.js";

export type Redis = RedisClientType;

/** What a service's build() receives: its configuration, connections and clients of the other services. */
export interface ServiceContext {
  name: ServiceName;
  config: Config;
  log: Logger;
  /** Present when the module declares `database`. */
  db: DataSource;
  /** Present when the module declares `redis: true`. */
  redis: Redis;
  /** Present when the module declares `nats: true`. */
  nats: Nats;
  verifier: TokenVerifier;
  /** A gRPC client of another service of the mesh. */
  client<T extends DescService>(service: T, target: ServiceName): Client<T>;
  /**
   * Headers for calls on this service's own account (background work with no caller): a service token, or none
   * over mesh TLS, where the client certificate names the service.
   */
  serviceHeaders(): Promise<Record<string, string>>;
  /** Aborted when the service begins to stop: long-lived streams end then instead of holding up the drain. */
  shutdownSignal: AbortSignal;
}

/** Background work (outbox relays, consumers, sweepers): started after the server listens, stopped before pools close. */
export interface BackgroundTask {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** What the task tells of its successes and failures (task-status.ts); without it, only started or stopped. */
  status?: TaskStatus;
}

export interface BuiltService {
  routes(router: ConnectRouter): void;
  /** Durable event consumers (one file each under src/consumers/), started after the outbox relay. */
  consumers?: AnyConsumerDecl[];
  /** Other long-lived work with its own start and stop (caches, feeds, listeners), started after the consumers. */
  background?: BackgroundTask[];
  /** Periodic jobs (sweepers, recovery), started last. */
  jobs?: PeriodicJob[];
  /** Extra dependency checks readiness needs, beyond the connections the bootstrap already checks. */
  checks?: DependencyChecks;
}

/** A service of the mesh, as services/registry.ts lists it. */
export interface ServiceModule {
  name: ServiceName;
  database?: DatabaseSpec;
  redis?: boolean;
  nats?: boolean;
  /** The service writes events (enqueueEvent): the runtime relays its outbox to JetStream. Implies `nats`. */
  outbox?: boolean;
  build(ctx: ServiceContext): Promise<BuiltService>;
}

export interface RunningService {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Where Prometheus scrapes this process (absent with METRICS_ENABLED=false). */
  metricsUrl?: string;
  ctx: ServiceContext;
  /** What the runtime runs besides RPCs: each relay, consumer, background task and job, its state and counters. */
  tasks(): TaskReport[];
  /** The process's in-flight limit and its counts of admitted and refused calls. */
  admission: AdmissionGate;
  stop(): Promise<void>;
}

export async function startService(mod: ServiceModule, config: Config): Promise<RunningService> {
  const log = createLogger(mod.name, config.logLevel);
  const reflection = reflectionEnabled(config.env); // a bad setting fails before any connection is opened
  const verifier = TokenVerifier.fromConfig(config, { acceptServices: true });
  const credentials = ServiceCredentials.fromConfig(mod.name, config);
  const closers: (() => Promise<unknown>)[] = [];
  const checks: DependencyChecks = {};
  // NATS is checked but never makes the service not ready: events wait in the outbox (health.ts).
  const reported: DependencyChecks = {};
  const shutdown = new AbortController();
  const ctx = { name: mod.name, config, log, verifier, shutdownSignal: shutdown.signal } as ServiceContext;

  try {
    if (mod.database) {
      ctx.db = await openDatabase(config.databaseUrl, mod.database, config.dbPoolSize, mod.name);
      closers.push(() => ctx.db.destroy());
      checks.postgres = () => pingDatabase(ctx.db);
    }
    if (mod.redis) {
      ctx.redis = await connectRedis(config.redisUrl, log);
      closers.push(() => ctx.redis.close().catch(() => ctx.redis.destroy()));
      checks.redis = async () => { await ctx.redis.ping(); };
    }
    if (mod.nats || mod.outbox) {
      ctx.nats = await connectNats(config.natsUrl, mod.name);
      await ensureStreams(ctx.nats, streamSettings(config.env), log);
      closers.push(() => ctx.nats.nc.drain().catch(() => ctx.nats.nc.close()));
      reported.nats = () => pingNats(ctx.nats.nc);
    }
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw err;
  }

  const transports = new Map<ServiceName, ReturnType<typeof meshTransport>>();
  ctx.client = (service, target) => {
    let t = transports.get(target);
    if (!t) {
      t = meshTransport(config.addrs[target], 10_000, config.tls);
      transports.set(target, t);
    }
    return createClient(service, t);
  };
  // Over mesh TLS the client certificate names the service: no token; otherwise a token signed with the mesh key.
  ctx.serviceHeaders = async (): Promise<Record<string, string>> => (config.tls ? {} : credentials.headers());

  const built = await mod.build(ctx);
  const health = new HealthState(mod.name, { ...checks, ...built.checks }, log, reported);
  // Refused before the token is checked: a refusal is the cheapest answer a loaded process can give.
  const admission = new AdmissionGate(admissionSettings(config.env, "", 1000));
  const server = grpcServer((router) => {
    health.register(router);
    built.routes(router);
  }, [
    metricsInterceptor(), tracingInterceptor(), accessLogInterceptor(log), errorInterceptor(log),
    admissionInterceptor(() => ({ gate: admission, what: mod.name })), authInterceptor(verifier),
  ], { reflection });
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => server.bindAsync(
      `${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`, serverCredentials(config.tls),
      (err, p) => (err ? reject(err) : resolve(p)),
    ));
  } catch (err) {
    server.forceShutdown();
    for (const close of closers.reverse()) await close().catch(() => {});
    throw err;
  }

  let metrics: MetricsServer | undefined;
  let tasks: RuntimeTask[];
  const reports = () => tasks.map((t) => t.status.report());
  try {
    tasks = runtimeTasks(mod, ctx, built);
    metrics = await startMetricsServer(config.env, config.host, config.port, log, reports);
  } catch (err) {
    server.forceShutdown();
    for (const close of closers.reverse()) await close().catch(() => {});
    throw err;
  }

  const started: RuntimeTask[] = [];
  for (const task of tasks) {
    await task.start();
    task.status.started();
    started.push(task);
  }
  log.info({
    port, metrics: metrics?.url, tls: config.tls ? `mutual TLS as ${config.tls.identity}` : "off",
    tasks: tasks.map((t) => `${t.status.kind}:${t.name}`),
  }, `${mod.name} listening`);

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    health.markDraining();
    shutdown.abort();
    // GOAWAY: finish in-flight calls, accept no new ones; cut what is left after the grace period.
    const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    const timer = setTimeout(() => server.forceShutdown(), config.shutdownGraceMs);
    await closed;
    clearTimeout(timer);
    for (const task of started.reverse()) {
      await task.stop().catch((err) => log.warn({ err, task: task.name }, "background task did not stop cleanly"));
      task.status.stopped();
    }
    for (const close of closers.reverse()) await close().catch((err) => log.warn({ err }, "close failed"));
    await metrics?.close();
    log.info(`${mod.name} stopped`);
  })());

  return { port, url: `http://127.0.0.1:${port}`, metricsUrl: metrics?.url, ctx, admission, stop, tasks: reports };
}

type RuntimeTask = BackgroundTask & { status: TaskStatus };

/**
 * Everything a module declared besides its RPCs, as tasks in start order (stopped in reverse): the outbox relay,
 * the consumers (recording processed events in the module's schema), its own background work, the periodic jobs.
 * Each has a status (task-status.ts); a consumer's also says failing while the NATS connection is lost.
 */
function runtimeTasks(mod: ServiceModule, ctx: ServiceContext, built: BuiltService): RuntimeTask[] {
  const out: RuntimeTask[] = [];
  const schema = mod.database?.schema;
  if (mod.outbox) {
    if (!schema) throw new Error(`${mod.name}: an outbox needs a database`);
    const status = new TaskStatus("outbox", `${mod.name}-outbox`);
    const relay = new OutboxRelay(ctx.db, ctx.nats, ctx.config.databaseUrl, ctx.log.child({ component: "outbox" }), { schema, status });
    out.push({ name: status.name, start: () => relay.start(), stop: () => relay.stop(), status });
  }
  const consumers: TaskStatus[] = [];
  for (const decl of built.consumers ?? []) {
    if (!schema || !ctx.nats) throw new Error(`${mod.name}: consumer ${decl.durable} needs a database and NATS`);
    let running: RunningConsumer | undefined;
    const log = ctx.log.child({ component: decl.durable });
    const status = new TaskStatus("consumer", decl.durable, undefined, () => running?.stats ?? { applied: 0, rejected: 0, failed: 0 });
    consumers.push(status);
    out.push({
      name: decl.durable,
      status,
      start: async () => {
        running = "batch" in decl
          ? await runBatchConsumer(ctx.nats, ctx.db, schema, decl, log, ctx.config.env, status)
          : await runConsumer(ctx.nats, ctx.db, schema, decl, log, ctx.config.env, status);
      },
      stop: async () => { await running?.stop(); },
    });
  }
  if (consumers.length) void watchConnection(ctx.nats, consumers);
  for (const t of built.background ?? []) {
    out.push({ name: t.name, start: () => t.start(), stop: () => t.stop(), status: t.status ?? new TaskStatus("background", t.name) });
  }
  const leases = schema ? { ds: ctx.db, schema } : undefined;
  for (const job of built.jobs ?? []) out.push(runPeriodic(job, ctx.log.child({ component: job.name }), leases));
  return out;
}

/** Consumers get no events while the NATS connection is lost: they say failing until it is back. */
async function watchConnection(nats: Nats, consumers: TaskStatus[]): Promise<void> {
  for await (const s of nats.nc.status()) {
    if (s.type === "disconnect") for (const c of consumers) c.failed(`NATS connection lost (${s.data})`);
    if (s.type === "reconnect") for (const c of consumers) c.recovered();
  }
}

/** Entry point of a service process: configuration from the environment, stop on SIGTERM / SIGINT. */
export async function runMain(mod: ServiceModule): Promise<void> {
  const config = loadConfig(mod.name);
  let running: RunningService;
  let tracing: ReturnType<typeof startTracing>;
  try {
    tracing = startTracing(mod.name);
    running = await startService(mod, config);
  } catch (err) {
    createLogger(mod.name).fatal({ err }, `${mod.name} failed to start`);
    process.exit(1);
  }
  writeCountsOnSignal(mod.name, config.env, () => [running.admission]);
  const onSignal = (signal: string) => {
    running.ctx.log.info({ signal }, "shutting down");
    running.stop().then(() => tracing?.shutdown()).then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

/**
 * Answers every failure with a proper gRPC status. ConnectErrors pass as they are; an unexpected error is a
 * bug, logged with its stack and answered Internal without leaking details; a lost dependency is Unavailable.
 */
export function errorInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      if (isConnectionError(err)) {
        log.warn({ err, procedure: req.method.name }, "dependency unavailable");
        throw unavailable("DEPENDENCY_UNAVAILABLE", "a dependency is unavailable; retry shortly");
      }
      log.error({ err, procedure: `${req.service.typeName}/${req.method.name}` }, "unhandled error");
      throw internal();
    }
  };
}

/**
 * One line per RPC at info: the method, its status code, how long it took, the caller (user id, never a token)
 * and the gateway's request id; the trace and span ids come from the logger's mixin (log.ts). ACCESS_LOG=false
 * turns it off.
 */
export function accessLogInterceptor(log: Logger, enabled = process.env.ACCESS_LOG !== "false"): Interceptor {
  return (next) => async (req) => {
    if (!enabled) return next(req);
    const t0 = performance.now();
    const line = (code: number) => log.info({
      rpc: `${req.service.typeName}/${req.method.name}`, code: Code[code] ?? "OK", ms: Math.round((performance.now() - t0) * 10) / 10,
      user: req.contextValues.get(principalKey)?.subject, request_id: req.header.get("x-request-id") ?? undefined,
    }, "rpc");
    try {
      const res = await next(req);
      line(0);
      return res;
    } catch (err) {
      line(ConnectError.from(err).code);
      throw err;
    }
  };
}

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P01", "57P03", "53300"].includes(e?.code ?? "")
    || /Connection terminated|timeout exceeded when trying to connect/i.test(e?.message ?? "");
}

async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const client: Redis = createRedisClient({
    url,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  });
  let lastWarn = 0;
  client.on("error", (err) => {
    // The client reconnects by itself; log at most every 10 s so an outage does not flood the log.
    if (Date.now() - lastWarn > 10_000) {
      lastWarn = Date.now();
      log.warn({ err: err.message }, "redis connection error");
    }
  });
  await client.connect();
  return client;
}
