// SubmitOrder's request, checked field by field before anything is read or written.
import type { SubmitOrderRequest } from "../../../../gen/shop/order/v1/order_pb.js";
import { idempotencyKey } from "../../../lib/idempotency.js";
import { uuid } from "../../../lib/validate.js";
import { validateAddress, type StoredAddress } from "../../../lib/address.js";
import { validateCard, type ValidCard } from "./card.js";

export interface SubmitInput {
  checkoutId: string;
  idempotencyKey: string;
  card: ValidCard;
  address: StoredAddress;
}

export { idempotencyKey };

export function validateSubmitOrder(req: SubmitOrderRequest, now: Date = new Date()): SubmitInput {
  return {
    checkoutId: uuid(req.checkoutId, "checkout_id"),
    idempotencyKey: idempotencyKey(req.idempotencyKey),
    card: validateCard(req.card, now),
    address: validateAddress(req.shippingAddress, "shipping_address"),
  };
}
