// Forwarding: each exposed RPC is answered by calling the owning service over gRPC with the caller's
// credentials and deadline, so the services stay the only place where rules (and auth checks) live.
import type { DescService } from "@bufbuild/protobuf";
import { ConnectError, createClient, type ConnectRouter, type HandlerContext, type Transport } from "@connectrpc/connect";
import type { PublicService } from "./routes.js";

/** Request headers passed through to the services. */
const FORWARDED_HEADERS = ["authorization", "traceparent", "x-request-id"];

/** Default deadline for a forwarded unary call when the browser sets none; a browser may ask for less, never more. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_UNARY_TIMEOUT_MS = 30_000;
/** Streams (live order tracking) end after this; the storefront simply opens a new one. */
const MAX_STREAM_MS = 10 * 60_000;

function callOptions(ctx: HandlerContext, streaming: boolean) {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const v = ctx.requestHeader.get(name);
    if (v) headers[name] = v;
  }
  const remaining = ctx.timeoutMs();
  const cap = streaming ? MAX_STREAM_MS : MAX_UNARY_TIMEOUT_MS;
  return {
    headers,
    signal: ctx.signal,
    timeoutMs: Math.min(remaining ?? (streaming ? MAX_STREAM_MS : DEFAULT_TIMEOUT_MS), cap),
  };
}

/**
 * The service's error as the browser should see it: code, message and details, without the upstream call's
 * transport metadata (gRPC content-type, grpc-status...), which would otherwise be copied into the browser's
 * response headers and make a Connect client misread the answer.
 */
function clean(err: unknown): ConnectError {
  const e = ConnectError.from(err);
  const out = new ConnectError(e.rawMessage, e.code);
  out.details.push(...e.details);
  return out;
}

export function registerForwarding(router: ConnectRouter, exposed: PublicService[], transportFor: (p: PublicService) => Transport): void {
  for (const p of exposed) {
    const client = createClient(p.service, transportFor(p)) as Record<string, (...args: unknown[]) => unknown>;
    const impl: Record<string, unknown> = {};
    for (const method of p.service.methods) {
      if (p.methods !== "*" && !p.methods.includes(method.localName)) continue;
      const call = client[method.localName];
      switch (method.methodKind) {
        case "unary":
          impl[method.localName] = async (req: unknown, ctx: HandlerContext) => {
            try {
              return await call(req, callOptions(ctx, false));
            } catch (err) {
              throw clean(err);
            }
          };
          break;
        case "server_streaming":
          impl[method.localName] = async function* (req: unknown, ctx: HandlerContext) {
            try {
              yield* call(req, callOptions(ctx, true)) as AsyncIterable<unknown>;
            } catch (err) {
              throw clean(err);
            }
          };
          break;
        default:
          // No client or bidi streaming RPC is public; a browser could not use one through HTTP/1.1 anyway.
          continue;
      }
    }
    // Only the listed methods are registered: the rest of the service is not routable from outside.
    for (const method of p.service.methods) {
      const fn = impl[method.localName];
      if (fn) router.rpc(method as never, fn as never);
    }
  }
}

export type { DescService };
