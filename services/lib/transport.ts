// How processes of the mesh call each other: gRPC over one HTTP/2 connection per target (per replica), through
// @grpc/grpc-js behind connect-es's Transport interface, so callers keep typed Connect clients
// (`createClient(Service, meshTransport(url))`) while grpc-js does the wire work (a Connect gRPC client cost
// ~0.4 ms more CPU per call; docs/performance.md, bench:rpc-floor). Uncompressed: on loopback or a LAN,
// gzip costs more CPU than the bytes it saves (a search page took ~2% of Search's and 4% of the gateway's CPU to
// compress and inflate); grpc-js always offers gzip, and the services' grpc-js servers never compress
// (grpc-host.ts). A failed call's code, message and error details (grpc-status-details-bin: BadRequest,
// ErrorInfo...; see errors.ts) reach the caller as a ConnectError, so a service or the gateway that passes a
// callee's error on passes its details on too.
import * as grpc from "@grpc/grpc-js";
import {
  create, fromBinary, isMessage, toBinary,
  type DescMessage, type DescMethodStreaming, type DescMethodUnary, type MessageShape,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type StreamResponse, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { findTrailerError, headerStatusDetailsBin } from "@connectrpc/connect/protocol-grpc";
import { isIP } from "node:net";
import { replicaUrls } from "./config.js";
import { headersOf, metadataOf, methodPath } from "./grpc-metadata.js";
import { IDEMPOTENT_RPCS } from "./idempotent-rpcs.js";

/**
 * Megabytes one mesh HTTP/2 session may hold (Node's `maxSessionMemory`, default 10). All calls between two
 * processes share one session; past the limit Node refuses new streams with ENHANCE_YOUR_CALM. At 400 searches/s
 * on a just-started 1M-item stack, refused streams (with deadlines) failed half the searches, and most of the
 * next run's; with this limit that run saw none. Calls now queue and end at their deadline when a service falls
 * behind. Servers (grpc-host.ts) use the same limit.
 */
export const MESH_SESSION_MEMORY_MB = 512;

/** grpc-js settings both ends of a mesh call use (clients here, servers in grpc-host.ts). */
export const MESH_GRPC_OPTIONS = {
  "grpc-node.max_session_memory": MESH_SESSION_MEMORY_MB,
  // As connect-es did: no size limit of its own between processes of the mesh.
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
  // Per-call bookkeeping for a channelz server we do not run.
  "grpc.enable_channelz": 0,
} as const;

/**
 * How a mesh channel picks and retries (gRPC service config): round_robin over every address its target resolves
 * to, so calls spread over a service's replicas and go only to connected ones (a replica that dies drops out as
 * its connection closes); a call of an idempotent RPC (idempotent-rpcs.ts) that fails Unavailable is sent again,
 * and round_robin sends it to the next replica.
 */
const SERVICE_CONFIG = JSON.stringify({
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [{
    name: IDEMPOTENT_RPCS.map((m) => ({ service: m.parent.typeName, method: m.name })),
    retryPolicy: {
      maxAttempts: 3,
      initialBackoff: "0.01s",
      maxBackoff: "0.2s",
      backoffMultiplier: 2,
      retryableStatusCodes: ["UNAVAILABLE"],
    },
  }],
});

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  ...MESH_GRPC_OPTIONS,
  "grpc.service_config": SERVICE_CONFIG,
  // A restarted service is called again within a second, not after grpc-js's default backoff (up to 120 s).
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1000,
  // A replica that vanished without closing its connections (host gone, network cut) is noticed within ~6 s.
  "grpc.keepalive_time_ms": 5000,
  "grpc.keepalive_timeout_ms": 1000,
  "grpc.keepalive_permit_without_calls": 1,
};

/**
 * A Transport that can also forward a unary call whose request and response stay encoded bytes: the gateway
 * passes binary Connect calls through this way, never decoding a message (gateway/src/unary-proxy.ts).
 */
export interface MeshTransport extends Transport {
  forward(path: string, request: Uint8Array, header: Headers, timeoutMs: number, signal?: AbortSignal): Promise<Buffer>;
}

/**
 * The transport to a service: one grpc-js channel to `addr` as config.ts gives it: a base URL
 * (http://127.0.0.1:50054), a comma-separated list of replicas' URLs (SEARCH_ADDR=127.0.0.1:50052,127.0.0.1:50152)
 * or `dns:///name:port` (a Kubernetes headless Service: every pod's address). Calls go round-robin over the
 * replicas, one HTTP/2 connection to each.
 */
export function meshTransport(addr: string, defaultTimeoutMs?: number): MeshTransport {
  return grpcTransport(channelTarget(addr), defaultTimeoutMs);
}

/** The grpc-js target of an address: `dns:///...` as it is, one host:port, or `ipv4:`/`ipv6:` with every replica. */
export function channelTarget(addr: string): string {
  const replicas = replicaUrls(addr);
  if (replicas.length === 1 && replicas[0].startsWith("dns:")) return replicas[0];
  const hosts = replicas.map((url) => new URL(url).host);
  if (hosts.length === 1) return hosts[0];
  const family = hosts.every((h) => isIP(new URL(`http://${h}`).hostname) === 4) ? "ipv4"
    : hosts.every((h) => h.startsWith("[")) ? "ipv6" : undefined;
  if (!family) {
    throw new Error(`replicas listed by address must be IP addresses of one family, got ${addr}; for host names give one dns:/// name that resolves to every replica`);
  }
  return `${family}:${hosts.join(",")}`;
}

interface MethodCodec {
  path: string;
  serialize(message: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

/** Bytes in, bytes out: grpc-js frames them as they are. */
const asBytes = (b: Buffer) => b;

/** A grpc-js channel to a target, with each method's path and (de)serializers made once. */
function grpcTransport(target: string, defaultTimeoutMs?: number): MeshTransport {
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const codecs = new Map<object, MethodCodec>();
  const codecOf = (method: DescMethodUnary | DescMethodStreaming): MethodCodec => {
    let c = codecs.get(method);
    if (!c) {
      c = {
        path: methodPath(method),
        serialize: (m) => Buffer.from(toBinary(method.input, m as MessageShape<DescMessage>)),
        deserialize: (b) => fromBinary(method.output, b),
      };
      codecs.set(method, c);
    }
    return c;
  };
  const optionsFor = (timeoutMs: number | undefined): grpc.CallOptions => {
    const t = timeoutMs ?? defaultTimeoutMs;
    return t !== undefined && t > 0 ? { deadline: Date.now() + t } : {};
  };
  const messageOf = <I extends DescMessage>(schema: I, input: unknown): MessageShape<I> =>
    isMessage(input, schema) ? input : create(schema, input as never);

  return {
    forward(path, request, header, timeoutMs, signal) {
      if (signal?.aborted) return Promise.reject(canceled());
      return new Promise<Buffer>((resolve, reject) => {
        const call = client.makeUnaryRequest(path, asBytes, asBytes, Buffer.from(request.buffer, request.byteOffset, request.byteLength),
          metadataOf(header), optionsFor(timeoutMs), (err, value) => {
            signal?.removeEventListener("abort", onAbort);
            if (err) reject(errorOf(err, signal));
            else resolve(value!);
          });
        const onAbort = () => call.cancel();
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },

    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>, signal: AbortSignal | undefined, timeoutMs: number | undefined,
      header: HeadersInit | undefined, input: unknown,
    ): Promise<UnaryResponse<I, O>> {
      if (signal?.aborted) return Promise.reject(canceled());
      const { path, serialize, deserialize } = codecOf(method);
      return new Promise((resolve, reject) => {
        let failure: grpc.ServiceError | null = null;
        let output: unknown;
        let responseHeader: Headers | undefined;
        const call = client.makeUnaryRequest(path, serialize, deserialize, messageOf(method.input, input), metadataOf(header), optionsFor(timeoutMs), (err, value) => {
          failure = err;
          output = value;
        });
        const onAbort = () => call.cancel();
        signal?.addEventListener("abort", onAbort, { once: true });
        call.on("metadata", (md) => { responseHeader = headersOf(md); });
        // grpc-js emits the status right after the callback, with the trailers.
        call.on("status", (status) => {
          signal?.removeEventListener("abort", onAbort);
          if (failure) {
            reject(errorOf(failure, signal));
            return;
          }
          resolve({
            stream: false, service: method.parent, method, header: responseHeader ?? new Headers(),
            message: output as MessageShape<O>, trailer: headersOf(status.metadata),
          });
        });
      });
    },

    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>, signal: AbortSignal | undefined, timeoutMs: number | undefined,
      header: HeadersInit | undefined, input: AsyncIterable<unknown>,
    ): Promise<StreamResponse<I, O>> {
      // Only server streams cross the mesh (live order tracking); nothing calls a client or bidi stream.
      if (method.methodKind !== "server_streaming") throw new ConnectError(`${method.methodKind} calls are not supported between services`, Code.Unimplemented);
      let request: unknown;
      for await (const m of input) {
        request = m;
        break;
      }
      if (signal?.aborted) throw canceled();
      const { path, serialize, deserialize } = codecOf(method);
      const call = client.makeServerStreamRequest(path, serialize, deserialize, messageOf(method.input, request), metadataOf(header), optionsFor(timeoutMs));
      const onAbort = () => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
      const trailer = new Headers();
      call.on("status", (status) => headersOf(status.metadata, trailer));
      // Answer once the response headers arrive; a call that fails first (refused, trailers only) rejects.
      const responseHeader = await new Promise<Headers>((resolve, reject) => {
        const onError = (err: grpc.ServiceError) => reject(errorOf(err, signal));
        call.once("error", onError);
        call.once("metadata", (md) => {
          call.off("error", onError);
          resolve(headersOf(md));
        });
      }).catch((err) => {
        signal?.removeEventListener("abort", onAbort);
        throw err;
      });
      const messages = (async function* () {
        try {
          for await (const m of call) yield m as MessageShape<O>;
        } catch (err) {
          throw errorOf(err as grpc.ServiceError, signal);
        } finally {
          signal?.removeEventListener("abort", onAbort);
          call.cancel(); // a no-op once the call has ended; frees the stream when the caller stops reading early
        }
      })();
      return { stream: true, service: method.parent, method, header: responseHeader, message: messages, trailer };
    },
  } as MeshTransport;
}

function canceled(): ConnectError {
  return new ConnectError("the call was canceled by its caller", Code.Canceled);
}

/**
 * The call's failure as a ConnectError with the same code and message, except that a stream the callee reset or
 * a connection that went (RST_STREAM without a gRPC status; ENHANCE_YOUR_CALM when its session is full) is
 * Unavailable: the callee could not be reached or shed the call, which is worth a retry and is not a bug. Internal
 * errors a service answers (with a status) stay Internal.
 */
function errorOf(err: grpc.ServiceError, signal: AbortSignal | undefined): ConnectError {
  if (!(err instanceof Error) || typeof err.code !== "number") return ConnectError.from(err);
  if (err.code === grpc.status.CANCELLED && signal?.aborted) return canceled();
  const message = err.details ?? err.message;
  const transportFailure = /^Received RST_STREAM|^Bandwidth exhausted|^Connection dropped/.test(message);
  const code = transportFailure ? Code.Unavailable : (err.code as number as Code);
  const metadata = err.metadata ? headersOf(err.metadata) : undefined;
  const error = new ConnectError(message, code, metadata, undefined, err);
  error.details = (metadata && detailsOf(metadata)) ?? [];
  return error;
}

/** The error details in a status's grpc-status-details-bin trailer; none when absent or not a google.rpc.Status. */
function detailsOf(trailer: Headers): ConnectError["details"] | undefined {
  if (!trailer.has(headerStatusDetailsBin)) return undefined;
  try {
    return findTrailerError(trailer)?.details;
  } catch {
    return undefined; // a peer's undecodable details do not hide its code and message
  }
}
