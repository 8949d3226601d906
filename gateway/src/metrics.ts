// The gateway's own metrics, beside the RPC and runtime metrics every process serves (services/lib/metrics.ts).
import type http from "node:http";
import client from "prom-client";
import { registry } from "../../services/lib/metrics.js";

export const requestsByProtocol = new client.Counter({
  name: "gateway_requests_total", help: "RPC requests by browser protocol (connect, json, grpc_web)",
  labelNames: ["protocol"], registers: [registry],
});

export const rateLimitRefusals = new client.Counter({
  name: "gateway_rate_limit_refusals_total", help: "Requests refused by a rate limit (ResourceExhausted)", registers: [registry],
});

export const requestsInFlight = new client.Gauge({
  name: "gateway_requests_in_flight", help: "RPC requests being answered now", registers: [registry],
});

/** The protocol a browser request speaks, from its content type (a Connect GET carries its encoding in the URL). */
export function protocolOf(req: http.IncomingMessage): "connect" | "json" | "grpc_web" {
  const type = req.headers["content-type"] ?? "";
  if (/^application\/grpc-web/i.test(type)) return "grpc_web";
  if (/^application\/(connect\+)?proto/i.test(type)) return "connect";
  if (req.method === "GET" && /[?&]encoding=proto(&|$)/.test(req.url ?? "")) return "connect";
  return "json";
}

/** Counts an RPC request by protocol and keeps it in flight until its response is done. */
export function trackRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
  requestsByProtocol.inc({ protocol: protocolOf(req) });
  requestsInFlight.inc();
  res.once("close", () => requestsInFlight.dec());
}
