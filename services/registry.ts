// The one registry of the mesh's services: which module implements each. `npm start`, the test harness and
// the gateway read it; adding a service adds a line here (plus its folder and proto).
import { existsSync } from "node:fs";
import type { ServiceName } from "./lib/config.js";
import type { ServiceModule } from "./lib/server.js";

export const SERVICE_MODULES: Record<ServiceName, () => Promise<ServiceModule>> = {
  catalog: async () => (await import("./catalog/src/main.js")).catalog,
  search: async () => (await import("./search/src/main.js")).search,
  cart: async () => (await import("./cart/src/main.js")).cart,
  inventory: async () => (await import("./inventory/src/main.js")).inventory,
  order: async () => (await import("./order/src/main.js")).order,
  assignment: async () => (await import("./assignment/src/main.js")).assignment,
};

/** The processes `npm start` runs: the six services and the gateway. */
export type ProcessName = ServiceName | "gateway";

/**
 * Node arguments that run one process: its TypeScript entry through tsx, or with NODE_ENV=production its
 * bundle from `npm run build` (dist/<name>.js), which must exist.
 */
export function processArgs(name: ProcessName, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.NODE_ENV === "production") {
    const bundle = bundlePath(name);
    if (!existsSync(bundle)) throw new Error(`NODE_ENV=production runs the bundles in dist/, and ${bundle} is missing: run npm run build first`);
    return ["--enable-source-maps", bundle];
  }
  return ["--import", "tsx", name === "gateway" ? "gateway/src/main.ts" : `services/${name}/src/main.ts`];
}

/** Where `npm run build` writes a process's bundle (relative to the repository root unless `distDir` is given). */
export function bundlePath(name: ProcessName | "migrate", distDir = "dist"): string {
  return `${distDir}/${name}.js`;
}
