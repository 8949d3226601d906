// The payment gateway as the order service sees it. A real gateway (Stripe, Adyen...) fits behind the same
// interface: charges are keyed by an idempotency key, so a retried charge after a crash returns the first charge
// instead of charging again, and findCharge answers "did this key get charged?" for crash recovery.
// Cards are tokenized: the browser gives the card to the provider and the order carries the provider's token
// (describeToken, ChargeRequest.token). Raw card details are the deprecated path of old clients.

export interface ChargeRequest {
  /** One per submission; the provider charges each key at most once. */
  idempotencyKey: string;
  amountMinor: bigint;
  currency: string;
  /** Exactly one of token and card: the provider's single-use token for the card (used by this key) ... */
  token?: string;
  /** ... or the card itself (deprecated: it crosses the mesh). */
  card?: { number: string; expiryMonth: number; expiryYear: number; cvc: string; holderName: string };
}

export type ChargeStatus = "CAPTURED" | "DECLINED" | "VOIDED";

export interface ChargeRecord {
  chargeId: string;
  idempotencyKey: string;
  status: ChargeStatus;
  amountMinor: bigint;
  currency: string;
  cardLast4: string;
  declineReason?: string;
}

export type ChargeResult =
  | { outcome: "approved"; charge: ChargeRecord }
  | { outcome: "declined"; reason: string; charge: ChargeRecord };

/** The provider could not decide (outage, timeout). Nothing was charged for the key unless findCharge says so. */
export class PaymentProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentProviderError";
  }
}

export interface PaymentProvider {
  /** Short name stored on orders, e.g. "test". */
  readonly name: string;
  /** Charges the card once per idempotency key; a repeat returns the first result. Throws PaymentProviderError. */
  charge(req: ChargeRequest): Promise<ChargeResult>;
  /** Cancels a captured charge (the money goes back). Idempotent. Throws PaymentProviderError. */
  void(chargeId: string): Promise<ChargeRecord>;
  /** The charge made for a key, if any. Throws PaymentProviderError. */
  findCharge(idempotencyKey: string): Promise<ChargeRecord | undefined>;
  /**
   * The card behind a token that can still be charged (known, unexpired, unused), else undefined. Throws
   * PaymentProviderError.
   */
  describeToken(token: string): Promise<{ last4: string } | undefined>;
}
