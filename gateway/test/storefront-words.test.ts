import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { fieldProblem, friendly } from "../web/src/words.js";

const err = (code: Code, message: string) => new ConnectError(message, code);

describe("storefront error words", () => {
  it("names the form field the service refused, in the shopper's words", () => {
    expect(fieldProblem(err(Code.InvalidArgument, "card.cvc: must be 3 or 4 digits"))).to.deep.equal({
      field: "card.cvc", label: "Security code (CVC)", message: "Security code (CVC) must be 3 or 4 digits.",
    });
    expect(fieldProblem(err(Code.InvalidArgument, "card.expiry_month: the card has expired"))?.message).to.equal("Expiry month: The card has expired.");
    expect(fieldProblem(err(Code.InvalidArgument, "shipping_address.postal_code: is required"))?.message).to.equal("ZIP code is required.");
    expect(fieldProblem(err(Code.NotFound, "card.cvc: x"))).to.equal(undefined);
  });

  it("turns stock, payment and checkout refusals into plain sentences", () => {
    const fp = (m: string) => friendly(err(Code.FailedPrecondition, m));
    expect(fp("item 0b7c1f6e-1111-4111-8111-111111111111 is out of stock")).to.equal("Sorry, this item is out of stock.");
    expect(fp("only 3 left of item 0b7c1f6e-1111-4111-8111-111111111111")).to.equal("Sorry, only 3 of this item are left.");
    expect(fp("payment declined")).to.equal("Your card was declined. Please try another card.");
    expect(fp("checkout 1 has expired; begin a new checkout")).to.equal("Your reservation has expired. Please start checkout again.");
    expect(fp("order 1 can no longer be cancelled: shipped")).to.contain("can't be cancelled");
  });

  it("never shows a raw code or an internal message", () => {
    for (const code of [Code.Internal, Code.Unknown, Code.DataLoss]) {
      expect(friendly(err(code, "pq: relation does not exist"))).to.equal("Something went wrong on our side. Please try again.");
    }
    expect(friendly(new TypeError("Failed to fetch"))).to.contain("can't reach the shop");
    expect(friendly(err(Code.Unavailable, "a dependency is unavailable; retry shortly"))).to.contain("briefly unavailable");
    expect(friendly(err(Code.Unimplemented, ""))).to.contain("isn't available yet");
  });

  it("tells how long to wait when rate-limited", () => {
    expect(friendly(err(Code.ResourceExhausted, "too many failed sign-in attempts; try again in 15 minutes")))
      .to.equal("Too many sign-in attempts. Please wait 15 minutes and try again.");
    expect(friendly(err(Code.ResourceExhausted, "too many requests; try again in 12 seconds")))
      .to.equal("You're going a little fast. Please wait 12 seconds and try again.");
  });

  it("says the same thing for a wrong email and a wrong password", () => {
    expect(friendly(err(Code.Unauthenticated, "email or password is incorrect"))).to.equal("That email and password don't match an account. Please try again.");
  });
});
