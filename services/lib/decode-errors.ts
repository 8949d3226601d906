// connect-es answers a request body that is not valid protobuf binary with Code.Internal ("parse binary: ..."),
// and it does so before any interceptor runs. A malformed request is the caller's fault, so a service can
// re-label those answers InvalidArgument.
// Covers unary Connect (JSON error body) and gRPC (trailers); gRPC-Web trailers travel in the body and are
// left as they are. The bootstrap (server.ts) applies it to every service.
import type { ConnectRouter } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

const PARSE_FAILURE = /^parse binary: /;

function isParseFailure(code: string | null | undefined, message: string | null | undefined, internal: string): boolean {
  return code === internal && PARSE_FAILURE.test(message ?? "");
}

async function relabelConnectUnary(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (res.status !== 500 || !res.body || !res.header?.get("content-type")?.startsWith("application/json")) return res;
  if (res.header.get("content-encoding")) return res;
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  let error: { code?: string; message?: string } | undefined;
  try {
    error = JSON.parse(bytes.toString("utf8"));
  } catch {
    error = undefined;
  }
  if (!isParseFailure(error?.code, error?.message, "internal")) {
    return { ...res, body: (async function* () { yield bytes; })() };
  }
  const body = Buffer.from(JSON.stringify({ code: "invalid_argument", message: `request: ${error!.message}` }));
  res.header.set("content-length", String(body.byteLength));
  return { ...res, status: 400, body: (async function* () { yield body; })() };
}

function relabelGrpcTrailer(res: UniversalServerResponse): UniversalServerResponse {
  const trailer = res.trailer;
  if (!trailer || !res.body) return res;
  const body = res.body;
  const fix = () => {
    let message: string | undefined;
    try {
      message = decodeURIComponent(trailer.get("grpc-message") ?? "");
    } catch {
      return;
    }
    if (isParseFailure(trailer.get("grpc-status"), message, "13")) {
      trailer.set("grpc-status", "3");
      trailer.set("grpc-message", encodeURIComponent(`request: ${message}`));
    }
  };
  return {
    ...res,
    body: (async function* () {
      try {
        yield* body;
      } finally {
        fix(); // the adapter writes trailers only after the body is drained
      }
    })(),
  };
}

function wrap(handler: UniversalHandler): UniversalHandler {
  const wrapped = async (req: Parameters<UniversalHandler>[0]) => {
    const res = await handler(req);
    const type = req.header.get("content-type") ?? "";
    if (type.startsWith("application/grpc-web")) return res;
    if (type.startsWith("application/grpc")) return relabelGrpcTrailer(res);
    return relabelConnectUnary(res);
  };
  return Object.assign(wrapped, handler);
}

/** Re-labels the "request body is not protobuf" answers of every registered handler as InvalidArgument. */
export function answerUndecodableAsInvalidArgument(router: ConnectRouter): void {
  const handlers = router.handlers as UniversalHandler[];
  for (let i = 0; i < handlers.length; i++) handlers[i] = wrap(handlers[i]);
}
