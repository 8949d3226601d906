// How processes of the mesh call each other: gRPC over one HTTP/2 connection per target, uncompressed (on
// loopback or a LAN, gzip costs more CPU than the bytes it saves: a search page took ~2% of Search's and 4% of
// the gateway's CPU to compress and inflate).
import { createGrpcTransport } from "@connectrpc/connect-node";

export function meshTransport(baseUrl: string, defaultTimeoutMs?: number) {
  return createGrpcTransport({ baseUrl, defaultTimeoutMs, acceptCompression: [] });
}
