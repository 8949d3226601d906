// SubmitOrder's request, checked field by field before anything is read or written.
import type { SubmitOrderRequest } from "../../../../gen/shop/order/v1/order_pb.js";
import { idempotencyKey } from "../../../lib/idempotency.js";
import { invalidArgument } from "../../../lib/errors.js";
import { uuid } from "../../../lib/validate.js";
import { validateAddress, type StoredAddress } from "../../../lib/address.js";
import { validateCard, type ValidCard } from "./card.js";

/** How the order is paid: the payment provider's token for the card, or (deprecated) the card itself. */
export type PaymentInput = { token: string; card?: undefined } | { card: ValidCard; token?: undefined };

export interface SubmitInput {
  checkoutId: string;
  idempotencyKey: string;
  payment: PaymentInput;
  address: StoredAddress;
}

export { idempotencyKey };

/** `acceptCardFields`: whether the deprecated card fields are still taken (PAYMENT_ACCEPT_CARD_FIELDS). */
export function validateSubmitOrder(req: SubmitOrderRequest, now: Date = new Date(), acceptCardFields = true): SubmitInput {
  return {
    checkoutId: uuid(req.checkoutId, "checkout_id"),
    idempotencyKey: idempotencyKey(req.idempotencyKey),
    payment: paymentInput(req, now, acceptCardFields),
    address: validateAddress(req.shippingAddress, "shipping_address"),
  };
}

function paymentInput(req: SubmitOrderRequest, now: Date, acceptCardFields: boolean): PaymentInput {
  const token = req.paymentToken;
  if (req.card) {
    if (!acceptCardFields) throw invalidArgument("card", "card details are not accepted: give the card to the payment provider and send its payment_token");
    if (token !== "") throw invalidArgument("payment_token", "send either payment_token or card, not both");
    return { card: validateCard(req.card, now) };
  }
  if (token === "") throw invalidArgument("payment_token", "is required");
  // The provider decides whether it knows the token; here only what no provider's token looks like is refused.
  // eslint-disable-next-line no-control-regex
  if (token.length > 256 || /[\u0000-\u0020\u007f]/.test(token)) throw invalidArgument("payment_token", "is not a payment token");
  return { token };
}
