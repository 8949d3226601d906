// SubmitOrder: pay and place an order without ever losing one or charging twice.
//
// The record: one `submissions` row per (user, idempotency_key), inserted first in its own transaction with a
// pre-generated order id. States (domain/submission.ts): PENDING -> PAID -> PLACED, or DECLINED / FAILED. Final
// states answer every replay of the key the same way.
//
// Who works on it: the attempt holding the row's lease (lease_owner, lease_until; SUBMISSION_LEASE_MS). Concurrent
// replays of the key wait (poll) for the outcome; when a lease runs out (its holder crashed or handed it back
// after a transient failure) a replay or the recovery worker takes it over. Every state change is fenced by the
// lease, and every step is idempotent, so even two holders could not double anything:
//   1. claim the checkout (transaction: lock submission, lock checkout): it must be ACTIVE, expire no sooner than the
//      safety margin, and not be held by another in-flight submission (a different key for the same checkout waits
//      for that one, then is refused once the checkout is completed). CancelCheckout and BeginCheckout refuse a
//      checkout held by an in-flight submission, so the reservation cannot be taken away from under a payment.
//   2. charge through the PaymentProvider with idempotency key = submission id: a retried charge (replay, recovery)
//      returns the same charge. Declined -> DECLINED (the reservation stays so the shopper can retry with another
//      card and a new key). Provider error with nothing charged -> the row is deleted (nothing happened; the same
//      key may retry) and the caller gets Unavailable. Approved -> PAID with the charge id.
//   3. Inventory.Commit(checkout, order id), idempotent. Refused (reservation expired or released) -> void the
//      charge, FAILED. Unreachable -> stay PAID, hand the lease back, Unavailable: a retry or recovery continues.
//   4. one transaction: order + lines (the checkout's prices and total: what the shopper saw), OrderPlaced outbox
//      row, checkout COMPLETED, submission PLACED. Cart empties the bought lines when it consumes orders.placed,
//      so SubmitOrder calls no other service after Inventory.
// Recovery (RecoveryWorker, every SUBMISSION_RECOVERY_INTERVAL_MS): in-flight rows whose lease ran out are asked
// of the provider (findCharge): not charged -> FAILED (the reservation is left to expire); charged -> step 3 on.
// A holder that charged after recovery concluded "not charged" finds its lease gone and voids its own charge.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { OrderPlacedSchema, type Order, type SubmitOrderRequest } from "../../../../gen/shop/order/v1/order_pb.js";
import type { Principal } from "../../../lib/auth.js";
import { inTransaction } from "../../../lib/db.js";
import { aborted, failedPrecondition, invalidArgument, notFound, unavailable, type ErrorReason } from "../../../lib/errors.js";
import { money } from "../../../lib/money.js";
import type { Db } from "../../../lib/sql.js";
import { pause, type OrderDeps } from "../deps.js";
import { callDependency, isCode } from "../../../lib/dependency.js";
import { LeaseLost, recoverExpiredLeases } from "../../../lib/leases.js";
import type { ValidCard } from "../domain/card.js";
import { CHECKOUT_STATES } from "../domain/checkout.js";
import { isFinal, recoveryAction, type ChargeFinding } from "../domain/submission.js";
import { validateSubmitOrder, type PaymentInput, type SubmitInput } from "../domain/submit-input.js";
import { PaymentProviderError, type ChargeRecord, type ChargeResult } from "../payment/provider.js";
import * as checkouts from "../store/checkouts.js";
import * as orders from "../store/orders.js";
import * as subs from "../store/submissions.js";
import type { SubmissionRow } from "../store/submissions.js";
import { orderLinesView, orderView } from "../views.js";
import { addressView } from "../../../lib/address.js";
import { ordersPlaced } from "../metrics.js";

/** This attempt lost the submission's lease: someone else carries it on; go back and wait for the outcome. */

interface Attempt {
  owner: string;
  deadline: number;
  payment: PaymentInput;
}

/** What one try of step 1 (claiming the checkout) came to. */
type ClaimOutcome =
  | { kind: "claimed" } | { kind: "lost" } | { kind: "busy" }
  | { kind: "refused"; refusal: { reason: ErrorReason; message: string } };

const VOIDED_AFTER_COMMIT_REFUSED = "the checkout expired before the order could be placed; the payment was voided";

export class SubmissionFlow {
  constructor(private readonly d: OrderDeps) {}

  async submit(p: Principal, req: SubmitOrderRequest): Promise<Order> {
    const { ds, settings } = this.d;
    const input = validateSubmitOrder(req, new Date(), settings.acceptCardFields);
    const checkout = await checkouts.findForUser(ds, input.checkoutId, p.subject);
    if (!checkout) throw notFound("checkout", input.checkoutId);
    const cardLast4 = await this.cardLast4(p, input);
    const attempt: Attempt = { owner: randomUUID(), deadline: Date.now() + settings.waitMs, payment: input.payment };

    let exists = false; // once the key's row is known to exist, polls only read it
    for (;;) {
      let sub: SubmissionRow | undefined;
      let claimed: ClaimOutcome | undefined;
      if (!exists) {
        // The record and its claim on the checkout (step 1's first try) in one transaction. The checkout is locked
        // first: the insert's foreign key check share-locks it, and two inserts upgrading that lock would deadlock.
        const created = await inTransaction(ds, async (tx) => {
          const c = (await checkouts.lock(tx, checkout.id))!;
          const s = await subs.insert(tx, {
            id: randomUUID(),
            userId: p.subject,
            idempotencyKey: input.idempotencyKey,
            checkoutId: checkout.id,
            orderId: randomUUID(),
            amountMinor: checkout.totalMinor,
            currency: checkout.currency,
            cardLast4,
            shippingAddress: input.address,
          }, attempt.owner, settings.leaseMs);
          if (!s) return undefined;
          return { s, outcome: await this.claimLocked(tx, s, c, attempt) };
        });
        sub = created?.s;
        claimed = created?.outcome;
      }
      if (!sub) {
        const existing = await subs.byKey(ds, p.subject, input.idempotencyKey);
        exists = !!existing;
        if (existing && existing.checkoutId !== checkout.id) {
          throw invalidArgument("idempotency_key", "was already used for another checkout; use a new key for each submission");
        }
        if (existing && isFinal(existing.state)) return this.answer(existing);
        sub = existing && await subs.takeLease(ds, existing.id, attempt.owner, settings.leaseMs);
        if (!sub) {
          // Another attempt is working on it (or just forgot it): wait, then look again.
          if (Date.now() > attempt.deadline) throw unavailable("IN_PROGRESS", "the submission is still being processed; retry with the same idempotency_key");
          await pause(25 + Math.random() * 50);
          continue;
        }
      }
      try {
        return await this.drive(sub, attempt, claimed);
      } catch (err) {
        if (!(err instanceof LeaseLost)) throw err;
      }
    }
  }

  /**
   * The last four digits of the card paying: from the card, or from the provider for a token. A token the provider
   * cannot charge any more is InvalidArgument, unless this is a retry of a submission it already paid for.
   */
  private async cardLast4(p: Principal, input: SubmitInput): Promise<string> {
    const { token, card } = input.payment;
    if (card) return card.last4;
    const described = await this.d.payments.describeToken(token).catch((err) => {
      if (err instanceof PaymentProviderError) throw unavailable("PAYMENT_UNAVAILABLE", "the payment provider is unavailable; retry with the same idempotency_key");
      throw err;
    });
    if (described) return described.last4;
    const earlier = await subs.byKey(this.d.ds, p.subject, input.idempotencyKey);
    if (earlier) return earlier.cardLast4;
    throw invalidArgument("payment_token", "is unknown, expired or already used; tokenize the card again");
  }

  /** Recovery: finishes or compensates in-flight submissions whose lease ran out. Returns how many it took. */
  recoverStuck(limit = 20): Promise<number> {
    return recoverExpiredLeases({
      log: this.d.log,
      what: "submission",
      claim: (owner) => subs.claimStuck(this.d.ds, owner, this.d.settings.leaseMs, limit),
      drive: (sub, owner) => this.recover(sub, owner),
      describe: (sub) => ({ submissionId: sub.id, orderId: sub.orderId }),
    });
  }

  /** Steps 1-5; `claimed`: step 1's first try already made (with the record's insert). */
  private async drive(sub: SubmissionRow, attempt: Attempt, claimed?: ClaimOutcome): Promise<Order> {
    if (sub.state === "PENDING") {
      await this.claimCheckout(sub, attempt, claimed);
      sub = await this.pay(sub, attempt);
    }
    return this.completePaid(sub, attempt.owner);
  }

  private async answer(sub: SubmissionRow): Promise<Order> {
    switch (sub.state) {
      case "PLACED": {
        const row = await orders.findForUser(this.d.ds, sub.orderId, sub.userId);
        if (!row) throw new Error(`submission ${sub.id} is PLACED but order ${sub.orderId} is missing`);
        return orderView(row);
      }
      case "DECLINED":
        throw failedPrecondition("PAYMENT_DECLINED", sub.error ?? "payment declined");
      default:
        throw failedPrecondition("ORDER_NOT_PLACED", sub.error ?? "the order could not be placed");
    }
  }

  /** Step 1: makes this submission the one entitled to pay for its checkout, from the outcome of a try if given. */
  private async claimCheckout(sub: SubmissionRow, attempt: Attempt, tried?: ClaimOutcome): Promise<void> {
    const { ds } = this.d;
    for (let outcome = tried; ; outcome = undefined) {
      outcome ??= await inTransaction(ds, async (tx): Promise<ClaimOutcome> => {
        const locked = await subs.lockWithCheckout(tx, sub.id);
        if (!locked || locked.sub.state !== "PENDING" || locked.sub.leaseOwner !== attempt.owner) return { kind: "lost" };
        return this.claimLocked(tx, locked.sub, locked.checkout, attempt);
      });
      switch (outcome.kind) {
        case "claimed":
          return;
        case "lost":
          throw new LeaseLost();
        case "refused":
          throw failedPrecondition(outcome.refusal.reason, outcome.refusal.message);
        case "busy":
          if (Date.now() > attempt.deadline) {
            await subs.forget(ds, sub.id, attempt.owner);
            throw aborted("SUBMISSION_IN_PROGRESS", "another submission for this checkout is in progress; retry shortly");
          }
          await pause(25 + Math.random() * 50);
      }
    }
  }

  /** One try of step 1 on the locked submission (PENDING, this attempt's lease) and its locked checkout. */
  private async claimLocked(tx: Db, s: SubmissionRow, c: checkouts.CheckoutRow, attempt: Attempt): Promise<ClaimOutcome> {
    const refusal = await this.refusal(tx, c);
    if (refusal) {
      await subs.transition(tx, s.id, attempt.owner, ["PENDING"], "FAILED", { error: refusal.message });
      return { kind: "refused", refusal };
    }
    if (c.submissionId && c.submissionId !== s.id) {
      const holder = (await subs.states(tx, [c.submissionId])).get(c.submissionId);
      if (holder === "PENDING" || holder === "PAID") {
        await subs.extendLease(tx, s.id, attempt.owner, this.d.settings.leaseMs);
        return { kind: "busy" };
      }
    }
    // A full lease for the payment from here.
    await subs.claimCheckout(tx, s.id, c.id, attempt.owner, this.d.settings.leaseMs);
    return { kind: "claimed" };
  }

  /** Why a checkout cannot be paid for now, if it cannot. */
  private async refusal(q: Db, c: checkouts.CheckoutRow): Promise<{ reason: ErrorReason; message: string } | undefined> {
    switch (c.status) {
      case "COMPLETED":
        return { reason: "CHECKOUT_ORDERED", message: `checkout ${c.id} was already ordered (order ${c.orderId})` };
      case "CANCELLED":
        return { reason: "CHECKOUT_CANCELLED", message: `checkout ${c.id} was cancelled; begin a new checkout` };
      case "ACTIVE":
        break;
      default:
        return { reason: "CHECKOUT_EXPIRED", message: `checkout ${c.id} has expired; begin a new checkout` };
    }
    const left = c.secondsLeft ?? await checkouts.secondsLeft(q, c.id);
    if (left <= 0) return { reason: "CHECKOUT_EXPIRED", message: `checkout ${c.id} has expired; begin a new checkout` };
    const margin = this.d.settings.submitMarginSeconds;
    if (left <= margin) {
      return { reason: "CHECKOUT_EXPIRING", message: `checkout ${c.id} expires in less than ${margin} seconds; begin a new checkout` };
    }
    return undefined;
  }

  /** Step 2: charges the checkout's total; returns the PAID row. */
  private async pay(sub: SubmissionRow, attempt: Attempt): Promise<SubmissionRow> {
    const { ds, log, payments, settings } = this.d;
    let result: ChargeResult;
    try {
      result = await payments.charge({ idempotencyKey: sub.id, amountMinor: sub.amountMinor, currency: sub.currency, ...attempt.payment });
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      log.warn({ submissionId: sub.id, err: err.message }, "payment provider error");
      // A gateway error can be ambiguous: ask whether the key got charged before deciding nothing happened.
      const found = await payments.findCharge(sub.id).catch(() => "unknown" as const);
      if (found === "unknown") {
        await subs.releaseLease(ds, sub.id, attempt.owner);
        throw unavailable("PAYMENT_UNAVAILABLE", "the payment provider is unavailable; retry with the same idempotency_key");
      }
      if (!found) {
        await subs.forget(ds, sub.id, attempt.owner);
        throw unavailable("PAYMENT_UNAVAILABLE", "the payment provider failed and nothing was charged; retry");
      }
      result = found.status === "DECLINED"
        ? { outcome: "declined", reason: found.declineReason ?? "card declined", charge: found }
        : { outcome: "approved", charge: found };
    }

    if (result.outcome === "declined") {
      // The reservation stays until it expires: the shopper may retry with another card and a new key.
      const moved = await subs.transition(ds, sub.id, attempt.owner, ["PENDING"], "DECLINED", { error: "payment declined" });
      if (!moved) throw new LeaseLost();
      throw failedPrecondition("PAYMENT_DECLINED", "payment declined");
    }
    if (result.charge.status === "VOIDED") {
      const moved = await subs.transition(ds, sub.id, attempt.owner, ["PENDING"], "FAILED", { error: "the payment was voided" });
      if (!moved) throw new LeaseLost();
      throw failedPrecondition("PAYMENT_VOIDED", "the payment was voided");
    }

    if (settings.crashAfterPayment) {
      // TEST ONLY (ORDER_FAULT_CRASH_AFTER_PAYMENT=1): die between the charge and everything after it.
      log.fatal({ submissionId: sub.id }, "fault injection: exiting right after a successful charge");
      process.exit(137);
    }

    const paid = await subs.transition(ds, sub.id, attempt.owner, ["PENDING"], "PAID", { chargeId: result.charge.chargeId });
    if (paid) return paid;
    // Lost the lease while charging. If recovery concluded "not charged" and failed the submission, this charge is
    // an orphan: give the money back. Otherwise the new holder carries on with the same (idempotent) charge.
    const now = await subs.byId(ds, sub.id);
    if (now && (now.state === "FAILED" || now.state === "DECLINED")) await this.voidQuietly(result.charge);
    throw new LeaseLost();
  }

  /** Steps 3-5 for a PAID submission; the request path and recovery share them. */
  private async completePaid(sub: SubmissionRow, owner: string): Promise<Order> {
    const { ds, log, payments } = this.d;
    try {
      const headers = await this.d.serviceHeaders();
      await callDependency(log, "inventory", () => this.d.inventory().commit({ checkoutId: sub.checkoutId, orderId: sub.orderId }, { headers }),
        [Code.FailedPrecondition, Code.NotFound]);
    } catch (err) {
      if (!isCode(err, Code.FailedPrecondition) && !isCode(err, Code.NotFound)) {
        await subs.releaseLease(ds, sub.id, owner);
        throw unavailable("IN_PROGRESS", "the order is being placed; retry with the same idempotency_key");
      }
      // The reservation is gone (expired or released): the shopper must not pay for stock they will not get.
      try {
        await payments.void(sub.chargeId!);
      } catch (voidErr) {
        log.warn({ submissionId: sub.id, err: (voidErr as Error).message }, "void failed; recovery will retry");
        await subs.releaseLease(ds, sub.id, owner);
        throw unavailable("IN_PROGRESS", "the order could not be placed and the payment is being voided; retry with the same idempotency_key");
      }
      const failed = await subs.transition(ds, sub.id, owner, ["PAID"], "FAILED", { error: VOIDED_AFTER_COMMIT_REFUSED });
      if (!failed) throw new LeaseLost();
      throw failedPrecondition("CHECKOUT_EXPIRED", VOIDED_AFTER_COMMIT_REFUSED);
    }

    const placed = await this.place(sub);
    if (placed.row) ordersPlaced.inc();
    // Just written: answer from what the transaction returned. A repeat (placed earlier) reads it back.
    const row = placed.row ?? await orders.findForUser(ds, sub.orderId, sub.userId);
    if (!row) throw new Error(`order ${sub.orderId} missing right after it was placed`);
    return orderView(row);
  }

  /** Step 4, one transaction, idempotent: returns the order when this call wrote it. */
  private async place(sub: SubmissionRow): Promise<{ row?: orders.OrderRow }> {
    return inTransaction(this.d.ds, async (tx) => {
      const { sub: s, checkout: c } = (await subs.lockWithCheckout(tx, sub.id))!;
      if (s.state === "PLACED") return {};
      if (s.state !== "PAID") throw new LeaseLost();
      CHECKOUT_STATES.check(c.status, "COMPLETED"); // claimed by this submission, so still ACTIVE
      // The checkout's prices and total: what the shopper saw is what was charged and what the order says.
      // The order, its lines, the checkout COMPLETED, the submission PLACED and OrderPlaced in the outbox: one statement.
      const row = await orders.insertPlaced(tx, {
        id: s.orderId,
        submissionId: s.id,
        userId: s.userId,
        checkoutId: c.id,
        currency: c.currency,
        totalMinor: c.totalMinor,
        shippingAddress: s.shippingAddress,
        paymentProvider: this.d.payments.name,
        chargeId: s.chargeId!,
        cardLast4: s.cardLast4,
        lines: c.lines,
      }, create(OrderPlacedSchema, {
        eventId: randomUUID(),
        orderId: s.orderId,
        userId: s.userId,
        lines: orderLinesView(c.lines, c.currency),
        shippingAddress: addressView(s.shippingAddress),
        total: money(c.totalMinor, c.currency),
        occurTime: timestampNow(),
      }));
      if (!row) {
        // The order was written before without its submission moving on (cannot happen: one transaction); finish it.
        await checkouts.complete(tx, c.id, s.orderId);
        await subs.markPlaced(tx, s.id);
        return {};
      }
      return { row };
    });
  }

  private async recover(sub: SubmissionRow, owner: string): Promise<void> {
    const charge = await this.d.payments.findCharge(sub.id);
    const action = recoveryAction(sub.state, finding(charge));
    if (!action) return;
    switch (action.kind) {
      case "fail":
        await subs.transition(this.d.ds, sub.id, owner, ["PENDING", "PAID"], "FAILED", { error: action.reason });
        return;
      case "decline":
        await subs.transition(this.d.ds, sub.id, owner, ["PENDING"], "DECLINED", { error: "payment declined" });
        return;
      case "commit": {
        const paid = sub.state === "PAID"
          ? sub
          : await subs.transition(this.d.ds, sub.id, owner, ["PENDING"], "PAID", { chargeId: charge!.chargeId });
        if (paid) await this.completePaid(paid, owner);
      }
    }
  }

  private async voidQuietly(charge: ChargeRecord): Promise<void> {
    try {
      await this.d.payments.void(charge.chargeId);
    } catch (err) {
      this.d.log.error({ chargeId: charge.chargeId, err: (err as Error).message }, "could not void an orphaned charge");
    }
  }
}

function finding(charge: ChargeRecord | undefined): ChargeFinding {
  if (!charge) return "none";
  return charge.status === "CAPTURED" ? "captured" : charge.status === "DECLINED" ? "declined" : "voided";
}
