// Prometheus metrics of a process of the mesh (prom-client), served as text on an HTTP port of its own
// (`METRICS_PORT`, by default the service port + 1000), never on a port the public reaches. The same port answers
// GET /tasks: the process's relays, consumers and jobs with their states, as JSON (task-status.ts).
//
// Metrics live in one registry per process. A series that several services could report from one process
// (tests run every service in one) carries a `service` label; in a deployment each process is one service.
// RPC metrics follow OpenTelemetry's rpc semantic conventions (rpc.server.duration, rpc.client.duration in
// milliseconds; rpc.system, rpc.service, rpc.method, rpc.grpc.status_code) as Prometheus names them.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import client from "prom-client";
import { serviceAndMethod } from "./grpc-metadata.js";
import { defaultMetricsPort, intFrom } from "./config.js";
import type { Logger } from "./log.js";
import type { TaskReport } from "./task-status.js";

export const registry = new client.Registry();
// The event-loop delay histogram samples every 50 ms rather than prom-client's 10 ms: each sample wakes an idle
// process, and at 10 ms that alone cost every process ~3.5 ms of CPU a second.
client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 });

/** Buckets for calls of a few milliseconds to the 10 s deadline. */
const MS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const RPC_LABELS = ["rpc_system", "rpc_service", "rpc_method", "rpc_grpc_status_code"] as const;

export const rpcServerDuration = new client.Histogram({
  name: "rpc_server_duration_milliseconds",
  help: "Duration of RPCs served, by method and gRPC status code (its _count is the number of calls)",
  labelNames: RPC_LABELS,
  buckets: MS_BUCKETS,
  registers: [registry],
});

export const rpcClientDuration = new client.Histogram({
  name: "rpc_client_duration_milliseconds",
  help: "Duration of RPCs this process made to other services, by method and gRPC status code",
  labelNames: RPC_LABELS,
  buckets: MS_BUCKETS,
  registers: [registry],
});

/** A call's gRPC status code: 0 when it succeeded. */
function statusCodeOf(err: unknown): number {
  return err === undefined ? 0 : err instanceof ConnectError ? err.code : Code.Unknown;
}

/** METRICS_ENABLED=false: no metrics port, and RPCs go untimed (what the benchmarks' telemetry matrix calls off). */
const recording = process.env.METRICS_ENABLED !== "false";

/** Records `call`'s duration and outcome in `histogram` for the method at `path` ("/pkg.Service/Method"). */
export async function timed<T>(histogram: client.Histogram<(typeof RPC_LABELS)[number]>, path: string, call: () => Promise<T>): Promise<T> {
  if (!recording) return call();
  const t0 = performance.now();
  const { service, method } = serviceAndMethod(path);
  const labels = { rpc_system: "grpc", rpc_service: service, rpc_method: method };
  try {
    const out = await call();
    histogram.observe({ ...labels, rpc_grpc_status_code: 0 }, performance.now() - t0);
    return out;
  } catch (err) {
    histogram.observe({ ...labels, rpc_grpc_status_code: statusCodeOf(err) }, performance.now() - t0);
    throw err;
  }
}

/** The server side's RPC metrics, as the outermost interceptor (it sees the status the caller gets). */
export function metricsInterceptor(): Interceptor {
  return (next) => (req) => timed(rpcServerDuration, `/${req.service.typeName}/${req.method.name}`, () => next(req));
}

// Events.
export const eventsPublished = new client.Counter({
  name: "events_published_total", help: "Events the outbox relays published, by subject",
  labelNames: ["service", "subject"], registers: [registry],
});
export const eventPublishFailures = new client.Counter({
  name: "events_publish_failures_total", help: "Event publishes that failed (retried later), by subject",
  labelNames: ["service", "subject"], registers: [registry],
});
export const eventsConsumed = new client.Counter({
  name: "events_consumed_total", help: "Event deliveries handled, by durable consumer",
  labelNames: ["durable"], registers: [registry],
});
export const eventRedeliveries = new client.Counter({
  name: "events_redelivered_total", help: "Deliveries of an event that had been delivered before, by durable consumer",
  labelNames: ["durable"], registers: [registry],
});
export const eventHandlerFailures = new client.Counter({
  name: "events_handler_failures_total", help: "Event deliveries whose handling failed (redelivered later), by durable consumer",
  labelNames: ["durable"], registers: [registry],
});
export const eventConsumerPending = new client.Gauge({
  name: "events_consumer_pending", help: "Events waiting in the stream for a durable consumer, as of its latest delivery",
  labelNames: ["durable"], registers: [registry],
});

/** A delivery of a JetStream message to a durable consumer: counts it and records the lag it reports. */
export function recordDelivery(durable: string, info: { redeliveryCount: number; pending: number }): void {
  eventsConsumed.inc({ durable });
  if (info.redeliveryCount > 1) eventRedeliveries.inc({ durable });
  eventConsumerPending.set({ durable }, info.pending);
}

/**
 * Gauges whose values are read when Prometheus scrapes (rows waiting in an outbox, active reservations...): each
 * service adds a reader for its own label values; a failing reader leaves its series out of that scrape.
 */
export class ScrapedGauge {
  private readonly readers = new Map<string, () => Promise<number>>();
  private readonly gauge: client.Gauge<"service">;

  constructor(name: string, help: string) {
    const readers = this.readers;
    this.gauge = new client.Gauge({
      name, help, labelNames: ["service"], registers: [registry],
      async collect() {
        this.reset();
        await Promise.all([...readers].map(async ([service, read]) => {
          try {
            this.set({ service }, await read());
          } catch {
            /* the dependency is down: no value this scrape (health reports the outage) */
          }
        }));
      },
    });
  }

  /** Reads `service`'s value at every scrape while the service runs (its background work, in the bootstrap's order). */
  task(service: string, read: () => Promise<number>): { name: string; start(): Promise<void>; stop(): Promise<void> } {
    let remove = () => {};
    return {
      name: `metrics:${service}`,
      start: async () => { remove = this.add(service, read); },
      stop: async () => remove(),
    };
  }

  /** Reads the value for `service` at every scrape until the returned function is called. */
  add(service: string, read: () => Promise<number>): () => void {
    this.readers.set(service, read);
    return () => {
      if (this.readers.get(service) === read) this.readers.delete(service);
    };
  }
}

export const outboxWaiting = new ScrapedGauge("outbox_events_waiting", "Outbox rows not yet published");
export const outboxOldestAge = new ScrapedGauge("outbox_oldest_waiting_age_seconds", "Age of the oldest outbox row not yet published (0 when none)");

/**
 * Serves this process's metrics unless METRICS_ENABLED=false: on METRICS_PORT, else on its own port + 1000 (a free
 * one when the process itself has port 0, as in tests). A configured port that is taken stops the start; the
 * derived one falls back to a free port with a warning, since a process without its metrics still serves.
 */
export async function startMetricsServer(
  env: Record<string, string | undefined>, host: string, servicePort: number, log: Logger, tasks?: () => TaskReport[],
): Promise<MetricsServer | undefined> {
  if (env.METRICS_ENABLED === "false") return undefined;
  const configured = env.METRICS_PORT !== undefined && env.METRICS_PORT !== "";
  const port = intFrom(env, "METRICS_PORT", defaultMetricsPort(servicePort));
  try {
    return await serveMetrics(host, port, tasks);
  } catch (err) {
    if (configured || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") {
      throw new Error(`metrics port ${port} unavailable (set METRICS_PORT): ${(err as Error).message}`);
    }
    const server = await serveMetrics(host, 0, tasks);
    log.warn({ wanted: port, metrics: server.url }, "metrics port in use; serving metrics on a free port (set METRICS_PORT)");
    return server;
  }
}

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves the registry as Prometheus text at /metrics, and `tasks` as JSON at /tasks. */
export async function serveMetrics(host: string, port: number, tasks?: () => TaskReport[]): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/tasks" && tasks) {
      res.writeHead(200, { "content-type": "application/json" }).end(`${JSON.stringify({ tasks: tasks() }, null, 2)}\n`);
      return;
    }
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found; metrics are at /metrics${tasks ? ", tasks at /tasks" : ""}\n`);
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (err) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
