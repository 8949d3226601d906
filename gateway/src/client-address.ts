// Who is calling, as far as rate limits are concerned: the TCP peer, or (behind a trusted reverse proxy,
// TRUST_PROXY=true) the address that proxy appended last to X-Forwarded-For. IPv6 clients are counted per
// /64, since one host usually controls a whole /64 and could otherwise rotate addresses at will.
import type http from "node:http";
import { isIPv6 } from "node:net";

export function clientAddress(req: { socket: { remoteAddress?: string }; headers: http.IncomingHttpHeaders }, trustProxy: boolean): string {
  let addr = req.socket.remoteAddress ?? "unknown";
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const last = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded ?? "").split(",").map((s) => s.trim()).filter(Boolean).pop();
    if (last) addr = last;
  }
  return normalizeAddress(addr);
}

export function normalizeAddress(addr: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return mapped[1];
  if (!isIPv6(addr)) return addr;
  return `${expandIPv6(addr).slice(0, 4).join(":")}::/64`;
}

function expandIPv6(addr: string): string[] {
  const [head, tail] = addr.split("%")[0].split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((h) => h.toLowerCase().replace(/^0+(?=.)/, ""));
}
