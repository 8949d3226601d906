// Flow 6 and 7 on the assignment side: warehouses report progress (PICKED, PACKED, SHIPPED, DELIVERED) and
// an order's cancellation cancels its unshipped warehouse orders. Every change writes a history row and a
// WarehouseOrderStatusChanged event (orders.shipments.updated) in the same transaction.
//
// SHIPPED is the one report with an effect outside this service (Inventory: physical stock leaves), done
// without holding a lock across the call:
//   1. transaction: the order must be PACKED; carrier, tracking number and the report time are recorded. From
//      here on the warehouse order counts as shipped: CancelOrderAssignment refuses it;
//   2. Inventory.RecordShipment (idempotent per warehouse order);
//   3. transaction: PACKED -> SHIPPED, history, event.
// A crash or an Inventory outage between 1 and 3 leaves a recorded report: the warehouse's retry or the
// ShipmentRecovery task completes it, so Inventory and this service never disagree for long.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import type { DataSource, EntityManager } from "typeorm";
import { WarehouseOrderCancelledSchema, WarehouseOrderStatusChangedSchema } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import type { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import type { Principal } from "../../lib/auth.js";
import { inTransaction } from "../../lib/db.js";
import { failedPrecondition, notFound, permissionDenied } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { SUBJECTS } from "../../lib/nats.js";
import { enqueueEvent } from "../../lib/outbox.js";
import { PeriodicTask } from "../../lib/periodic.js";
import { hasShipped, isCancellable, warehouseTransition, type Status } from "./domain/status.js";
import { lockOrder, setAssignment } from "./store/assignments.js";
import {
  addHistory, findWarehouseOrder, interruptedShipments, requestShipment, setStatus, warehouseOrdersOf, type WarehouseOrderRow,
} from "./store/warehouse-orders.js";
import { warehouseOrderView } from "./views.js";

export interface WarehouseFlowDeps {
  ds: DataSource;
  inventory: Client<typeof InventoryService>;
  serviceHeaders(): Promise<{ authorization: string }>;
  log: Logger;
}

export interface ShippingDetails {
  carrier: string;
  trackingNumber: string;
}

/** Who reported a change, for the history. */
export function actorOf(p: Principal): string {
  return `${p.role}:${p.subject}`;
}

/** A warehouse token reaches only its own warehouse's orders; admins and services reach all. */
export function requireWarehouseAccess(caller: Principal, warehouseId: string): void {
  if (caller.role === "warehouse" && caller.warehouseId?.toLowerCase() !== warehouseId) {
    throw permissionDenied("NOT_YOUR_WAREHOUSE", "a warehouse token may only see and change its own warehouse's orders");
  }
}

export class WarehouseFlow {
  constructor(private readonly d: WarehouseFlowDeps) {}

  /** A warehouse's report. `shipping` is required (validated by the caller) when `to` is SHIPPED. */
  async updateStatus(caller: Principal, id: string, to: Status, shipping?: ShippingDetails): Promise<WarehouseOrderRow> {
    if (to === "SHIPPED") return this.ship(caller, id, shipping!);
    return inTransaction(this.d.ds, async (tx) => {
      const row = await this.lockForCaller(tx, caller, id);
      const t = warehouseTransition(row.status, to);
      if (t.kind === "repeat") return row;
      if (t.kind === "refused") throw failedPrecondition("STATUS_TRANSITION", `warehouse order ${id}: ${t.reason}`);
      return this.change(tx, row, to, actorOf(caller));
    });
  }

  private async ship(caller: Principal, id: string, shipping: ShippingDetails): Promise<WarehouseOrderRow> {
    const done = await inTransaction(this.d.ds, async (tx) => {
      const row = await this.lockForCaller(tx, caller, id);
      const t = warehouseTransition(row.status, "SHIPPED");
      if (t.kind === "refused") throw failedPrecondition("STATUS_TRANSITION", `warehouse order ${id}: ${t.reason}`);
      const recorded = row.shipRequestedAt !== null;
      if (recorded && (row.carrier !== shipping.carrier || row.trackingNumber !== shipping.trackingNumber)) {
        throw failedPrecondition(
          "SHIPMENT_MISMATCH", `warehouse order ${id} was reported shipped with carrier ${JSON.stringify(row.carrier)} and tracking number ${JSON.stringify(row.trackingNumber)}`);
      }
      if (t.kind === "repeat") return row;
      if (!recorded) await requestShipment(tx, id, shipping.carrier, shipping.trackingNumber);
      return undefined;
    });
    return done ?? this.completeShipment(id, actorOf(caller));
  }

  /** Steps 2 and 3 of SHIPPED, for a recorded report (the caller's, or an interrupted one found by recovery). */
  async completeShipment(id: string, actor: string): Promise<WarehouseOrderRow> {
    const row = await findWarehouseOrder(this.d.ds, id);
    if (!row) throw notFound("warehouse order", id);
    if (row.status !== "PACKED") return row;
    await this.d.inventory.recordShipment({ orderId: row.orderId, warehouseOrderId: id }, { headers: await this.d.serviceHeaders() });
    return inTransaction(this.d.ds, async (tx) => {
      const locked = (await findWarehouseOrder(tx, id, { lock: true }))!;
      if (locked.status !== "PACKED") return locked; // a concurrent report completed it
      return this.change(tx, locked, "SHIPPED", actor);
    });
  }

  /**
   * CancelOrderAssignment: every unshipped warehouse order of the order becomes CANCELLED (WarehouseOrderCancelled
   * on warehouse.<code>.orders.cancelled, plus the status event). All or nothing: refused when any has shipped
   * or is being shipped. Without warehouse orders yet, the order is marked so a late OrderPlaced assigns nothing.
   * Stock is Order's business (it calls Inventory.DeallocateOrder). Idempotent.
   */
  async cancelOrder(caller: Principal, orderId: string): Promise<WarehouseOrderRow[]> {
    return inTransaction(this.d.ds, async (tx) => {
      await lockOrder(tx, orderId);
      const orders = await warehouseOrdersOf(tx, orderId, { lock: true });
      const shipped = orders.find((o) => hasShipped(o.status) || (o.status === "PACKED" && o.shipRequestedAt !== null));
      if (shipped) {
        throw failedPrecondition("ORDER_SHIPPED", `order ${orderId} cannot be cancelled: warehouse order ${shipped.id} (${shipped.warehouseCode}) has shipped`);
      }
      const cancelled: WarehouseOrderRow[] = [];
      for (const o of orders.filter((x) => isCancellable(x.status))) {
        const row = await this.change(tx, o, "CANCELLED", actorOf(caller));
        await enqueueEvent(tx, "assignment", SUBJECTS.warehouseOrderCancelled(row.warehouseCode), WarehouseOrderCancelledSchema,
          create(WarehouseOrderCancelledSchema, { eventId: randomUUID(), warehouseOrder: warehouseOrderView(row), occurTime: timestampNow() }));
        cancelled.push(row);
      }
      await setAssignment(tx, orderId, "CANCELLED");
      if (cancelled.length) this.d.log.info({ orderId, warehouseOrders: cancelled.map((o) => o.id) }, "order assignment cancelled");
      return warehouseOrdersOf(tx, orderId);
    });
  }

  private async lockForCaller(tx: EntityManager, caller: Principal, id: string): Promise<WarehouseOrderRow> {
    const row = await findWarehouseOrder(tx, id, { lock: true });
    if (!row) throw notFound("warehouse order", id);
    requireWarehouseAccess(caller, row.warehouseId);
    return row;
  }

  /** One status change: the row, its history and its event, in the caller's transaction. */
  private async change(tx: EntityManager, row: WarehouseOrderRow, to: Status, actor: string): Promise<WarehouseOrderRow> {
    const updated = await setStatus(tx, row.id, to);
    await addHistory(tx, [row.id], to, actor);
    await enqueueEvent(tx, "assignment", SUBJECTS.ordersShipmentUpdated, WarehouseOrderStatusChangedSchema,
      create(WarehouseOrderStatusChangedSchema, { eventId: randomUUID(), warehouseOrder: warehouseOrderView(updated), occurTime: timestampNow() }));
    return updated;
  }
}

/** Completes SHIPPED reports whose recording was interrupted (see the top of this file). */
export function shipmentRecovery(flow: WarehouseFlow, ds: DataSource, intervalMs: number, log: Logger): PeriodicTask {
  return new PeriodicTask("shipment-recovery", intervalMs, async () => {
    let completed = 0;
    for (const id of await interruptedShipments(ds, intervalMs, 50)) {
      try {
        await flow.completeShipment(id, "service:assignment-recovery");
        completed++;
      } catch (err) {
        log.warn({ err, warehouseOrderId: id }, "completing an interrupted shipment failed; will retry");
      }
    }
    if (completed) log.info({ completed }, "interrupted shipments completed");
  }, log, { oneReplica: { ds, schema: "assignment" } });
}
