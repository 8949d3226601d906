// RPC errors in words a shopper understands: one sentence per answer, naming the form field when the service
// said which one was wrong. Pure (no DOM, no network), so it is unit-tested in Node.
import { Code, ConnectError } from "@connectrpc/connect";

export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
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

/** For InvalidArgument answers ("card.cvc: must be 3 or 4 digits"): which field, in words. */
export function fieldProblem(err: unknown): FieldProblem | undefined {
  if (!(err instanceof ConnectError) || err.code !== Code.InvalidArgument) return undefined;
  const m = /^([a-z_.[\]0-9]+): (.*)$/.exec(err.rawMessage);
  if (!m) return undefined;
  const label = FIELD_LABELS[m[1]] ?? FIELD_LABELS[m[1].split(".").pop()!] ?? "This field";
  const problem = m[2].replace(/\(checksum\)/, "(please check the digits)").replace(/;.*$/, "");
  // "must be 3 or 4 digits" reads on from the label; anything else ("the card has expired") stands after a colon.
  const message = /^(must|is|are|contains|appears|has|needs)\b/.test(problem)
    ? `${label} ${problem}.`
    : `${label}: ${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`;
  return { field: m[1], label, message: message.replace(/\.\.$/, ".") };
}

/** Any RPC error as one sentence for the shopper. `context` names what they were doing ("add this to your cart"). */
export function friendly(err: unknown, context?: string): string {
  if (!(err instanceof ConnectError)) {
    if (err instanceof Error && err.name === "AbortError") return "The request was cancelled.";
    return "We can't reach the shop right now. Please check your connection and try again.";
  }
  const msg = err.rawMessage;
  switch (err.code) {
    case Code.Unauthenticated:
      if (/incorrect/.test(msg)) return "That email and password don't match an account. Please try again.";
      if (/expired/.test(msg)) return "Your session has ended. Please sign in again.";
      return "Please sign in to continue.";
    case Code.PermissionDenied:
      return context ? `Your account isn't allowed to ${context}.` : "Your account isn't allowed to do that.";
    case Code.NotFound:
      return "We couldn't find that. It may have been removed.";
    case Code.AlreadyExists:
      if (/email/.test(msg)) return "An account with this email already exists. Please sign in instead.";
      return "That already exists.";
    case Code.ResourceExhausted: {
      const wait = /try again in (\d+ (?:seconds|minutes))/.exec(msg)?.[1];
      if (/sign-in/.test(msg)) return `Too many sign-in attempts. Please wait ${wait ?? "a few minutes"} and try again.`;
      if (/accounts/.test(msg)) return `Too many new accounts from your network. Please wait ${wait ?? "a while"} and try again.`;
      return `You're going a little fast. Please wait ${wait ?? "a moment"} and try again.`;
    }
    case Code.FailedPrecondition:
      return preconditionWords(msg);
    case Code.InvalidArgument:
      return fieldProblem(err)?.message ?? "Some of the details aren't right. Please check them and try again.";
    case Code.Aborted:
      if (/submission/.test(msg)) return "Your order is already being placed. Please wait a moment.";
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

function preconditionWords(msg: string): string {
  let m: RegExpExecArray | null;
  if (/out of stock/.test(msg)) return "Sorry, this item is out of stock.";
  if ((m = /only (\d+) left/.exec(msg))) return `Sorry, only ${m[1]} of this item ${m[1] === "1" ? "is" : "are"} left.`;
  if (/archived/.test(msg)) return "Sorry, this item is no longer sold.";
  if (/cart is empty/.test(msg)) return "Your cart is empty.";
  if (/declined/.test(msg)) return "Your card was declined. Please try another card.";
  if (/expire/.test(msg)) return "Your reservation has expired. Please start checkout again.";
  if (/cancelled; begin/.test(msg)) return "This checkout was cancelled. Please start checkout again.";
  if (/already ordered|already became order/.test(msg)) return "This checkout has already been ordered.";
  if (/can no longer be cancelled|cannot be cancelled/.test(msg)) return "This order can't be cancelled any more: part of it has already shipped.";
  if (/voided/.test(msg)) return "The payment was cancelled. Please start checkout again.";
  if ((m = /at most (\d+) different items/.exec(msg))) return `A checkout can hold at most ${m[1]} different items. Please remove some from your cart.`;
  if (/cart/.test(msg) && /full|at most/.test(msg)) return "Your cart is full. Please remove something first.";
  if (/write off/.test(msg)) return "There aren't that many unassigned units in this warehouse.";
  return "That can't be done right now. Please refresh the page and try again.";
}
