// `npm run build`: the production build. esbuild compiles each process (the six services, the gateway, and the
// migrations entry) into one ES module bundle in dist/ (dist/catalog.js ... dist/gateway.js, dist/migrate.js,
// with source maps), bundles the storefront into dist/web/, and copies the data files the processes read into
// dist/data/. npm packages stay outside the bundles (`packages: "external"`): they are loaded from
// node_modules, where the image installs production dependencies only. TypeORM migrations are classes the
// services import, so they travel inside each bundle. Takes about a second.
//
//   npm run build [-- --outdir DIR]      NODE_ENV=production npm start   runs the mesh from dist/
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { cliFlags } from "../services/lib/cli.js";
import { SERVICE_NAMES } from "../services/lib/config.js";
import { STOREFRONT_STATIC_FILES, storefrontBuildOptions, storefrontSourceFile } from "../gateway/src/storefront.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * A service's bundle starts from a small generated entry that runs its module (services/<name>/src/main.ts
 * exports it); the gateway and the migrations run from their own files.
 */
const serviceEntries: Plugin = {
  name: "shop-service-entries",
  setup(b) {
    b.onResolve({ filter: /^shop-service:/ }, (args) => ({ path: args.path.slice("shop-service:".length), namespace: "shop-service" }));
    b.onLoad({ filter: /.*/, namespace: "shop-service" }, (args) => ({
      contents: `import { runMain } from "./services/lib/server.ts";\n`
        + `import { ${args.path} } from "./services/${args.path}/src/main.ts";\n`
        + `void runMain(${args.path});\n`,
      loader: "ts",
      resolveDir: ROOT,
    }));
  },
};

export interface BuildSummary {
  outDir: string;
  bundles: string[];
  ms: number;
}

export async function buildDist(outDir: string): Promise<BuildSummary> {
  const started = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const entryPoints: Record<string, string> = {
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, `shop-service:${name}`])),
    gateway: path.join(ROOT, "gateway/src/main.ts"),
    migrate: path.join(ROOT, "deploy/migrate.ts"),
  };
  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    packages: "external",
    sourcemap: "linked",
    // services/lib/assets.ts: a bundle finds its data files and storefront beside itself.
    define: { BUNDLED: "true" },
    plugins: [serviceEntries],
    logLevel: "warning",
  });
  // The bundles are ES modules wherever dist/ is copied to.
  await writeFile(path.join(outDir, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
  await build({ ...storefrontBuildOptions(path.join(outDir, "web/assets")), write: true });
  for (const name of STOREFRONT_STATIC_FILES) await cp(storefrontSourceFile(name), path.join(outDir, "web", name));
  await cp(path.join(ROOT, "data"), path.join(outDir, "data"), { recursive: true });
  return { outDir, bundles: Object.keys(entryPoints).map((name) => `${name}.js`), ms: Date.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir } = cliFlags({
    usage: "npm run build --",
    summary: "The production build: one esbuild bundle per process, the storefront and the data files, in one directory; "
      + "NODE_ENV=production npm start runs the mesh from it.",
    flags: { outdir: { type: "string", default: path.join(ROOT, "dist"), help: "where the build goes" } },
  });
  const outDir = path.resolve(outdir);
  buildDist(outDir).then(
    (s) => console.log(`[build] ${s.bundles.join(", ")}, web/, data/ -> ${path.relative(process.cwd(), s.outDir) || s.outDir} in ${s.ms} ms`),
    (err) => {
      console.error(`[build] failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
