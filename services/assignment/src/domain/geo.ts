// Where a parcel goes, for the planner's "nearest warehouse": the address's own coordinates when it has them,
// otherwise an estimate from its postal code or state, using known sites (the Best Buy store list in
// data/bestbuy/stores.json.gz: zip, state, lat/lon) as reference points. Pure: the index is built from data
// passed in, so it is unit tested without files.

import { haversineKm, type GeoPoint } from "../../../lib/geo.js";

export { haversineKm, type GeoPoint };

/** A reference point with a known US postal code and state. */
export interface Site {
  zip: string;
  state: string;
  lat: number;
  lon: number;
}

export interface GeoIndex {
  /** Centroid of the sites per 3-digit ZIP prefix (a USPS sectional center: roughly a metro area). */
  byZip3: Map<string, GeoPoint>;
  /** Centroid of the sites per state code. */
  byState: Map<string, GeoPoint>;
}

export interface AddressForGeo {
  postalCode: string;
  region: string;
  countryCode: string;
  location?: GeoPoint;
}

export type LocationSource = "address" | "zip3" | "state" | "none";

export function isValidPoint(p: GeoPoint | undefined): p is GeoPoint {
  return !!p && Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;
}

/** The 5-digit ZIP of a US postal code ("55425" or "55425-1234"), else undefined. */
export function usZip(postalCode: string): string | undefined {
  const m = /^(\d{5})(?:-?\d{4})?$/.exec(postalCode.trim());
  return m?.[1];
}

export function buildGeoIndex(sites: Site[]): GeoIndex {
  const zip3 = new Map<string, GeoPoint[]>();
  const state = new Map<string, GeoPoint[]>();
  for (const s of sites) {
    const point = { lat: s.lat, lon: s.lon };
    if (!isValidPoint(point)) continue;
    const zip = usZip(s.zip);
    if (zip) push(zip3, zip.slice(0, 3), point);
    if (/^[A-Za-z]{2}$/.test(s.state)) push(state, s.state.toUpperCase(), point);
  }
  return { byZip3: centroids(zip3), byState: centroids(state) };
}

/**
 * The best location we know for an address: its own valid coordinates; else, for US addresses (or ones with
 * no country), the centroid of reference sites sharing its 3-digit ZIP prefix; else of its state; else none.
 */
export function estimateLocation(address: AddressForGeo, index: GeoIndex): { point?: GeoPoint; source: LocationSource } {
  // (0, 0) is an empty GeoPoint message a client sent by mistake, not a parcel for the Gulf of Guinea.
  if (isValidPoint(address.location) && !(address.location.lat === 0 && address.location.lon === 0)) {
    return { point: { lat: address.location.lat, lon: address.location.lon }, source: "address" };
  }
  const country = address.countryCode.trim().toUpperCase();
  if (country !== "" && country !== "US") return { source: "none" };
  const zip = usZip(address.postalCode);
  const byZip = zip ? index.byZip3.get(zip.slice(0, 3)) : undefined;
  if (byZip) return { point: byZip, source: "zip3" };
  const byState = index.byState.get(address.region.trim().toUpperCase());
  if (byState) return { point: byState, source: "state" };
  return { source: "none" };
}

function push(map: Map<string, GeoPoint[]>, key: string, p: GeoPoint): void {
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}

/** Plain mean of lat and lon: fine within a ZIP area or a state (none straddles the antimeridian here). */
function centroids(groups: Map<string, GeoPoint[]>): Map<string, GeoPoint> {
  const out = new Map<string, GeoPoint>();
  for (const [key, points] of groups) {
    out.set(key, {
      lat: points.reduce((s, p) => s + p.lat, 0) / points.length,
      lon: points.reduce((s, p) => s + p.lon, 0) / points.length,
    });
  }
  return out;
}
