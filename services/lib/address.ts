// Postal addresses (shop.common.v1.Address) as services keep them (JSON columns, camelCase like the proto's TS
// shape), and the shipping-address rules: what a parcel label needs, each field bounded, so a bad address
// answers InvalidArgument naming the field instead of reaching an order or a warehouse.
import { create } from "@bufbuild/protobuf";
import { AddressSchema, GeoPointSchema, type Address } from "../../gen/shop/common/v1/common_pb.js";
import { invalidArgument } from "./errors.js";
import { text } from "./validate.js";

/** An address as stored; location only when the shopper gave one. */
export interface StoredAddress {
  recipient: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
  location?: { lat: number; lon: number };
}

export function validateAddress(address: Address | undefined, field = "shipping_address"): StoredAddress {
  if (!address) throw invalidArgument(field, "is required");
  const f = (name: string) => `${field}.${name}`;
  const recipient = text(address.recipient, f("recipient"), { min: 1, max: 200 });
  const line1 = text(address.line1, f("line1"), { min: 1, max: 200 });
  const line2 = text(address.line2, f("line2"), { max: 200 });
  const city = text(address.city, f("city"), { min: 1, max: 100 });
  // Many countries have no regions, so it is optional.
  const region = text(address.region, f("region"), { max: 100 });
  const postalCode = text(address.postalCode, f("postal_code"), {
    min: 1, max: 20, pattern: /^[A-Za-z0-9][A-Za-z0-9 -]*$/, patternHint: "must be letters, digits, spaces or dashes",
  });
  const countryCode = text(address.countryCode, f("country_code"), {
    min: 2, max: 2, pattern: /^[A-Za-z]{2}$/, patternHint: "must be an ISO 3166-1 alpha-2 code, e.g. US",
  }).toUpperCase();
  const stored: StoredAddress = { recipient, line1, line2, city, region, postalCode, countryCode };
  if (address.location) {
    const { lat, lon } = address.location;
    if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw invalidArgument(f("location.lat"), "must be between -90 and 90");
    if (!Number.isFinite(lon) || lon < -180 || lon > 180) throw invalidArgument(f("location.lon"), "must be between -180 and 180");
    stored.location = { lat, lon };
  }
  return stored;
}

/** The stored address as the proto message. */
export function addressView(a: StoredAddress): Address {
  return create(AddressSchema, {
    recipient: a.recipient,
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    region: a.region,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    location: a.location ? create(GeoPointSchema, a.location) : undefined,
  });
}

/** A proto address taken as it is (already validated by whoever wrote it, e.g. from an event). */
export function storedAddress(a: Address | undefined): StoredAddress {
  const out: StoredAddress = {
    recipient: a?.recipient ?? "",
    line1: a?.line1 ?? "",
    line2: a?.line2 ?? "",
    city: a?.city ?? "",
    region: a?.region ?? "",
    postalCode: a?.postalCode ?? "",
    countryCode: a?.countryCode ?? "",
  };
  if (a?.location && Number.isFinite(a.location.lat) && Number.isFinite(a.location.lon)) {
    out.location = { lat: a.location.lat, lon: a.location.lon };
  }
  return out;
}
