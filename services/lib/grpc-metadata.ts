// What the mesh's gRPC client (transport.ts) and server (grpc-host.ts) both translate between connect-es and
// grpc-js: a method's path, and Headers (connect-es's currency for metadata) to and from grpc-js Metadata.
// Binary (-bin) values travel base64-encoded in Headers.
import type { DescMethod } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

/** The HTTP/2 path of a method: /package.Service/Method. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/** Headers that grpc-js sets itself (framing, deadline, status), or that describe this hop rather than the call. */
const HOP_HEADERS = new Set([
  "content-type", "te", "user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "grpc-status", "grpc-message",
  "content-length", "host", "connection",
]);

export function metadataOf(header: HeadersInit | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (!header) return md;
  const add = (value: string, key: string) => {
    const name = key.toLowerCase();
    if (HOP_HEADERS.has(name) || name.startsWith(":")) return;
    if (name.endsWith("-bin")) md.add(name, Buffer.from(value, "base64"));
    else md.add(name, value);
  };
  if (header instanceof Headers) header.forEach(add);
  else if (Array.isArray(header)) for (const [k, v] of header) add(v, k);
  else for (const [k, v] of Object.entries(header)) add(v, k);
  return md;
}

export function headersOf(md: grpc.Metadata, into = new Headers()): Headers {
  for (const [key, values] of Object.entries(md.toJSON())) {
    for (const v of values) into.append(key, typeof v === "string" ? v : Buffer.from(v).toString("base64"));
  }
  return into;
}

/** The service and method a method path names ("/shop.order.v1.OrderService/SubmitOrder"), for metrics and spans. */
export function serviceAndMethod(path: string): { service: string; method: string } {
  const slash = path.lastIndexOf("/");
  return { service: path.slice(1, slash), method: path.slice(slash + 1) };
}
