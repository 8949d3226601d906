// Forwarding: each exposed RPC is answered by calling the owning service over gRPC with the caller's
// credentials and deadline, so the services stay the only place where rules (and auth checks) live.
//
// Binary requests (Connect proto, gRPC-Web) are forwarded opaquely: every method is registered with
// google.protobuf.Empty as request and response type, so a message is decoded as a list of unknown fields
// (byte slices) and written back as the same bytes. Decoding and re-encoding a search result page with its real
// types costs more CPU than the rest of the gateway together; JSON requests need the real types to translate.
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { ConnectError, createClient, type ConnectRouter, type HandlerContext, type Transport } from "@connectrpc/connect";
import { RETRY_AFTER_HEADER } from "../../services/lib/admission.js";
import type { PublicService } from "./routes.js";

/** Request headers passed through to the services. */
const FORWARDED_HEADERS = ["authorization", "traceparent", "x-request-id"];

/** Default deadline for a forwarded unary call when the browser sets none; a browser may ask for less, never more. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_UNARY_TIMEOUT_MS = 30_000;
/** Streams (live order tracking) end after this; the storefront simply opens a new one. */
const MAX_STREAM_MS = 10 * 60_000;

/** The headers a forwarded call carries to the service: the caller's token and tracing, nothing of this hop. */
export function forwardedHeaders(requestHeader: Headers): Headers {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const v = requestHeader.get(name);
    if (v) headers.set(name, v);
  }
  return headers;
}

/** The deadline of a forwarded call, from what the browser asked for (undefined: it set none). */
export function forwardedTimeoutMs(requestedMs: number | undefined, streaming: boolean): number {
  const cap = streaming ? MAX_STREAM_MS : MAX_UNARY_TIMEOUT_MS;
  return Math.min(requestedMs ?? (streaming ? MAX_STREAM_MS : DEFAULT_TIMEOUT_MS), cap);
}

function callOptions(ctx: HandlerContext, streaming: boolean) {
  return {
    headers: forwardedHeaders(ctx.requestHeader),
    signal: ctx.signal,
    timeoutMs: forwardedTimeoutMs(ctx.timeoutMs(), streaming),
  };
}

/**
 * The service's error as the browser should see it: code, message and details, without the upstream call's
 * transport metadata (gRPC content-type, grpc-status...), which would otherwise be copied into the browser's
 * response headers and make a Connect client misread the answer.
 */
export function browserError(err: unknown): ConnectError {
  const e = ConnectError.from(err);
  // A refusal's retry hint (admission.ts) is the one piece of metadata meant for the browser.
  const retryAfter = e.metadata.get(RETRY_AFTER_HEADER);
  const out = new ConnectError(e.rawMessage, e.code, retryAfter ? { [RETRY_AFTER_HEADER]: retryAfter } : undefined);
  out.details.push(...e.details);
  return out;
}

/** The service with every message type replaced by Empty: its messages pass through as unknown fields, unparsed. */
function opaqueService(service: DescService): DescService {
  const methods = service.methods.map((m) => ({ ...m, input: EmptySchema, output: EmptySchema }) as DescMethod);
  return { ...service, methods, method: Object.fromEntries(methods.map((m) => [m.localName, m])) };
}

/** Registers the exposed RPCs; `opaque` for the router that serves binary requests only. */
export function registerForwarding(
  router: ConnectRouter, exposed: PublicService[], transportFor: (p: PublicService) => Transport, opaque = false,
): void {
  for (const p of exposed) {
    const service = opaque ? opaqueService(p.service) : p.service;
    const client = createClient(service, transportFor(p)) as Record<string, (...args: unknown[]) => unknown>;
    const impl: Record<string, unknown> = {};
    for (const method of service.methods) {
      if (p.methods !== "*" && !p.methods.includes(method.localName)) continue;
      const call = client[method.localName];
      switch (method.methodKind) {
        case "unary":
          impl[method.localName] = async (req: unknown, ctx: HandlerContext) => {
            try {
              return await call(req, callOptions(ctx, false));
            } catch (err) {
              throw browserError(err);
            }
          };
          break;
        case "server_streaming":
          impl[method.localName] = async function* (req: unknown, ctx: HandlerContext) {
            try {
              yield* call(req, callOptions(ctx, true)) as AsyncIterable<unknown>;
            } catch (err) {
              throw browserError(err);
            }
          };
          break;
        default:
          // No client or bidi streaming RPC is public; a browser could not use one through HTTP/1.1 anyway.
          continue;
      }
    }
    // Only the listed methods are registered: the rest of the service is not routable from outside.
    for (const method of service.methods) {
      const fn = impl[method.localName];
      if (fn) router.rpc(method as never, fn as never);
    }
  }
}

export type { DescService };
