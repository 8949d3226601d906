// The browser-facing gateway: Connect (JSON and binary) and gRPC-Web over HTTP/1.1 on port 8080, forwarding
// the public RPCs to the services over gRPC. CORS for configured origins; request size capped.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { cors as connectCors } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { loadConfig, type Config, type ServiceName } from "../../services/lib/config.js";
import { createLogger } from "../../services/lib/log.js";
import { registerForwarding } from "./forward.js";
import { PUBLIC_SERVICES } from "./routes.js";

export interface RunningGateway {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Largest request body accepted (JSON or binary). */
const MAX_REQUEST_BYTES = 1 << 20;

export async function startGateway(config: Config): Promise<RunningGateway> {
  const log = createLogger("gateway", config.logLevel);
  const transports = new Map<ServiceName, ReturnType<typeof createGrpcTransport>>();
  const transportFor = (target: ServiceName) => {
    let t = transports.get(target);
    if (!t) {
      // Looked up when first used, so tests may fill in config.addrs after start.
      t = createGrpcTransport({ baseUrl: config.addrs[target] });
      transports.set(target, t);
    }
    return t;
  };
  const rpc = connectNodeAdapter({
    routes: (router) => registerForwarding(router, PUBLIC_SERVICES, (p) => transportFor(p.target)),
    readMaxBytes: MAX_REQUEST_BYTES,
  });
  const allowedOrigins = (config.env.CORS_ORIGINS ?? "*").split(",").map((s) => s.trim()).filter(Boolean);

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && (allowedOrigins.includes("*") || allowedOrigins.includes(origin))) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", connectCors.exposedHeaders.join(", "));
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "Access-Control-Allow-Methods": connectCors.allowedMethods.join(", "),
          "Access-Control-Allow-Headers": [...connectCors.allowedHeaders, "Authorization", "Traceparent"].join(", "),
          "Access-Control-Max-Age": "7200",
        });
        res.end();
        return;
      }
    }
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    rpc(req, res);
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, "gateway listening");

  let stopping: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () => (stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Long-lived streams (order tracking) are cut after the grace period.
      setTimeout(() => { for (const s of sockets) s.destroy(); }, config.shutdownGraceMs).unref();
    })),
  };
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const config = loadConfig("gateway");
  const gateway = await startGateway(config).catch((err) => {
    createLogger("gateway").fatal({ err }, "gateway failed to start");
    process.exit(1);
  });
  const onSignal = () => gateway.stop().then(() => process.exit(0));
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
