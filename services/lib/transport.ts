// How processes of the mesh call each other: gRPC over one HTTP/2 connection per target, uncompressed (on
// loopback or a LAN, gzip costs more CPU than the bytes it saves: a search page took ~2% of Search's and 4% of
// the gateway's CPU to compress and inflate).
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

/**
 * Megabytes one mesh HTTP/2 session may hold (Node's `maxSessionMemory`, default 10). All calls between two
 * processes share one session; past the limit Node refuses new streams with ENHANCE_YOUR_CALM. At 400 searches/s
 * on a just-started 1M-item stack, refused streams (with deadlines) failed half the searches, and most of the
 * next run's; with this limit that run saw none. Calls now queue and end at their deadline when a service falls
 * behind. Servers (services/lib/server.ts) use the same limit.
 */
export const MESH_SESSION_MEMORY_MB = 512;

export function meshTransport(baseUrl: string, defaultTimeoutMs?: number) {
  return createGrpcTransport({
    baseUrl, defaultTimeoutMs, acceptCompression: [], nodeOptions: { maxSessionMemory: MESH_SESSION_MEMORY_MB },
    interceptors: [transportFailuresUnavailable],
  });
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
