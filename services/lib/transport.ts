// How processes of the mesh call each other: gRPC over one HTTP/2 connection per target, uncompressed (on
// loopback or a LAN, gzip costs more CPU than the bytes it saves: a search page took ~2% of Search's and 4% of
// the gateway's CPU to compress and inflate).
import { createGrpcTransport } from "@connectrpc/connect-node";

/**
 * Megabytes one mesh HTTP/2 session may hold (Node's `maxSessionMemory`, default 10). All calls between two
 * processes share one session; past the limit Node refuses new streams with ENHANCE_YOUR_CALM, which callers
 * saw as Internal errors, and at 400 searches/s on a cold stack it refused nine calls in ten. Calls queue instead
 * and end at their deadline when a service falls behind. Servers (services/lib/server.ts) use the same limit.
 */
export const MESH_SESSION_MEMORY_MB = 512;

export function meshTransport(baseUrl: string, defaultTimeoutMs?: number) {
  return createGrpcTransport({
    baseUrl, defaultTimeoutMs, acceptCompression: [], nodeOptions: { maxSessionMemory: MESH_SESSION_MEMORY_MB },
  });
}
