// Connect unary calls in the binary format (POST, application/proto: the storefront's search box, bench:search)
// are forwarded to the owning service as gRPC without decoding anything: the request body becomes the gRPC
// message and the service's answer the response body, as bytes. The gateway's interceptors (errors, rate limits,
// token verification) run first, and the deadline, forwarded headers and error shape are forward.ts's. JSON,
// gRPC-Web, streams, GET and the gateway's own IdentityService stay with connect-node.
//
// Why not connect-node for these too: it decodes and re-encodes every message and builds a request, a signal
// and body iterables around each call, about half the gateway's CPU per search (docs/performance.md). The
// protocol's details (content type, timeout header, compression, error codes to HTTP statuses, the error body)
// come from connect-es's own protocol modules, so they answer as connect-node does.
import type http from "node:http";
import type { DescMethod } from "@bufbuild/protobuf";
import {
  Code, ConnectError, createContextKey, type ContextValues, type Interceptor, type UnaryRequest, type UnaryResponse,
} from "@connectrpc/connect";
import { compressionNegotiate } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus, errorToJsonBytes, headerUnaryAcceptEncoding, parseContentType, parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { resourceExhausted } from "../../services/lib/errors.js";
import { withInterceptors } from "../../services/lib/grpc-host.js";
import { methodPath } from "../../services/lib/grpc-metadata.js";
import type { MeshTransport } from "../../services/lib/transport.js";
import { browserError, forwardedHeaders, forwardedTimeoutMs } from "./forward.js";
import type { PublicService } from "./routes.js";

export interface UnaryProxyOptions {
  exposed: PublicService[];
  transportFor(p: PublicService): MeshTransport;
  interceptors: Interceptor[];
  /** Largest request body, as the Connect router's readMaxBytes. */
  maxRequestBytes: number;
  contextValues(req: http.IncomingMessage): ContextValues;
}

/** What connect-node accepts and answers with by default, and from what size it compresses an answer. */
const COMPRESSIONS = [compressionGzip, compressionBrotli];
const COMPRESS_MIN_BYTES = 1024;

/** The deadline the browser asked for (connect-timeout-ms), for the forwarding call at the end of the chain. */
const requestedTimeoutKey = createContextKey<number | undefined>(undefined, { description: "connect-timeout-ms" });

type Call = (req: UnaryRequest) => Promise<UnaryResponse>;

/**
 * A request handler that answers the calls it takes and returns true, or returns false, touching nothing, for a
 * request connect-node should serve.
 */
export function unaryProxy(opts: UnaryProxyOptions): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const routes = new Map<string, { method: DescMethod; call: Call }>();
  for (const p of opts.exposed) {
    for (const method of p.service.methods) {
      if (method.methodKind !== "unary") continue;
      if (p.methods !== "*" && !p.methods.includes(method.localName)) continue;
      const path = methodPath(method);
      const call = withInterceptors<Call>(async (req) => {
        // Looked up per call (the gateway keeps one transport per service), so tests may set addresses after start.
        const body = await opts.transportFor(p).forward(path, req.message as unknown as Uint8Array, forwardedHeaders(req.header),
          forwardedTimeoutMs(req.contextValues.get(requestedTimeoutKey), false), req.signal);
        return { stream: false, service: method.parent, method: method as never, header: new Headers(), trailer: new Headers(), message: body as never };
      }, opts.interceptors);
      routes.set(path, { method, call });
    }
  }

  return (req, res) => {
    if (req.method !== "POST") return false;
    const type = parseContentType(req.headers["content-type"] ?? null);
    if (!type || !type.binary || type.stream) return false;
    const route = routes.get(req.url ?? "");
    if (!route) return false;
    serve(req, res, route.method, route.call, opts).catch((err) => res.destroy(err as Error));
    return true;
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, method: DescMethod, call: Call, opts: UnaryProxyOptions): Promise<void> {
  const abort = new AbortController();
  // A client that goes away before its answer cancels the call it made, as connect-node's context signal does.
  res.once("close", () => { if (!res.writableFinished) abort.abort(new ConnectError("the client went away", Code.Canceled)); });
  const compression = compressionNegotiate(COMPRESSIONS, one(req.headers["content-encoding"]), one(req.headers["accept-encoding"]), headerUnaryAcceptEncoding);
  let answer: Uint8Array;
  try {
    if (compression.error) throw compression.error;
    const timeout = parseTimeout(one(req.headers["connect-timeout-ms"]), Number.MAX_SAFE_INTEGER);
    if (timeout.error) throw timeout.error;
    let body = await readBody(req, opts.maxRequestBytes);
    if (compression.request) body = await compression.request.decompress(body, opts.maxRequestBytes);
    const header = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) header.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const contextValues = opts.contextValues(req).set(requestedTimeoutKey, timeout.timeoutMs);
    answer = (await call({
      stream: false, service: method.parent, method: method as never, requestMethod: "POST", url: `http://${req.headers.host ?? "gateway"}${req.url}`,
      signal: abort.signal, header, contextValues, message: body as never,
    })).message as unknown as Uint8Array;
  } catch (err) {
    const e = browserError(err);
    const bytes = errorToJsonBytes(e, {});
    const headers: http.OutgoingHttpHeaders = { "content-type": "application/json", "content-length": bytes.byteLength };
    // Connect unary errors carry their metadata as response headers (a refusal's retry hint).
    e.metadata.forEach((value, name) => { headers[name] = value; });
    res.writeHead(codeToHttpStatus(e.code), headers);
    res.end(bytes);
    return;
  }
  const headers: http.OutgoingHttpHeaders = { "content-type": "application/proto" };
  if (compression.response && answer.byteLength >= COMPRESS_MIN_BYTES) {
    answer = await compression.response.compress(answer);
    headers["content-encoding"] = compression.response.name;
  }
  headers["content-length"] = answer.byteLength;
  res.writeHead(200, headers);
  res.end(answer);
}

function one(v: string | string[] | undefined): string | null {
  return v === undefined ? null : Array.isArray(v) ? v.join(",") : v;
}

/**
 * The whole body, or ResourceExhausted past the cap (as the Connect router's readMaxBytes answers). What is left
 * of a refused body is drained by node:http once the answer is written.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Uint8Array> {
  const tooLarge = () => resourceExhausted("REQUEST_TOO_LARGE", `message size is larger than configured readMaxBytes ${max}`);
  if (Number(req.headers["content-length"]) > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) {
        chunks.push(c);
        return;
      }
      req.off("data", onData);
      req.pause();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
