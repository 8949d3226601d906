// Payment card rules checked before any payment is attempted: a malformed card answers InvalidArgument naming the
// field, and never reaches the payment provider.
import type { PaymentCard } from "../../../../gen/shop/order/v1/order_pb.js";
import { invalidArgument } from "../../../lib/errors.js";
import { text } from "../../../lib/validate.js";

/** The Luhn (mod 10) checksum every card number carries; catches a mistyped digit or two swapped digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface ValidCard {
  /** Digits only. Never stored: only last4 is kept. */
  number: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  cvc: string;
  holderName: string;
}

/** Cards are valid through the last day of their expiry month. */
export function validateCard(card: PaymentCard | undefined, now: Date = new Date()): ValidCard {
  if (!card) throw invalidArgument("card", "is required");
  // Shoppers type numbers in groups; spaces and dashes carry no meaning.
  const number = card.number.replace(/[\s-]/g, "");
  if (number === "") throw invalidArgument("card.number", "is required");
  if (!/^\d+$/.test(number)) throw invalidArgument("card.number", "must contain only digits");
  if (number.length < 12 || number.length > 19) throw invalidArgument("card.number", "must be 12-19 digits");
  if (!luhnValid(number)) throw invalidArgument("card.number", "is not a valid card number (checksum)");

  const month = card.expiryMonth;
  if (!Number.isInteger(month) || month < 1 || month > 12) throw invalidArgument("card.expiry_month", "must be between 1 and 12");
  const year = card.expiryYear;
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw invalidArgument("card.expiry_year", "must be a four-digit year");
  if (year < thisYear) throw invalidArgument("card.expiry_year", "the card has expired");
  if (year > thisYear + 20) throw invalidArgument("card.expiry_year", "is too far in the future");
  if (year === thisYear && month < thisMonth) throw invalidArgument("card.expiry_month", "the card has expired");

  if (card.cvc === "") throw invalidArgument("card.cvc", "is required");
  if (!/^\d{3,4}$/.test(card.cvc)) throw invalidArgument("card.cvc", "must be 3 or 4 digits");
  const holderName = text(card.holderName, "card.holder_name", { min: 1, max: 100 });

  return { number, last4: number.slice(-4), expiryMonth: month, expiryYear: year, cvc: card.cvc, holderName };
}
