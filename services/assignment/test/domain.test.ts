// Pure rules besides the planner: the warehouse order's transition table, the shipping-location estimate,
// derived warehouse order ids, the OrderPlaced checks and the settings.
import { create } from "@bufbuild/protobuf";
import { expect } from "chai";
import { OrderPlacedSchema } from "../../../gen/shop/order/v1/order_pb.js";
import { placedOrder } from "../src/assigner.js";
import { buildGeoIndex, estimateLocation, haversineKm, usZip } from "../src/domain/geo.js";
import { uuidV5, warehouseOrderId } from "../src/domain/ids.js";
import { loadSettings } from "../src/settings.js";
import { STATUSES, hasShipped, isCancellable, warehouseTransition, type Status } from "../src/domain/status.js";
import { geoIndex } from "../src/geo-data.js";

describe("warehouse order transitions", () => {
  it("allows exactly ASSIGNED -> PICKED -> PACKED -> SHIPPED -> DELIVERED, one step at a time", () => {
    const allowed: string[] = [];
    for (const from of STATUSES) {
      for (const to of STATUSES) if (warehouseTransition(from, to).kind === "advance") allowed.push(`${from}->${to}`);
    }
    expect(allowed).to.deep.equal(["ASSIGNED->PICKED", "PICKED->PACKED", "PACKED->SHIPPED", "SHIPPED->DELIVERED"]);
  });

  it("treats reporting the current status again as a repeat", () => {
    for (const s of STATUSES) expect(warehouseTransition(s, s).kind).to.equal("repeat");
  });

  it("refuses skipping, going back, leaving DELIVERED or CANCELLED, and cancelling by report, with a reason", () => {
    const cases: [Status, Status, RegExp][] = [
      ["ASSIGNED", "SHIPPED", /can only become PICKED/],
      ["PACKED", "PICKED", /can only become SHIPPED/],
      ["DELIVERED", "SHIPPED", /already delivered/],
      ["CANCELLED", "PICKED", /cancelled/],
      ["ASSIGNED", "CANCELLED", /CancelOrderAssignment/],
    ];
    for (const [from, to, reason] of cases) {
      const t = warehouseTransition(from, to);
      expect(t.kind, `${from}->${to}`).to.equal("refused");
      expect(t.kind === "refused" && t.reason).to.match(reason);
    }
  });

  it("lets an order be cancelled until it ships", () => {
    expect(STATUSES.filter(isCancellable)).to.deep.equal(["ASSIGNED", "PICKED", "PACKED"]);
    expect(STATUSES.filter(hasShipped)).to.deep.equal(["SHIPPED", "DELIVERED"]);
  });
});

describe("shipping location estimate", () => {
  const index = buildGeoIndex([
    { zip: "55425", state: "MN", lat: 44.8, lon: -93.2 },
    { zip: "55430-1234", state: "MN", lat: 45.0, lon: -93.4 },
    { zip: "55901", state: "MN", lat: 44.0, lon: -92.5 },
    { zip: "10001", state: "NY", lat: 40.75, lon: -73.99 },
    { zip: "bad", state: "NY", lat: 41.0, lon: -74.0 },
  ]);
  const addr = (postalCode: string, region = "", countryCode = "US", location?: { lat: number; lon: number }) =>
    ({ postalCode, region, countryCode, location });

  it("uses the address's own coordinates when it has valid ones", () => {
    expect(estimateLocation(addr("55425", "MN", "US", { lat: 10, lon: 20 }), index)).to.deep.equal({ point: { lat: 10, lon: 20 }, source: "address" });
  });

  it("ignores an empty (0, 0) or out-of-range location and estimates instead", () => {
    expect(estimateLocation(addr("10001", "", "US", { lat: 0, lon: 0 }), index).source).to.equal("zip3");
    expect(estimateLocation(addr("10001", "", "US", { lat: 95, lon: 0 }), index).source).to.equal("zip3");
  });

  it("takes the centroid of the sites sharing the 3-digit ZIP prefix (ZIP+4 accepted)", () => {
    const r = estimateLocation(addr("55401-0001"), index);
    expect(r.source).to.equal("zip3");
    expect(r.point!.lat).to.be.closeTo(44.9, 1e-9);
    expect(r.point!.lon).to.be.closeTo(-93.3, 1e-9);
  });

  it("falls back to the state's centroid, then to no location", () => {
    const mn = estimateLocation(addr("56001", "mn"), index);
    expect(mn.source).to.equal("state");
    expect(mn.point!.lat).to.be.closeTo((44.8 + 45.0 + 44.0) / 3, 1e-9);
    expect(estimateLocation(addr("", "NY"), index).point).to.deep.equal({ lat: (40.75 + 41.0) / 2, lon: (-73.99 - 74.0) / 2 });
    expect(estimateLocation(addr("99999", "ZZ"), index)).to.deep.equal({ source: "none" });
  });

  it("does not read a foreign postal code as a US ZIP", () => {
    expect(estimateLocation(addr("10001", "NY", "DE"), index)).to.deep.equal({ source: "none" });
    expect(estimateLocation(addr("10001", "NY", ""), index).source).to.equal("zip3");
    expect(usZip("K1A 0B1")).to.equal(undefined);
  });

  it("measures great-circle distances (Minneapolis - Chicago is about 570 km)", () => {
    expect(haversineKm({ lat: 44.9778, lon: -93.265 }, { lat: 41.8781, lon: -87.6298 })).to.be.within(560, 580);
    expect(haversineKm({ lat: 1, lon: 2 }, { lat: 1, lon: 2 })).to.equal(0);
  });

  it("builds its index from the store list in data/bestbuy (a Minneapolis ZIP lands near Minneapolis)", () => {
    const r = estimateLocation(addr("55401"), geoIndex());
    expect(r.source).to.equal("zip3");
    expect(haversineKm(r.point!, { lat: 44.9778, lon: -93.265 })).to.be.below(40);
  });
});

describe("warehouse order ids", () => {
  it("are RFC 4122 v5 UUIDs (matches the RFC's DNS example)", () => {
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).to.equal("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });

  it("are the same for the same order and warehouse, different otherwise", () => {
    const o = "0b9f6a4e-7a55-4d5e-9a0c-3f1f2d9c8e11";
    const w1 = "5f0c2a9e-1b7d-4c3e-8a6f-2d4e6f8a0b1c";
    const w2 = "7d1e3b0f-2c8e-4d4f-9b7a-3e5f7a9b1c2d";
    expect(warehouseOrderId(o, w1)).to.equal(warehouseOrderId(o.toUpperCase(), w1));
    expect(warehouseOrderId(o, w1)).to.not.equal(warehouseOrderId(o, w2));
    expect(warehouseOrderId(o, w1)).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("OrderPlaced checks", () => {
  const item = "3c2b1a09-8f7e-4d6c-9b5a-493827160504";
  const other = "1c2b1a09-8f7e-4d6c-9b5a-493827160504";

  it("merges lines of the same item and sorts by item id", () => {
    const o = placedOrder(create(OrderPlacedSchema, {
      orderId: "0B9F6A4E-7A55-4D5E-9A0C-3F1F2D9C8E11",
      lines: [{ itemId: item, quantity: 2 }, { itemId: other, quantity: 1 }, { itemId: item, quantity: 3 }],
    }));
    expect(o.orderId).to.equal("0b9f6a4e-7a55-4d5e-9a0c-3f1f2d9c8e11");
    expect(o.lines).to.deep.equal([{ itemId: other, quantity: 1 }, { itemId: item, quantity: 5 }]);
  });

  it("names what is wrong with an unusable event", () => {
    expect(() => placedOrder(create(OrderPlacedSchema, { orderId: "nope", lines: [] }))).to.throw(/order_id: must be a UUID/);
    expect(() => placedOrder(create(OrderPlacedSchema, { orderId: item, lines: [] }))).to.throw(/lines: must not be empty/);
    expect(() => placedOrder(create(OrderPlacedSchema, { orderId: item, lines: [{ itemId: item, quantity: 0 }] }))).to.throw(/lines\[0\]\.quantity/);
  });
});

describe("assignment settings", () => {
  it("has documented defaults and refuses nonsense", () => {
    expect(loadSettings({})).to.deep.equal({
      consumerConcurrency: 8, planAttempts: 5, shipmentRecoveryMs: 30_000, warehousesRefreshMs: 60_000, stockBatch: 200, crashAfterAllocate: false,
    });
    expect(loadSettings({ ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE: "1" }).crashAfterAllocate).to.equal(true);
    expect(() => loadSettings({ ASSIGNMENT_PLAN_ATTEMPTS: "0" })).to.throw(/ASSIGNMENT_PLAN_ATTEMPTS/);
    expect(() => loadSettings({ ASSIGNMENT_CONSUMER_CONCURRENCY: "x" })).to.throw(/integer/);
  });
});
