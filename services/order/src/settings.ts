// Order's own settings, from the environment (config.env); each documented with its default.
import { booleanFrom, intFrom } from "../../lib/config.js";

export interface OrderSettings {
  /** CHECKOUT_TTL_SECONDS (600): how long BeginCheckout holds stock (Inventory accepts 1 s - 1 h). */
  checkoutTtlSeconds: number;
  /**
   * CHECKOUT_SUBMIT_MARGIN_SECONDS (30): SubmitOrder refuses a checkout expiring sooner than this, so the
   * reservation cannot run out between payment and commit. Capped at half the TTL so short TTLs stay usable.
   */
  submitMarginSeconds: number;
  /**
   * SUBMISSION_LEASE_MS (30000): how long one attempt may work on a submission (or a cancellation) before a retry
   * or the recovery worker may take it over. Longer than any payment or Inventory call may take.
   */
  leaseMs: number;
  /** SUBMISSION_RECOVERY_INTERVAL_MS (5000): how often the recovery worker looks for stuck work. */
  recoveryIntervalMs: number;
  /**
   * SUBMISSION_WAIT_MS (15000): how long a replay waits for a concurrent attempt of the same key to finish (and a
   * CancelOrder for a cancellation already under way).
   */
  waitMs: number;
  /**
   * ORDER_CONSUMER_CONCURRENCY (4): shipment events (orders.assigned, orders.shipments.updated) applied at once
   * per consumer, at most a quarter of DB_POOL_SIZE each. Each holds a database connection while it runs.
   */
  consumerConcurrency: number;
  /**
   * ORDER_FAULT_CRASH_AFTER_PAYMENT=1 — TEST ONLY (fault injection for the crash-recovery test): the process exits
   * with code 137 right after a successful charge, before anything else is written. Never set it in a deployment.
   */
  crashAfterPayment: boolean;
  /**
   * PAYMENT_ACCEPT_CARD_FIELDS (true): SubmitOrder still accepts the deprecated card fields from old clients. With
   * false only payment_token is accepted, and a request with card details is refused (InvalidArgument "card").
   */
  acceptCardFields: boolean;
}

export function loadSettings(env: Record<string, string | undefined>): OrderSettings {
  const ttl = intFrom(env, "CHECKOUT_TTL_SECONDS", 600);
  if (ttl < 1 || ttl > 3600) throw new Error(`CHECKOUT_TTL_SECONDS must be 1-3600, got ${ttl}`);
  const margin = Math.min(intFrom(env, "CHECKOUT_SUBMIT_MARGIN_SECONDS", 30), Math.floor(ttl / 2));
  const positive = (name: string, fallback: number) => {
    const v = intFrom(env, name, fallback);
    if (v <= 0) throw new Error(`${name} must be positive, got ${v}`);
    return v;
  };
  return {
    checkoutTtlSeconds: ttl,
    submitMarginSeconds: Math.max(0, margin),
    leaseMs: positive("SUBMISSION_LEASE_MS", 30_000),
    recoveryIntervalMs: positive("SUBMISSION_RECOVERY_INTERVAL_MS", 5000),
    waitMs: positive("SUBMISSION_WAIT_MS", 15_000),
    consumerConcurrency: positive("ORDER_CONSUMER_CONCURRENCY", 4),
    crashAfterPayment: env.ORDER_FAULT_CRASH_AFTER_PAYMENT === "1",
    acceptCardFields: booleanFrom(env, "PAYMENT_ACCEPT_CARD_FIELDS", true),
  };
}
