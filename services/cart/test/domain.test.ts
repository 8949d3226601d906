// Unit tests of the cart's pure rules: quantity bounds, what may be held, and how a cart is presented.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import fc from "fast-check";
import { ItemSchema, ItemStatus, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../lib/money.js";
import { checkCanHold, presentCart, validateQuantity, type StoredLine } from "../src/domain/cart.js";

const A = "0b6f8c1e-1111-4a5b-8c9d-000000000001";
const B = "0b6f8c1e-2222-4a5b-8c9d-000000000002";
const C = "0b6f8c1e-3333-4a5b-8c9d-000000000003";

function item(id: string, over: { status?: ItemStatus; price?: Item["price"] } = {}): Item {
  return create(ItemSchema, { id, name: `item ${id.slice(9, 13)}`, status: ItemStatus.ACTIVE, price: money(1000), imageUrl: "https://img/x.png", ...over });
}

function line(itemId: string, quantity: number, priceMinor = 1000n): StoredLine {
  return { itemId, quantity, priceWhenAddedMinor: priceMinor, currency: "USD", addedAt: new Date(0) };
}

function errorOf(fn: () => unknown): ConnectError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConnectError) return err;
    throw err;
  }
  throw new Error("expected a ConnectError");
}

describe("cart rules", () => {
  describe("validateQuantity", () => {
    it("accepts 0 (remove) through 99", () => {
      for (const q of [0, 1, 50, 99]) expect(validateQuantity(q)).to.equal(q);
    });

    it("refuses a quantity over the cap, naming quantity and the cap", () => {
      const err = errorOf(() => validateQuantity(100));
      expect(err.code).to.equal(Code.InvalidArgument);
      expect(err.rawMessage).to.match(/^quantity: .*99/);
    });

    it("refuses any integer outside 0..99 with InvalidArgument on quantity", () => {
      fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).filter((q) => q < 0 || q > 99), (q) => {
        const err = errorOf(() => validateQuantity(q));
        return err.code === Code.InvalidArgument && err.rawMessage.startsWith("quantity:");
      }));
    });
  });

  describe("checkCanHold", () => {
    it("allows up to the stock left", () => {
      expect(() => checkCanHold(item(A), 3, 3)).not.to.throw();
    });

    it("refuses an item with no stock left as out of stock", () => {
      const err = errorOf(() => checkCanHold(item(A), 0, 1));
      expect(err.code).to.equal(Code.FailedPrecondition);
      expect(err.rawMessage).to.contain("out of stock");
    });

    it("refuses more than is left, saying how many are left", () => {
      const err = errorOf(() => checkCanHold(item(A), 2, 3));
      expect(err.code).to.equal(Code.FailedPrecondition);
      expect(err.rawMessage).to.contain("only 2 left");
    });

    it("refuses an archived item even with stock", () => {
      const err = errorOf(() => checkCanHold(item(A, { status: ItemStatus.ARCHIVED }), 10, 1));
      expect(err.code).to.equal(Code.FailedPrecondition);
      expect(err.rawMessage).to.contain("archived");
    });

    it("refuses an item priced in a currency the store does not charge in", () => {
      const err = errorOf(() => checkCanHold(item(A, { price: money(1000, "EUR") }), 10, 1));
      expect(err.code).to.equal(Code.FailedPrecondition);
    });
  });

  describe("presentCart", () => {
    it("shows current name and price, the price when added, and sums the subtotal at current prices", () => {
      const cart = presentCart("u", { updateTime: new Date(1000), lines: [line(A, 2, 900n), line(B, 1)] },
        new Map([[A, item(A, { price: money(1250) })], [B, item(B)]]), new Map([[A, 5], [B, 1]]));
      expect(cart.lines.map((l) => [l.itemId, l.quantity, l.unitPrice?.minorUnits, l.priceWhenAdded?.minorUnits, l.available, l.stockLeft]))
        .to.deep.equal([[A, 2, 1250n, 900n, true, 5], [B, 1, 1000n, 1000n, true, 1]]);
      expect(cart.lines[0].name).to.equal(item(A).name);
      expect(cart.subtotal).to.include({ currencyCode: "USD", minorUnits: 3500n });
      expect(cart.updateTime?.seconds).to.equal(1n);
    });

    it("marks lines unavailable when archived, missing from the catalog, or short of stock", () => {
      const cart = presentCart("u", { lines: [line(A, 1), line(B, 3, 700n), line(C, 1)] },
        new Map([[A, item(A, { status: ItemStatus.ARCHIVED })], [B, item(B)]]), new Map([[A, 9], [B, 2]]));
      expect(cart.lines.map((l) => l.available)).to.deep.equal([false, false, false]);
      expect(cart.lines[1].stockLeft).to.equal(2);
      // The catalog no longer knows C: it keeps the price it had and shows no stock.
      expect(cart.lines[2]).to.include({ name: "", stockLeft: 0 });
      expect(cart.lines[2].unitPrice?.minorUnits).to.equal(1000n);
    });

    it("presents an empty cart with a zero subtotal and no update time", () => {
      const cart = presentCart("u", { lines: [] }, new Map(), new Map());
      expect(cart.lines).to.have.length(0);
      expect(cart.subtotal?.minorUnits).to.equal(0n);
      expect(cart.updateTime).to.equal(undefined);
    });

    it("computes subtotals exactly beyond float precision", () => {
      const big = 9_000_000_000_000_001n;
      const cart = presentCart("u", { lines: [line(A, 99)] }, new Map([[A, item(A, { price: money(big) })]]), new Map([[A, 99]]));
      expect(cart.subtotal?.minorUnits).to.equal(big * 99n);
    });
  });
});
