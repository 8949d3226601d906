// Serves the mesh's Connect service implementations (`ServiceImpl<typeof XService>`, registered on a
// ConnectRouter) over gRPC with @grpc/grpc-js. Handlers, interceptors and errors keep connect-es's types and
// meaning (HandlerContext with the caller's headers, deadline and signal; Interceptor; ConnectError); grpc-js
// does HTTP/2 and the framing at a fraction of connect-node's CPU (`npm run bench:rpc-floor`, docs/performance.md),
// and every search and every step of the buy path crosses these servers. Services speak plain gRPC only;
// browsers reach them through the gateway, which serves Connect, gRPC-Web and JSON.
import * as grpc from "@grpc/grpc-js";
import {
  create, fromBinary, isMessage, toBinary, type DescMessage, type DescMethod, type DescService, type MessageShape,
} from "@bufbuild/protobuf";
import {
  Code, ConnectError, createContextValues, createHandlerContext, createMethodImplSpec, createServiceImplSpec,
  type ConnectRouter, type HandlerContext, type Interceptor, type MethodImplSpec, type StreamRequest,
  type StreamResponse, type UnaryRequest, type UnaryResponse,
} from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { once } from "node:events";
import { invalidArgument } from "./errors.js";
import { headersOf, metadataOf, methodPath } from "./grpc-metadata.js";
import { addReflection } from "./reflection.js";
import { meshPeerKey } from "./mesh-access.js";
import { callerCertificateIdentity } from "./mesh-tls.js";
import { MESH_GRPC_OPTIONS } from "./transport.js";

export interface GrpcServerOptions {
  /** Serve gRPC server reflection for the registered services (reflection.ts). */
  reflection?: boolean;
}

/** A grpc-js server (not yet bound) for the methods `register` puts on the router, with the mesh's settings. */
export function grpcServer(register: (router: ConnectRouter) => void, interceptors: Interceptor[], options: GrpcServerOptions = {}): grpc.Server {
  const specs: MethodImplSpec[] = [];
  const router = {
    handlers: [],
    service(service: DescService, impl: object) {
      specs.push(...Object.values(createServiceImplSpec(service, impl as never).methods) as MethodImplSpec[]);
      return router;
    },
    rpc(method: DescMethod, impl: unknown) {
      specs.push(createMethodImplSpec(method as never, impl as never) as MethodImplSpec);
      return router;
    },
  };
  register(router as unknown as ConnectRouter);
  const server = new grpc.Server(MESH_GRPC_OPTIONS);
  for (const spec of specs) {
    const method = spec.method;
    const path = methodPath(method);
    const serialize = (m: unknown) => Buffer.from(toBinary(method.output, m as MessageShape<DescMessage>));
    // A body that is not the request message is the caller's mistake: InvalidArgument, not grpc-js's Internal.
    const deserialize = (b: Buffer) => {
      try {
        return fromBinary(method.input, b);
      } catch (err) {
        return new Undecodable(err);
      }
    };
    if (spec.kind === "unary") server.register(path, unary(spec, path, interceptors), serialize, deserialize, "unary");
    else if (spec.kind === "server_streaming") server.register(path, serverStream(spec, path, interceptors), serialize, deserialize, "serverStream");
    else throw new Error(`${path}: ${spec.kind} RPCs are not served by the mesh's gRPC server`);
  }
  if (options.reflection) addReflection(server, new Set(specs.map((s) => s.method.parent)));
  return server;
}

class Undecodable {
  readonly error: ConnectError;
  constructor(err: unknown) {
    this.error = invalidArgument("request", (err as Error).message ?? String(err));
  }
}

/** The reason the context's signal is aborted with once a call is over (a shared one: no stack captured per call). */
const CALL_ENDED = new ConnectError("the call has ended", Code.Canceled);
/** The reason when the caller cancels a call still running (shared too). */
const CALLER_CANCELED = new ConnectError("the caller canceled the call", Code.Canceled);

type Call = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

function contextOf(call: Call, method: DescMethod, path: string) {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  const ctx = createHandlerContext({
    service: method.parent, method, protocolName: "grpc", requestMethod: "POST",
    url: `http://${call.getHost()}${path}`,
    timeoutMs: Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined,
    requestHeader: headersOf(call.metadata),
    // The caller's certificate identity (mesh TLS), read once and only by the calls that need it (auth.ts).
    contextValues: createContextValues().set(meshPeerKey, () => (peer ??= [callerCertificateIdentity(call)])[0]),
  });
  let peer: [string | undefined] | undefined;
  // grpc-js says "cancelled" when any call's stream closes, also after the answer: only a call still running is aborted.
  call.once("cancelled", () => {
    if (!ctx.signal.aborted) ctx.abort(CALLER_CANCELED);
  });
  return ctx;
}

/** `inner` wrapped in the interceptors, the first outermost (as connect-es applies them). */
export function withInterceptors<T>(inner: T, interceptors: Interceptor[]): T {
  let next = inner;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i](next as never) as T;
  return next;
}

function output(method: DescMethod, value: unknown): unknown {
  return isMessage(value, method.output) ? value : create(method.output, value as never);
}

function sendHeader(call: Call, header: Headers): void {
  let any = false;
  header.forEach(() => { any = true; });
  if (any) call.sendMetadata(metadataOf(header));
}

/**
 * A handler's failure as the gRPC status it answers with: its code and message, and as trailers its metadata
 * and its error details (grpc-status-details-bin, a google.rpc.Status: see errors.ts). grpc-status and
 * grpc-message are grpc-js's to write, so metadataOf drops the ones setTrailerStatus puts beside the details.
 */
function statusOf(err: unknown): Partial<grpc.StatusObject> {
  const e = ConnectError.from(err);
  return { code: e.code as number, details: e.rawMessage, metadata: metadataOf(setTrailerStatus(new Headers(), e)) };
}

function unary(spec: MethodImplSpec, path: string, interceptors: Interceptor[]): grpc.handleUnaryCall<unknown, unknown> {
  const { method } = spec;
  const impl = spec.impl as (req: unknown, ctx: HandlerContext) => unknown;
  return (call, callback) => {
    if (call.request instanceof Undecodable) {
      callback(statusOf(call.request.error));
      return;
    }
    const ctx = contextOf(call, method, path);
    const inner = async (req: UnaryRequest): Promise<UnaryResponse> => ({
      stream: false, service: method.parent, method: method as never, header: ctx.responseHeader, trailer: ctx.responseTrailer,
      message: output(method, await impl(req.message, ctx)) as never,
    });
    const req: UnaryRequest = {
      stream: false, service: method.parent, method: method as never, requestMethod: "POST", url: ctx.url,
      signal: ctx.signal, header: ctx.requestHeader, contextValues: ctx.values, message: call.request as never,
    };
    withInterceptors(inner, interceptors)(req).then(
      (res) => {
        sendHeader(call, res.header);
        callback(null, res.message, metadataOf(res.trailer));
        ctx.abort(CALL_ENDED);
      },
      (err) => {
        callback(statusOf(err));
        ctx.abort(CALL_ENDED);
      },
    );
  };
}

function serverStream(spec: MethodImplSpec, path: string, interceptors: Interceptor[]): grpc.handleServerStreamingCall<unknown, unknown> {
  const { method } = spec;
  const impl = spec.impl as (req: unknown, ctx: HandlerContext) => AsyncIterable<unknown>;
  return (call) => {
    if (call.request instanceof Undecodable) {
      call.emit("error", statusOf(call.request.error));
      return;
    }
    const ctx = contextOf(call, method, path);
    const request = call.request;
    const inner = async (req: StreamRequest): Promise<StreamResponse> => {
      let first: unknown = request;
      for await (const m of req.message) {
        first = m;
        break;
      }
      return {
        stream: true, service: method.parent, method: method as never, header: ctx.responseHeader, trailer: ctx.responseTrailer,
        message: impl(first, ctx) as never,
      };
    };
    const req: StreamRequest = {
      stream: true, service: method.parent, method: method as never, requestMethod: "POST", url: ctx.url,
      signal: ctx.signal, header: ctx.requestHeader, contextValues: ctx.values,
      message: (async function* () { yield request; })() as never,
    };
    (async () => {
      const res = await withInterceptors(inner, interceptors)(req);
      let headerSent = false;
      for await (const m of res.message) {
        if (!headerSent) {
          sendHeader(call, res.header);
          headerSent = true;
        }
        if (call.cancelled) break;
        // Backpressure: a slow reader holds the handler here rather than filling memory.
        if (!call.write(output(method, m))) await once(call, "drain", { signal: ctx.signal }).catch(() => { /* call over */ });
      }
      if (!call.cancelled) call.end(metadataOf(res.trailer));
    })().catch((err) => {
      if (!call.cancelled) call.emit("error", statusOf(err));
    }).finally(() => ctx.abort(CALL_ENDED));
  };
}
