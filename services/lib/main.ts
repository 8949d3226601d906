// Helper for a service's main.ts: run the module when the file is the process entry point, not when a test
// imports it.
import { pathToFileURL } from "node:url";
import { runMain, type ServiceModule } from "./server.js";

export function runIfEntry(importMetaUrl: string, mod: ServiceModule): void {
  const entry = process.argv[1];
  if (entry && (pathToFileURL(entry).href === importMetaUrl || pathToFileURL(entry).href.replace(/\.ts$/, ".js") === importMetaUrl)) {
    void runMain(mod);
  }
}
