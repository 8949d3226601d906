// Pure rules of the order service: card checks, address checks, pricing totals, the submission state machine,
// the test payment provider's decisions, order status from shipments and the cancellation state machine. No
// server, no database.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { AddressSchema, GeoPointSchema } from "../../../gen/shop/common/v1/common_pb.js";
import { PaymentCardSchema, SubmitOrderRequestSchema } from "../../../gen/shop/order/v1/order_pb.js";
import { validateAddress } from "../../lib/address.js";
import { luhnValid, validateCard } from "../src/domain/card.js";
import { lineTotalMinor, mergeLines, priceLines, totalMinor, type CatalogPrice } from "../src/domain/pricing.js";
import { canAbandon, CANCELLATION_STATES, nextCancellationState } from "../src/domain/cancellation.js";
import { advances, deriveOrderStatus, hasShipped, SHIPMENT_STATUSES, type ShipmentStatus } from "../src/domain/shipments.js";
import { canTransition, FINAL, isFinal, recoveryAction, type SubmissionState } from "../src/domain/submission.js";
import { idempotencyKey, validateSubmitOrder } from "../src/domain/submit-input.js";
import { TEST_CARDS, testCardDecision } from "../src/payment/test-provider.js";

const NOW = new Date("2025-06-15T12:00:00Z");

function invalidField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConnectError);
    expect((err as ConnectError).code).to.equal(Code.InvalidArgument);
    return (err as ConnectError).rawMessage.split(":")[0];
  }
  throw new Error("expected InvalidArgument");
}

const goodCard = () => create(PaymentCardSchema, { number: TEST_CARDS.approve, expiryMonth: 12, expiryYear: 2030, cvc: "123", holderName: "Ada Lovelace" });
const goodAddress = () => create(AddressSchema, {
  recipient: "Ada Lovelace", line1: "1 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "us",
});

describe("order domain: cards", () => {
  it("accepts Luhn-valid numbers and rejects a changed digit or swapped neighbours", () => {
    for (const n of [TEST_CARDS.approve, TEST_CARDS.decline, TEST_CARDS.providerError, "5555555555554444", "378282246310005", "6011111111111117"]) {
      expect(luhnValid(n), n).to.equal(true);
    }
    expect(luhnValid("4242424242424241")).to.equal(false);
    expect(luhnValid("4242424242424224")).to.equal(false);
    expect(luhnValid("42424242424242a2")).to.equal(false);
  });

  it("names the card field that is wrong", () => {
    const card = (over: Partial<ReturnType<typeof goodCard>>) => () => validateCard({ ...goodCard(), ...over }, NOW);
    expect(invalidField(() => validateCard(undefined, NOW))).to.equal("card");
    expect(invalidField(card({ number: "" }))).to.equal("card.number");
    expect(invalidField(card({ number: "4242 4242 4242 4241" }))).to.equal("card.number");
    expect(invalidField(card({ number: "42424242424" }))).to.equal("card.number"); // 11 digits
    expect(invalidField(card({ number: "4".repeat(20) }))).to.equal("card.number");
    expect(invalidField(card({ number: "4242x42424242424" }))).to.equal("card.number");
    expect(invalidField(card({ expiryMonth: 0 }))).to.equal("card.expiry_month");
    expect(invalidField(card({ expiryMonth: 13 }))).to.equal("card.expiry_month");
    expect(invalidField(card({ expiryYear: 2024 }))).to.equal("card.expiry_year");
    expect(invalidField(card({ expiryYear: 25 }))).to.equal("card.expiry_year");
    expect(invalidField(card({ expiryYear: 2025, expiryMonth: 5 }))).to.equal("card.expiry_month");
    expect(invalidField(card({ cvc: "12" }))).to.equal("card.cvc");
    expect(invalidField(card({ cvc: "12345" }))).to.equal("card.cvc");
    expect(invalidField(card({ cvc: "12a" }))).to.equal("card.cvc");
    expect(invalidField(card({ holderName: "  " }))).to.equal("card.holder_name");
    expect(invalidField(card({ holderName: "x".repeat(101) }))).to.equal("card.holder_name");
  });

  it("takes spaced numbers, keeps only the last four digits for display, and a card is valid through its expiry month", () => {
    const v = validateCard({ ...goodCard(), number: "4242 4242-4242 4242", expiryYear: 2025, expiryMonth: 6 }, NOW);
    expect(v.number).to.equal(TEST_CARDS.approve);
    expect(v.last4).to.equal("4242");
  });
});

describe("order domain: shipping address and submission input", () => {
  it("normalizes the country code and keeps optional fields optional", () => {
    const a = validateAddress(goodAddress());
    expect(a.countryCode).to.equal("US");
    expect(a.line2).to.equal("");
    expect(a.location).to.equal(undefined);
    expect(validateAddress({ ...goodAddress(), region: "", location: create(GeoPointSchema, { lat: 44.9, lon: -93.2 }) }).location)
      .to.deep.equal({ lat: 44.9, lon: -93.2 });
  });

  it("names the address field that is wrong", () => {
    const addr = (over: Record<string, unknown>) => () => validateAddress({ ...goodAddress(), ...over } as never);
    expect(invalidField(() => validateAddress(undefined))).to.equal("shipping_address");
    expect(invalidField(addr({ recipient: "" }))).to.equal("shipping_address.recipient");
    expect(invalidField(addr({ line1: "x".repeat(201) }))).to.equal("shipping_address.line1");
    expect(invalidField(addr({ line2: "x".repeat(201) }))).to.equal("shipping_address.line2");
    expect(invalidField(addr({ city: "" }))).to.equal("shipping_address.city");
    expect(invalidField(addr({ postalCode: "" }))).to.equal("shipping_address.postal_code");
    expect(invalidField(addr({ postalCode: "55401;DROP" }))).to.equal("shipping_address.postal_code");
    expect(invalidField(addr({ countryCode: "USA" }))).to.equal("shipping_address.country_code");
    expect(invalidField(addr({ countryCode: "1A" }))).to.equal("shipping_address.country_code");
    expect(invalidField(addr({ city: "Minne\u0000apolis" }))).to.equal("shipping_address.city");
    expect(invalidField(addr({ location: create(GeoPointSchema, { lat: 91, lon: 0 }) }))).to.equal("shipping_address.location.lat");
    expect(invalidField(addr({ location: create(GeoPointSchema, { lat: 0, lon: Number.NaN }) }))).to.equal("shipping_address.location.lon");
  });

  it("takes idempotency keys of 8-128 visible characters exactly as sent", () => {
    expect(idempotencyKey("abcdefgh")).to.equal("abcdefgh");
    expect(idempotencyKey("k".repeat(128))).to.have.length(128);
    for (const bad of ["", "short", "k".repeat(129), "has space", "tab\tkey1", " leading1"]) {
      expect(invalidField(() => idempotencyKey(bad)), JSON.stringify(bad)).to.equal("idempotency_key");
    }
  });

  it("checks the checkout id before anything else", () => {
    const req = create(SubmitOrderRequestSchema, { checkoutId: "not-a-uuid", idempotencyKey: "x", card: goodCard(), shippingAddress: goodAddress() });
    expect(invalidField(() => validateSubmitOrder(req, NOW))).to.equal("checkout_id");
    const ok = validateSubmitOrder({ ...req, checkoutId: "6F9619FF-8B86-4D01-B42D-00CF4FC964FF", idempotencyKey: "key-00000001" }, NOW);
    expect(ok.checkoutId).to.equal("6f9619ff-8b86-4d01-b42d-00cf4fc964ff");
  });
});

describe("order domain: pricing", () => {
  const item = (id: string, minor: bigint, over: Partial<CatalogPrice> = {}): CatalogPrice =>
    ({ id, name: `item ${id}`, onSale: true, currency: "USD", minorUnits: minor, version: 1n, ...over });

  it("prices every line at the catalog's price, records the item version priced and sums exactly in minor units", () => {
    const catalog = new Map([["a", item("a", 1999n, { version: 7n })], ["b", item("b", 1n)]]);
    const priced = priceLines([{ itemId: "a", quantity: 3, name: "cart name" }, { itemId: "b", quantity: 99, name: "" }], catalog, "USD");
    expect(priced.unsellable).to.deep.equal([]);
    expect(priced.lines.map((l) => [l.itemId, l.name, l.unitPriceMinor, l.itemVersion]))
      .to.deep.equal([["a", "item a", 1999n, 7n], ["b", "item b", 1n, 1n]]);
    expect(priced.totalMinor).to.equal(3n * 1999n + 99n);
  });

  it("does not lose precision on large amounts", () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1
    expect(lineTotalMinor({ quantity: 3, unitPriceMinor: big })).to.equal(big * 3n);
    expect(totalMinor([{ quantity: 1, unitPriceMinor: big }, { quantity: 1, unitPriceMinor: 1n }])).to.equal(big + 1n);
  });

  it("turns missing, archived and foreign-currency items into unsellable lines", () => {
    const catalog = new Map([["a", item("a", 100n, { onSale: false })], ["c", item("c", 100n, { currency: "EUR" })], ["d", item("d", 5n)]]);
    const priced = priceLines([
      { itemId: "a", quantity: 1, name: "A" }, { itemId: "b", quantity: 2, name: "B from cart" },
      { itemId: "c", quantity: 1, name: "C" }, { itemId: "d", quantity: 4, name: "D" },
    ], catalog, "USD");
    expect(priced.unsellable.map((u) => [u.itemId, u.name, u.requested])).to.deep.equal([["a", "item a", 1], ["b", "B from cart", 2], ["c", "item c", 1]]);
    expect(priced.lines.map((l) => l.itemId)).to.deep.equal(["d"]);
    expect(priced.totalMinor).to.equal(20n);
  });

  it("merges repeated items into one line", () => {
    expect(mergeLines([{ itemId: "a", quantity: 1, name: "" }, { itemId: "a", quantity: 2, name: "" }]))
      .to.deep.equal([{ itemId: "a", quantity: 3, name: "" }]);
  });
});

describe("order domain: submission state machine", () => {
  it("only moves forward: PENDING -> PAID -> PLACED, or to DECLINED / FAILED", () => {
    const all: SubmissionState[] = ["PENDING", "PAID", "PLACED", "DECLINED", "FAILED"];
    const allowed = all.flatMap((from) => all.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed).to.have.members(["PENDING->PAID", "PENDING->DECLINED", "PENDING->FAILED", "PAID->PLACED", "PAID->FAILED"]);
    for (const s of FINAL) expect(isFinal(s)).to.equal(true);
    expect(isFinal("PENDING")).to.equal(false);
    expect(isFinal("PAID")).to.equal(false);
  });

  it("recovers by what the provider says: charged -> commit, not charged -> fail, never an unpaid order", () => {
    expect(recoveryAction("PENDING", "none")?.kind).to.equal("fail");
    expect(recoveryAction("PENDING", "captured")?.kind).to.equal("commit");
    expect(recoveryAction("PAID", "captured")?.kind).to.equal("commit");
    expect(recoveryAction("PENDING", "declined")?.kind).to.equal("decline");
    expect(recoveryAction("PAID", "voided")?.kind).to.equal("fail");
    expect(recoveryAction("PAID", "none")?.kind).to.equal("fail");
    for (const s of FINAL) expect(recoveryAction(s, "captured")).to.equal(undefined);
  });
});

describe("order domain: test payment provider decisions", () => {
  it("decides by card number like a gateway's test mode", () => {
    expect(testCardDecision(TEST_CARDS.approve)).to.equal("approve");
    expect(testCardDecision(TEST_CARDS.decline)).to.equal("decline");
    expect(testCardDecision(TEST_CARDS.providerError)).to.equal("provider_error");
    expect(testCardDecision("5555555555554444")).to.equal("approve");
  });
});

describe("order domain: status from shipments", () => {
  const status = (shipments: ShipmentStatus[], current: Parameters<typeof deriveOrderStatus>[0]["current"] = "PROCESSING", assigned = true) =>
    deriveOrderStatus({ current, assigned, shipments });

  it("shows the least advanced shipment: PROCESSING until every one is packed, SHIPPED once all are on their way", () => {
    expect(status(["ASSIGNED"])).to.equal("PROCESSING");
    expect(status(["PICKED", "PACKED"])).to.equal("PROCESSING");
    expect(status(["PACKED", "SHIPPED"])).to.equal("PACKED");
    expect(status(["SHIPPED", "DELIVERED"])).to.equal("SHIPPED");
    expect(status(["DELIVERED", "DELIVERED"])).to.equal("DELIVERED");
  });

  it("stays PLACED until the order's split is known, whatever a lone status event says", () => {
    expect(status([], "PLACED", false)).to.equal("PLACED");
    expect(status(["PACKED"], "PLACED", false)).to.equal("PLACED");
    expect(status(["ASSIGNED"], "PLACED", true)).to.equal("PROCESSING");
  });

  it("keeps a cancelled order CANCELLED, and an order whose shipments are being cancelled as it was", () => {
    for (const shipments of [[], ["ASSIGNED"], ["SHIPPED"], ["CANCELLED"]] as ShipmentStatus[][]) {
      expect(status(shipments, "CANCELLED")).to.equal("CANCELLED");
    }
    expect(status(["CANCELLED", "CANCELLED"], "PACKED")).to.equal("PACKED");
    expect(status(["CANCELLED", "PICKED"], "PROCESSING")).to.equal("PROCESSING");
  });

  it("moves a shipment only forward, to CANCELLED last, so late and repeated events change nothing", () => {
    expect(advances(undefined, "PACKED")).to.equal(true);
    for (const [i, from] of SHIPMENT_STATUSES.entries()) {
      for (const [j, to] of SHIPMENT_STATUSES.entries()) expect(advances(from, to), `${from} -> ${to}`).to.equal(j > i);
    }
  });

  it("counts SHIPPED and DELIVERED as shipped (no cancelling any more)", () => {
    expect(SHIPMENT_STATUSES.filter(hasShipped)).to.deep.equal(["SHIPPED", "DELIVERED"]);
  });

  it("never goes backwards as any one shipment advances (property over every two-shipment order)", () => {
    const rank = ["PLACED", "PROCESSING", "PACKED", "SHIPPED", "DELIVERED"];
    const live = SHIPMENT_STATUSES.filter((s) => s !== "CANCELLED");
    for (const a of live) for (const b of live) for (const a2 of live.filter((x) => advances(a, x))) {
      expect(rank.indexOf(status([a2, b])), `${a},${b} -> ${a2},${b}`).to.be.at.least(rank.indexOf(status([a, b])));
    }
  });
});

describe("order domain: cancellation state machine", () => {
  it("goes REQUESTED -> ASSIGNMENT_CANCELLED -> STOCK_RETURNED -> DONE, one step at a time", () => {
    const path = [];
    for (let s: (typeof CANCELLATION_STATES)[number] | undefined = "REQUESTED"; s; s = nextCancellationState(s)) path.push(s);
    expect(path).to.deep.equal([...CANCELLATION_STATES]);
  });

  it("may be given up only before anything was undone", () => {
    expect(CANCELLATION_STATES.filter(canAbandon)).to.deep.equal(["REQUESTED"]);
  });
});
