// CancelOrder: undo an order that has not shipped, without ever returning its stock twice or leaving it half done.
//
// The record: one `cancellations` row per order (domain/cancellation.ts), inserted under the order's row lock after
// checking the shipments view (something shipped: FailedPrecondition, nothing written). Then, each step idempotent
// and fenced by the record's lease (like submissions):
//   1. Assignment.CancelOrderAssignment (service token): every unshipped warehouse order CANCELLED, or, before
//      assignment, the order marked so its OrderPlaced assigns nothing. Assignment serializes this with the
//      assignment of the same order (a per-order lock), so whichever comes first, the other sees it. Refused
//      because something shipped meanwhile -> the record is deleted (nothing changed anywhere), FailedPrecondition.
//      The cancelled warehouse orders go into the shipments view at once (the view only moves forward, so the
//      events that follow change nothing).
//   2. Inventory.DeallocateOrder: the stock goes back exactly as the stock model says (committed-unassigned units
//      to aggregated; allocated units to available(W) and aggregated). Inventory keeps one state per order, so a
//      repeat returns nothing more, and an AllocateOrder arriving later (assignment racing the cancellation) is
//      refused because the order is cancelled.
//   3. PaymentProvider.void(charge) (idempotent).
//   4. one transaction: order CANCELLED, payment VOIDED, OrderCancelled outbox row (orders.cancelled), record DONE,
//      watchers notified.
// A dependency failing hands the lease back and answers Unavailable; once step 1 may have happened the
// cancellation must finish (units would stay allocated otherwise), so the recovery worker completes every
// record whose lease ran out, whoever started it.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { OrderCancelledSchema, type CancelOrderRequest, type Order } from "../../../gen/shop/order/v1/order_pb.js";
import type { Principal } from "../../lib/auth.js";
import { inTransaction } from "../../lib/db.js";
import { failedPrecondition, notFound, unavailable } from "../../lib/errors.js";
import { SUBJECTS } from "../../lib/nats.js";
import { enqueueEvent } from "../../lib/outbox.js";
import { text, uuid } from "../../lib/validate.js";
import { pause, type OrderDeps } from "./deps.js";
import { downstream, isCode } from "./downstream.js";
import { cancellationStep, type CancellationState } from "./domain/cancellation.js";
import { hasShipped } from "./domain/shipments.js";
import { PaymentProviderError } from "./payment/provider.js";
import { orderForUser } from "./queries.js";
import * as cancellations from "./store/cancellations.js";
import type { CancellationRow } from "./store/cancellations.js";
import * as orders from "./store/orders.js";
import { shipmentsOf } from "./store/shipments.js";
import { shipmentFrom, type ShipmentTracker } from "./tracking.js";
import { notifyOrderChanged } from "./watch.js";

/** This attempt lost the record's lease: someone else carries the cancellation on. */
class LeaseLost extends Error {}

/** A dependency failed; the record's lease was handed back for a retry or the recovery worker. */
class StepFailed extends Error {}

type Start = { kind: "done" } | { kind: "wait" } | { kind: "drive"; record: CancellationRow };

export class CancellationFlow {
  constructor(private readonly d: OrderDeps, private readonly tracker: ShipmentTracker) {}

  async cancel(p: Principal, req: CancelOrderRequest): Promise<Order> {
    const orderId = uuid(req.orderId, "order_id");
    const reason = text(req.reason, "reason", { max: 500 });
    const { ds, settings } = this.d;
    const owner = randomUUID();
    const deadline = Date.now() + settings.waitMs;

    for (;;) {
      const start = await inTransaction(ds, async (tx): Promise<Start> => {
        const order = await orders.lockProgress(tx, orderId);
        if (!order || order.userId !== p.subject) throw notFound("order", orderId);
        if (order.status === "CANCELLED") return { kind: "done" };
        if (await cancellations.find(tx, orderId)) {
          const taken = await cancellations.takeLease(tx, orderId, owner, settings.leaseMs);
          return taken ? { kind: "drive", record: taken } : { kind: "wait" };
        }
        const shipped = (await shipmentsOf(tx, [orderId])).get(orderId)!.find((s) => hasShipped(s.status));
        if (shipped) throw shippedRefusal(orderId, `warehouse order ${shipped.warehouseOrderId} (${shipped.warehouseCode}) has shipped`);
        const record = await cancellations.insert(tx, { orderId, userId: p.subject, reason }, owner, settings.leaseMs);
        return { kind: "drive", record: record! };
      });

      if (start.kind === "wait") {
        // Another attempt (a concurrent call, the recovery worker) is cancelling it now.
        if (Date.now() > deadline) throw unavailable("IN_PROGRESS", "the order is being cancelled; retry shortly to see the outcome");
        await pause(25 + Math.random() * 50);
        continue;
      }
      if (start.kind === "drive") {
        try {
          await this.drive(start.record, owner);
        } catch (err) {
          if (err instanceof LeaseLost) continue;
          if (err instanceof StepFailed) throw unavailable("IN_PROGRESS", `the cancellation was started and will be completed: ${err.message}`);
          throw err;
        }
      }
      return (await orderForUser(ds, orderId, p.subject))!;
    }
  }

  /** Recovery: completes cancellations whose lease ran out. Returns how many it took up. */
  async recoverStuck(limit = 20): Promise<number> {
    const owner = randomUUID();
    const stuck = await cancellations.claimStuck(this.d.ds, owner, this.d.settings.leaseMs, limit);
    for (const record of stuck) {
      try {
        await this.drive(record, owner);
        this.d.log.info({ orderId: record.orderId, from: record.state }, "completed an interrupted cancellation");
      } catch (err) {
        const refused = err instanceof ConnectError && err.code === Code.FailedPrecondition;
        this.d.log[refused ? "info" : "warn"]({ orderId: record.orderId, err: (err as Error).message }, "cancellation recovery ended");
      }
    }
    return stuck.length;
  }

  /** Runs the record's remaining steps. */
  private async drive(record: CancellationRow, owner: string): Promise<void> {
    let state: CancellationState = record.state;
    while (state !== "DONE") {
      try {
        state = await this.step(record, state, owner);
      } catch (err) {
        if (err instanceof StepFailed) {
          await cancellations.releaseLease(this.d.ds, record.orderId, owner, `${cancellationStep(state)}: ${err.message}`);
        }
        throw err;
      }
    }
  }

  private async step(record: CancellationRow, state: CancellationState, owner: string): Promise<CancellationState> {
    const { ds, log } = this.d;
    const { orderId } = record;
    const headers = await this.d.serviceHeaders();
    switch (state) {
      case "REQUESTED": {
        let cancelled;
        try {
          cancelled = await downstream(log, "assignment",
            () => this.d.assignment().cancelOrderAssignment({ orderId }, { headers }), [Code.FailedPrecondition]);
        } catch (err) {
          if (isCode(err, Code.FailedPrecondition)) {
            // All or nothing in Assignment: nothing was cancelled, so the order stays exactly as it was.
            await cancellations.abandon(ds, orderId, owner);
            throw shippedRefusal(orderId, (err as ConnectError).rawMessage);
          }
          throw new StepFailed((err as Error).message);
        }
        await inTransaction(ds, async (tx) => {
          await orders.lockProgress(tx, orderId); // order before record, as everywhere
          if (!(await cancellations.advance(tx, orderId, owner, "REQUESTED", "ASSIGNMENT_CANCELLED"))) throw new LeaseLost();
          const shipments = cancelled.warehouseOrders.map((wo) => shipmentFrom(wo, orderId));
          if (shipments.length) await this.tracker.apply(tx, orderId, shipments, false);
        });
        return "ASSIGNMENT_CANCELLED";
      }
      case "ASSIGNMENT_CANCELLED": {
        let returned;
        try {
          returned = await downstream(log, "inventory",
            () => this.d.inventory().deallocateOrder({ orderId }, { headers }), [Code.FailedPrecondition, Code.NotFound]);
        } catch (err) {
          if (isCode(err, Code.FailedPrecondition) || isCode(err, Code.NotFound)) {
            // Assignment cancelled every warehouse order, so nothing can have shipped: Inventory disagreeing is a bug.
            log.error({ orderId, err: (err as Error).message }, "CANCELLATION STUCK: Inventory refused to return the stock of a cancelled order; will retry");
          }
          throw new StepFailed((err as Error).message);
        }
        if (!(await cancellations.advance(ds, orderId, owner, "ASSIGNMENT_CANCELLED", "STOCK_RETURNED", { returnedUnits: returned.returnedUnits }))) {
          throw new LeaseLost();
        }
        return "STOCK_RETURNED";
      }
      case "STOCK_RETURNED": {
        const order = await orders.findForUser(ds, orderId, record.userId);
        if (!order) throw new Error(`cancellation of order ${orderId}: the order is missing`);
        try {
          await this.d.payments.void(order.chargeId);
        } catch (err) {
          if (err instanceof PaymentProviderError) throw new StepFailed(err.message);
          throw err;
        }
        await inTransaction(ds, async (tx) => {
          await orders.lockProgress(tx, orderId);
          if (!(await cancellations.advance(tx, orderId, owner, "STOCK_RETURNED", "DONE"))) throw new LeaseLost();
          await orders.markCancelled(tx, orderId);
          await enqueueEvent(tx, "order", SUBJECTS.ordersCancelled, OrderCancelledSchema, create(OrderCancelledSchema, {
            eventId: randomUUID(), orderId, userId: record.userId, reason: record.reason, occurTime: timestampNow(),
          }));
          await notifyOrderChanged(tx, orderId);
        });
        log.info({ orderId }, "order cancelled");
        return "DONE";
      }
      case "DONE":
        return "DONE";
    }
  }
}

function shippedRefusal(orderId: string, detail: string): ConnectError {
  return failedPrecondition("ORDER_SHIPPED", `order ${orderId} can no longer be cancelled: ${detail}`);
}
