// Search's own metrics (served with the process's others: services/lib/metrics.ts).
import client from "prom-client";
import { registry, ScrapedGauge } from "../../lib/metrics.js";

/** hit / miss, and error / unavailable when Redis failed or was down (the ratio is hit over all). */
export const cacheLookups = new client.Counter({
  name: "search_cache_lookups_total", help: "Query cache lookups by result (hit, miss, error, unavailable)",
  labelNames: ["result"], registers: [registry],
});

export const indexItems = new ScrapedGauge("search_index_items", "Items in this process's search index");
