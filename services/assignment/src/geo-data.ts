// The reference sites for estimating a shipping address's location: the Best Buy store list (CC0) in
// data/bestbuy/stores.json.gz. Loaded once, on first use; a missing file only means no estimates.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Logger } from "../../lib/log.js";
import { buildGeoIndex, type GeoIndex, type Site } from "./domain/geo.js";

const STORES_FILE = new URL("../../../data/bestbuy/stores.json.gz", import.meta.url);

interface StoreRecord {
  zip?: string;
  state?: string;
  location?: { lat?: number; lon?: number };
}

let cached: GeoIndex | undefined;

export function geoIndex(log?: Logger): GeoIndex {
  if (cached) return cached;
  let sites: Site[] = [];
  try {
    const stores = JSON.parse(gunzipSync(readFileSync(STORES_FILE)).toString("utf8")) as StoreRecord[];
    sites = stores.flatMap((s) =>
      typeof s.zip === "string" && typeof s.state === "string" && typeof s.location?.lat === "number" && typeof s.location?.lon === "number"
        ? [{ zip: s.zip, state: s.state, lat: s.location.lat, lon: s.location.lon }]
        : []);
  } catch (err) {
    log?.warn({ err: (err as Error).message, file: STORES_FILE.pathname }, "store list unavailable: shipping addresses without coordinates get no location estimate");
  }
  cached = buildGeoIndex(sites);
  return cached;
}
