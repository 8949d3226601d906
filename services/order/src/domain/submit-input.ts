// SubmitOrder's request, checked field by field before anything is read or written.
import type { SubmitOrderRequest } from "../../../../gen/shop/order/v1/order_pb.js";
import { invalidArgument } from "../../../lib/errors.js";
import { uuid } from "../../../lib/validate.js";
import { validateAddress, type StoredAddress } from "../../../lib/address.js";
import { validateCard, type ValidCard } from "./card.js";

export interface SubmitInput {
  checkoutId: string;
  idempotencyKey: string;
  card: ValidCard;
  address: StoredAddress;
}

/** Taken exactly as sent (no trimming): the key is an opaque token that must match byte for byte on a retry. */
export function idempotencyKey(value: string, field = "idempotency_key"): string {
  if (value === "") throw invalidArgument(field, "is required");
  const length = [...value].length;
  if (length < 8 || length > 128) throw invalidArgument(field, "must be 8-128 characters");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(value)) throw invalidArgument(field, "must not contain spaces or control characters");
  return value;
}

export function validateSubmitOrder(req: SubmitOrderRequest, now: Date = new Date()): SubmitInput {
  return {
    checkoutId: uuid(req.checkoutId, "checkout_id"),
    idempotencyKey: idempotencyKey(req.idempotencyKey),
    card: validateCard(req.card, now),
    address: validateAddress(req.shippingAddress, "shipping_address"),
  };
}
