// Helper for a service's main.ts: run the module when the file is the process entry point, not when a test
// imports it. A production bundle inlines every module under one import.meta.url, so bundles never start a
// service this way: each starts its own from the entry deploy/build.ts writes for it.
import { pathToFileURL } from "node:url";
import { IS_BUNDLE } from "./assets.js";
import { runMain, type ServiceModule } from "./server.js";

export function runIfEntry(importMetaUrl: string, mod: ServiceModule): void {
  const entry = process.argv[1];
  if (IS_BUNDLE || !entry) return;
  if (pathToFileURL(entry).href === importMetaUrl || pathToFileURL(entry).href.replace(/\.ts$/, ".js") === importMetaUrl) {
    void runMain(mod);
  }
}
