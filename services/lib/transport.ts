// How processes of the mesh call each other: gRPC over one HTTP/2 connection per target, uncompressed (on
// loopback or a LAN, gzip costs more CPU than the bytes it saves: a search page took ~2% of Search's and 4% of
// the gateway's CPU to compress and inflate).
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { replicaUrls } from "./config.js";

/**
 * Megabytes one mesh HTTP/2 session may hold (Node's `maxSessionMemory`, default 10). All calls between two
 * processes share one session; past the limit Node refuses new streams with ENHANCE_YOUR_CALM. At 400 searches/s
 * on a just-started 1M-item stack, refused streams (with deadlines) failed half the searches, and most of the
 * next run's; with this limit that run saw none. Calls now queue and end at their deadline when a service falls
 * behind. Servers (services/lib/server.ts) use the same limit.
 */
export const MESH_SESSION_MEMORY_MB = 512;

/**
 * The transport to a service at `baseUrl`, or to its replicas when it is a comma-separated list
 * (SEARCH_ADDR=127.0.0.1:50052,127.0.0.1:50152): calls then go round-robin, one HTTP/2 session per replica.
 */
export function meshTransport(baseUrl: string, defaultTimeoutMs?: number): Transport {
  const replicas = replicaUrls(baseUrl).map((url) => createGrpcTransport({
    baseUrl: url, defaultTimeoutMs, acceptCompression: [], nodeOptions: { maxSessionMemory: MESH_SESSION_MEMORY_MB },
    interceptors: [transportFailuresUnavailable],
  }));
  return replicas.length === 1 ? replicas[0] : roundRobin(replicas);
}

/** How long a replica that answered Unavailable (down, restarting, still loading) is passed over. */
const REPLICA_REST_MS = 1000;

/**
 * Spreads calls over replicas in turn. A replica whose call ended Unavailable rests for REPLICA_REST_MS, so a
 * restarting replica costs a few calls, not half of them; when every replica rests, calls try them anyway.
 * Calls are not retried on another replica: the transport cannot know which calls are safe to repeat.
 */
function roundRobin(replicas: Transport[]): Transport {
  const restUntil = new Array<number>(replicas.length).fill(0);
  let turn = 0;
  const pick = () => {
    const now = Date.now();
    for (let tried = 0; tried < replicas.length; tried++) {
      const r = turn++ % replicas.length;
      if (restUntil[r] <= now) return r;
    }
    return turn++ % replicas.length;
  };
  const watched = async <T>(r: number, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Unavailable) restUntil[r] = Date.now() + REPLICA_REST_MS;
      throw err;
    }
  };
  return {
    unary(method, signal, timeoutMs, header, input, contextValues) {
      const r = pick();
      return watched(r, () => replicas[r].unary(method, signal, timeoutMs, header, input, contextValues));
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      const r = pick();
      return watched(r, () => replicas[r].stream(method, signal, timeoutMs, header, input, contextValues));
    },
  };
}

/**
 * A reset stream or a closed HTTP/2 session between two processes means the callee could not be reached or
 * shed the call: Unavailable (retry), as for a refused connection. Connect reports these as Internal, which
 * the gateway would pass on to browsers as if it were a bug. Internal errors a service answers stay Internal.
 */
const transportFailuresUnavailable: Interceptor = (next) => async (req) => {
  try {
    const res = await next(req);
    if (!res.stream) return res;
    const messages = res.message;
    return {
      ...res,
      message: (async function* () {
        try {
          yield* messages;
        } catch (err) {
          throw asUnavailable(err);
        }
      })(),
    };
  } catch (err) {
    throw asUnavailable(err);
  }
};

function asUnavailable(err: unknown): unknown {
  const cause = err instanceof ConnectError ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (err instanceof ConnectError && err.code === Code.Internal && /^ERR_HTTP2_/.test(String(cause?.code ?? ""))) {
    return new ConnectError(err.rawMessage, Code.Unavailable, err.metadata, undefined, err);
  }
  return err;
}
