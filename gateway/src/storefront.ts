// The storefront's files, served by the gateway: the TypeScript app under gateway/web is bundled with esbuild
// in memory when the gateway starts (a few hundred ms), so there is no build step to forget and no stale
// bundle to serve. A production bundle (`npm run build`) serves the files deploy/build.ts wrote beside it
// (dist/web/) with the same esbuild options instead. Every GET that is not a file falls back to index.html
// (client-side routes).
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { BuildOptions } from "esbuild";
import { assetUrl, IS_BUNDLE } from "../../services/lib/assets.js";

/** The app's sources (development) and the prebuilt files of a production bundle. */
const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));
const BUILT_WEB_DIR = fileURLToPath(assetUrl("web/"));
/** Files copied as they are, beside the bundled app and styles under /assets/. */
export const STOREFRONT_STATIC_FILES = ["index.html", "favicon.svg"];

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

/** How the app and styles are bundled, in memory (development) or into `outdir` (npm run build). */
export function storefrontBuildOptions(outdir: string): BuildOptions {
  return {
    entryPoints: { app: `${WEB_DIR}src/app.ts`, styles: `${WEB_DIR}styles.css` },
    bundle: true,
    outdir,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "silent",
  };
}

/** Where the storefront's unbundled files live (index.html, favicon.svg). */
export function storefrontSourceFile(name: string): string {
  return path.join(WEB_DIR, name);
}

export async function buildStorefront(): Promise<Storefront> {
  const started = Date.now();
  const files = new Map<string, StaticFile>();
  if (IS_BUNDLE) {
    for (const rel of await readdir(BUILT_WEB_DIR, { recursive: true })) {
      const full = path.join(BUILT_WEB_DIR, rel);
      if (!/\.\w+$/.test(rel)) continue;
      files.set(`/${rel.split(path.sep).join("/")}`, file(await readFile(full), rel));
    }
    if (!files.has("/index.html")) throw new Error(`storefront files missing in ${BUILT_WEB_DIR}: run npm run build`);
    return { files, buildMs: Date.now() - started };
  }
  const { build } = await import("esbuild");
  const result = await build({ ...storefrontBuildOptions("/assets"), write: false });
  for (const out of result.outputFiles) files.set(out.path, file(Buffer.from(out.contents), out.path));
  for (const name of STOREFRONT_STATIC_FILES) files.set(`/${name}`, file(await readFile(storefrontSourceFile(name)), name));
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
