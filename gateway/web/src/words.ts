// RPC errors in words a shopper understands: one sentence per answer, naming the form field when the service
// said which one was wrong. The words follow the error's details (docs/errors.md): the field of an
// InvalidArgument's google.rpc.BadRequest, the reason of the other codes' google.rpc.ErrorInfo, the wait of a
// google.rpc.RetryInfo; never the message text, which is for people and may be reworded. Pure (no DOM, no
// network), so it is unit-tested in Node.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema, type ErrorInfo } from "../../../gen/google/rpc/error_details_pb.js";

export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
}

/** The ErrorInfo of a refusal (reason, and values such as `available`), if the service sent one. */
function errorInfo(err: unknown): ErrorInfo | undefined {
  return err instanceof ConnectError ? err.findDetails(ErrorInfoSchema)[0] : undefined;
}

/** The stable reason of a refusal (OUT_OF_STOCK, CHECKOUT_EXPIRED...), if the service sent one. */
export function reasonOf(err: unknown): string | undefined {
  return errorInfo(err)?.reason;
}

/** Names of request fields in the shopper's words. */
const FIELD_LABELS: Record<string, string> = {
  email: "Email", password: "Password", display_name: "Name",
  "card.number": "Card number", "card.expiry_month": "Expiry month", "card.expiry_year": "Expiry year",
  "card.cvc": "Security code (CVC)", "card.holder_name": "Name on card", card: "Card details",
  "shipping_address.recipient": "Full name", "shipping_address.line1": "Address", "shipping_address.line2": "Apartment, suite",
  "shipping_address.city": "City", "shipping_address.region": "State", "shipping_address.postal_code": "ZIP code",
  "shipping_address.country_code": "Country", shipping_address: "Shipping address",
  quantity: "Quantity", sku: "SKU", name: "Name", brand: "Brand", category_id: "Category", price: "Price",
  "price.minor_units": "Price", description: "Description", image_url: "Image URL", reference: "Reference",
  carrier: "Carrier", tracking_number: "Tracking number", query: "Search", prefix: "Search",
};

export interface FieldProblem {
  field: string;
  label: string;
  message: string;
}

/** For InvalidArgument answers: the field their BadRequest names (e.g. card.cvc, "must be 3 or 4 digits"), in words. */
export function fieldProblem(err: unknown): FieldProblem | undefined {
  if (!(err instanceof ConnectError) || err.code !== Code.InvalidArgument) return undefined;
  const violation = err.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
  if (!violation) return undefined;
  const { field, description } = violation;
  const label = FIELD_LABELS[field] ?? FIELD_LABELS[field.split(".").pop()!] ?? "This field";
  const problem = description.replace(/\(checksum\)/, "(please check the digits)").replace(/;.*$/, "");
  // "must be 3 or 4 digits" reads on from the label; anything else ("the card has expired") stands after a colon.
  const message = /^(must|is|are|contains|appears|has|needs)\b/.test(problem)
    ? `${label} ${problem}.`
    : `${label}: ${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`;
  return { field, label, message: message.replace(/\.\.$/, ".") };
}

/** Any RPC error as one sentence for the shopper. `context` names what they were doing ("add this to your cart"). */
export function friendly(err: unknown, context?: string): string {
  if (!(err instanceof ConnectError)) {
    if (err instanceof Error && err.name === "AbortError") return "The request was cancelled.";
    return "We can't reach the shop right now. Please check your connection and try again.";
  }
  const reason = reasonOf(err);
  switch (err.code) {
    case Code.Unauthenticated:
      if (reason === "SIGN_IN_FAILED") return "That email and password don't match an account. Please try again.";
      if (reason === "TOKEN_EXPIRED") return "Your session has ended. Please sign in again.";
      return "Please sign in to continue.";
    case Code.PermissionDenied:
      return context ? `Your account isn't allowed to ${context}.` : "Your account isn't allowed to do that.";
    case Code.NotFound:
      return "We couldn't find that. It may have been removed.";
    case Code.AlreadyExists:
      if (reason === "EMAIL_TAKEN") return "An account with this email already exists. Please sign in instead.";
      return "That already exists.";
    case Code.ResourceExhausted: {
      const wait = retryWait(err);
      if (reason === "SIGN_IN_LIMITED") return `Too many sign-in attempts. Please wait ${wait ?? "a few minutes"} and try again.`;
      if (reason === "REGISTRATION_LIMITED") return `Too many new accounts from your network. Please wait ${wait ?? "a while"} and try again.`;
      return `You're going a little fast. Please wait ${wait ?? "a moment"} and try again.`;
    }
    case Code.FailedPrecondition:
      return preconditionWords(errorInfo(err));
    case Code.InvalidArgument:
      return fieldProblem(err)?.message ?? "Some of the details aren't right. Please check them and try again.";
    case Code.Aborted:
      if (reason === "SUBMISSION_IN_PROGRESS") return "Your order is already being placed. Please wait a moment.";
      return "Someone else changed this at the same time. We've loaded the latest version; please try again.";
    case Code.Unimplemented:
      return "This part of the shop isn't available yet. Please try again later.";
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return "The shop is busy or briefly unavailable. Please try again in a moment.";
    default:
      return "Something went wrong on our side. Please try again.";
  }
}

/** The RetryInfo wait of a rate-limited answer, in words ("12 seconds", "15 minutes"). */
function retryWait(err: ConnectError): string | undefined {
  const delay = err.findDetails(RetryInfoSchema)[0]?.retryDelay;
  if (!delay) return undefined;
  const seconds = Number(delay.seconds);
  return seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
}

/** Reasons after which checkout has to begin again (the checkout page shows its "ended" view for them). */
export const CHECKOUT_ENDED_REASONS = ["CHECKOUT_EXPIRED", "CHECKOUT_EXPIRING", "CHECKOUT_CANCELLED"];

function preconditionWords(info: ErrorInfo | undefined): string {
  switch (info?.reason) {
    case "OUT_OF_STOCK":
      return "Sorry, this item is out of stock.";
    case "NOT_ENOUGH_STOCK": {
      const n = info.metadata.available;
      return n ? `Sorry, only ${n} of this item ${n === "1" ? "is" : "are"} left.` : "Sorry, there aren't that many of this item left.";
    }
    case "ITEM_ARCHIVED":
      return "Sorry, this item is no longer sold.";
    case "CART_EMPTY":
      return "Your cart is empty.";
    case "PAYMENT_DECLINED":
      return "Your card was declined. Please try another card.";
    case "CHECKOUT_EXPIRED":
    case "CHECKOUT_EXPIRING":
      return "Your reservation has expired. Please start checkout again.";
    case "CHECKOUT_CANCELLED":
      return "This checkout was cancelled. Please start checkout again.";
    case "CHECKOUT_ORDERED":
      return "This checkout has already been ordered.";
    case "ORDER_SHIPPED":
      return "This order can't be cancelled any more: part of it has already shipped.";
    case "PAYMENT_VOIDED":
      return "The payment was cancelled. Please start checkout again.";
    case "TOO_MANY_LINES":
      return `A checkout can hold at most ${info.metadata.max ?? "so many"} different items. Please remove some from your cart.`;
    case "CART_FULL":
      return "Your cart is full. Please remove something first.";
    case "STOCK_SHORT":
      return "There aren't that many unassigned units in this warehouse.";
    default:
      return "That can't be done right now. Please refresh the page and try again.";
  }
}
