// The reference sites for estimating a shipping address's location: the Best Buy store list (CC0) in
// data/bestbuy/stores.json.gz. Loaded once, on first use; a missing file only means no estimates.
import { readStores } from "../../lib/geo.js";
import type { Logger } from "../../lib/log.js";
import { buildGeoIndex, type GeoIndex, type Site } from "./domain/geo.js";

let cached: GeoIndex | undefined;

export function geoIndex(log?: Logger): GeoIndex {
  if (cached) return cached;
  let sites: Site[] = [];
  try {
    sites = readStores().flatMap((s) =>
      typeof s.zip === "string" && typeof s.state === "string" && typeof s.location?.lat === "number" && typeof s.location?.lon === "number"
        ? [{ zip: s.zip, state: s.state, lat: s.location.lat, lon: s.location.lon }]
        : []);
  } catch (err) {
    log?.warn({ err: (err as Error).message, file: "data/bestbuy/stores.json.gz" }, "store list unavailable: shipping addresses without coordinates get no location estimate");
  }
  cached = buildGeoIndex(sites);
  return cached;
}
