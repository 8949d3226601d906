// The storefront's files, served by the gateway: the TypeScript app under gateway/web is bundled with esbuild
// in memory when the gateway starts (a few hundred ms), so there is no build step to forget and no stale
// bundle to serve. Every GET that is not a file falls back to index.html (client-side routes).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type http from "node:http";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));

interface StaticFile {
  body: Buffer;
  /** Compressed once at start-up (the bundle shrinks to about a quarter). */
  gzip: Buffer;
  type: string;
  etag: string;
}

export interface Storefront {
  files: Map<string, StaticFile>;
  buildMs: number;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
};

function file(body: Buffer, name: string): StaticFile {
  const ext = name.slice(name.lastIndexOf("."));
  return { body, gzip: gzipSync(body), type: TYPES[ext] ?? "application/octet-stream", etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` };
}

export async function buildStorefront(): Promise<Storefront> {
  const started = Date.now();
  const result = await build({
    entryPoints: { app: `${WEB_DIR}src/app.ts`, styles: `${WEB_DIR}styles.css` },
    bundle: true,
    write: false,
    outdir: "/assets",
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "silent",
  });
  const files = new Map<string, StaticFile>();
  for (const out of result.outputFiles) files.set(out.path, file(Buffer.from(out.contents), out.path));
  files.set("/index.html", file(await readFile(`${WEB_DIR}index.html`), "index.html"));
  files.set("/favicon.svg", file(await readFile(`${WEB_DIR}favicon.svg`), "favicon.svg"));
  return { files, buildMs: Date.now() - started };
}

/** RPC paths look like /shop.catalog.v1.CatalogService/ListItems; everything else may be the storefront. */
const RPC_PATH = /^\/[a-z][\w]*(\.[\w]+)+\/[A-Za-z]\w*$/;

// The storefront talks only to its own origin; item images may come from any https host.
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' https: data:; connect-src 'self'; style-src 'self'; "
    + "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

/** Answers a storefront request and returns true, or returns false for anything else (RPCs). */
export function serveStorefront(sf: Storefront, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (RPC_PATH.test(path)) return false;
  let f = sf.files.get(path);
  if (!f) {
    if (path.startsWith("/assets/") || path === "/favicon.ico") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return true;
    }
    f = sf.files.get("/index.html")!;
  }
  const headers = { ...SECURITY_HEADERS, "content-type": f.type, etag: f.etag, "cache-control": "no-cache", vary: "accept-encoding" };
  if (req.headers["if-none-match"] === f.etag) {
    res.writeHead(304, headers).end();
    return true;
  }
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? f.gzip : f.body;
  res.writeHead(200, { ...headers, ...(gzip ? { "content-encoding": "gzip" } : {}), "content-length": String(body.length) });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
