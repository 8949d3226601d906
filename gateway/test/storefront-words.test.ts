// The storefront's words for RPC errors follow the errors' details (BadRequest field, ErrorInfo reason, RetryInfo
// wait), built here with the same constructors the services use, never their message text.
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { failedPrecondition, invalidArgument, notFound, unauthenticated } from "../../services/lib/errors.js";
import { tooMany } from "../src/rate-limit.js";
import { fieldProblem, friendly, reasonOf } from "../web/src/words.js";

const err = (code: Code, message: string) => new ConnectError(message, code);

/** The error as connect-web hands it to the storefront: its details still encoded, as they came off the wire. */
function received(e: ConnectError): ConnectError {
  const out = new ConnectError(e.rawMessage, e.code);
  out.details = e.details.map((d) => ("desc" in d ? { type: d.desc.typeName, value: toBinary(d.desc, create(d.desc, d.value)) } : d));
  return out;
}

describe("storefront error words", () => {
  it("names the form field the BadRequest detail names, in the shopper's words", () => {
    expect(fieldProblem(received(invalidArgument("card.cvc", "must be 3 or 4 digits")))).to.deep.equal({
      field: "card.cvc", label: "Security code (CVC)", message: "Security code (CVC) must be 3 or 4 digits.",
    });
    expect(fieldProblem(received(invalidArgument("card.expiry_month", "the card has expired")))?.message).to.equal("Expiry month: The card has expired.");
    expect(fieldProblem(received(invalidArgument("shipping_address.postal_code", "is required")))?.message).to.equal("ZIP code is required.");
    expect(fieldProblem(received(notFound("item", "card.cvc")))).to.equal(undefined);
    // Without the detail the message text is not parsed for a field.
    expect(fieldProblem(err(Code.InvalidArgument, "card.cvc: must be 3 or 4 digits"))).to.equal(undefined);
  });

  it("turns stock, payment and checkout refusals into plain sentences by their reason", () => {
    const id = "0b7c1f6e-1111-4111-8111-111111111111";
    expect(friendly(received(failedPrecondition("OUT_OF_STOCK", `item "${id}" is out of stock`, { itemId: id })))).to.equal("Sorry, this item is out of stock.");
    expect(friendly(received(failedPrecondition("NOT_ENOUGH_STOCK", `only 3 left of item "${id}"`, { itemId: id, available: "3" }))))
      .to.equal("Sorry, only 3 of this item are left.");
    expect(friendly(received(failedPrecondition("PAYMENT_DECLINED", "payment declined")))).to.equal("Your card was declined. Please try another card.");
    const expired = received(failedPrecondition("CHECKOUT_EXPIRED", "checkout 1 has expired; begin a new checkout"));
    expect(reasonOf(expired)).to.equal("CHECKOUT_EXPIRED");
    expect(friendly(expired)).to.equal("Your reservation has expired. Please start checkout again.");
    expect(friendly(received(failedPrecondition("ORDER_SHIPPED", "order 1 can no longer be cancelled: shipped")))).to.contain("can't be cancelled");
    // A refusal without a reason gets the general sentence, whatever its text says.
    expect(friendly(err(Code.FailedPrecondition, "item 1 is out of stock"))).to.equal("That can't be done right now. Please refresh the page and try again.");
  });

  it("never shows a raw code or an internal message", () => {
    for (const code of [Code.Internal, Code.Unknown, Code.DataLoss]) {
      expect(friendly(err(code, "pq: relation does not exist"))).to.equal("Something went wrong on our side. Please try again.");
    }
    expect(friendly(new TypeError("Failed to fetch"))).to.contain("can't reach the shop");
    expect(friendly(err(Code.Unavailable, "a dependency is unavailable; retry shortly"))).to.contain("briefly unavailable");
    expect(friendly(err(Code.Unimplemented, ""))).to.contain("isn't available yet");
  });

  it("tells how long to wait when rate-limited, from the RetryInfo detail", () => {
    expect(friendly(received(tooMany("SIGN_IN_LIMITED", "too many failed sign-in attempts", { allowed: false, retryAfterSeconds: 900 }))))
      .to.equal("Too many sign-in attempts. Please wait 15 minutes and try again.");
    expect(friendly(received(tooMany("RATE_LIMITED", "too many requests", { allowed: false, retryAfterSeconds: 12 }))))
      .to.equal("You're going a little fast. Please wait 12 seconds and try again.");
  });

  it("says the same thing for a wrong email and a wrong password", () => {
    expect(friendly(received(unauthenticated("SIGN_IN_FAILED", "email or password is incorrect"))))
      .to.equal("That email and password don't match an account. Please try again.");
    expect(friendly(received(unauthenticated("TOKEN_EXPIRED", "access token expired; sign in again")))).to.equal("Your session has ended. Please sign in again.");
  });
});
