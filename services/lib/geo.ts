// Places on Earth: great-circle distance, and the Best Buy store list (CC0, data/bestbuy/stores.json.gz) that
// the demo warehouses and the assignment service's location estimates are drawn from.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { assetUrl } from "./assets.js";

export interface GeoPoint {
  lat: number;
  lon: number;
}

const EARTH_DIAMETER_KM = 12_742;

/** Great-circle distance (haversine), in km. */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2
    + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return EARTH_DIAMETER_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A store as the data set has it (only the fields the mesh uses). */
export interface StoreRecord {
  id: number;
  type?: string;
  name: string;
  address?: string;
  address2?: string;
  city?: string;
  state?: string;
  zip?: string;
  location?: { lat?: number; lon?: number };
}

const STORES_FILE = assetUrl("data/bestbuy/stores.json.gz");

/** The 1,565 real US store locations. Throws when the data file is missing. */
export function readStores(): StoreRecord[] {
  return JSON.parse(gunzipSync(readFileSync(STORES_FILE)).toString("utf8")) as StoreRecord[];
}
