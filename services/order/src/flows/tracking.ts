// The shipments view, kept from Assignment's events (docs/design.md "Warehouse"):
//   orders.assigned          (OrderAssigned, durable "order-assigned"): the order's split; status from then on
//   orders.shipments.updated (WarehouseOrderStatusChanged, durable "order-shipments"): one warehouse order moved
// Each event is applied in the consumer's transaction (consumers/: the id is recorded there, acked after commit):
// lock the order, record the shipment if it is news (a status never goes backwards, so late, repeated and
// reordered events are harmless), derive the order's status, NOTIFY its watchers.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { EntityManager } from "typeorm";
import {
  WarehouseOrderStatus, type OrderAssigned, type WarehouseOrder, type WarehouseOrderStatusChanged,
} from "../../../../gen/shop/assignment/v1/assignment_pb.js";
import { UnusableEvent } from "../../../lib/consumers.js";
import type { Logger } from "../../../lib/log.js";
import { isUuid } from "../../../lib/validate.js";
import { deriveOrderStatus, SHIPMENT_STATUSES, type ShipmentStatus } from "../domain/shipments.js";
import * as orders from "../store/orders.js";
import { recordShipments, type ShipmentRow } from "../store/shipments.js";
import { ORDER_CHANGED_CHANNEL } from "./watch.js";

/** The view's status of a warehouse order's: the same name, none for UNSPECIFIED or a value this build does not know. */
function shipmentStatusOf(status: WarehouseOrderStatus): ShipmentStatus | undefined {
  return SHIPMENT_STATUSES.find((s) => s === WarehouseOrderStatus[status]);
}

/** A warehouse order as the view stores it; throws with the reason when the message cannot be one. */
export function shipmentFrom(wo: WarehouseOrder | undefined, orderId?: string): ShipmentRow {
  if (!wo) throw new Error("warehouse_order is missing");
  const status = shipmentStatusOf(wo.status);
  if (!status) throw new Error(`warehouse_order.status ${wo.status} is not a warehouse order status`);
  for (const [field, value] of [["id", wo.id], ["order_id", wo.orderId], ["warehouse_id", wo.warehouseId]] as const) {
    if (!isUuid(value)) throw new Error(`warehouse_order.${field} is not a UUID`);
  }
  if (orderId !== undefined && wo.orderId.toLowerCase() !== orderId) throw new Error("warehouse_order.order_id is not the event's order");
  return {
    warehouseOrderId: wo.id.toLowerCase(),
    orderId: wo.orderId.toLowerCase(),
    warehouseId: wo.warehouseId.toLowerCase(),
    warehouseCode: wo.warehouseCode,
    status,
    lines: wo.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
    carrier: wo.carrier,
    trackingNumber: wo.trackingNumber,
    updatedAt: wo.updateTime ? timestampDate(wo.updateTime) : new Date(),
  };
}

export class ShipmentTracker {
  constructor(private readonly log: Logger) {}

  /** orders.assigned: every warehouse order of the order; its status is derived from them from now on. */
  async onAssigned(e: OrderAssigned, tx: EntityManager): Promise<void> {
    const shipments = unusableUnless(() => {
      if (!isUuid(e.orderId)) throw new Error("order_id is not a UUID");
      if (e.warehouseOrders.length === 0) throw new Error("warehouse_orders is empty");
      return e.warehouseOrders.map((wo) => shipmentFrom(wo, e.orderId.toLowerCase()));
    });
    await this.apply(tx, e.orderId.toLowerCase(), shipments, true);
  }

  /** orders.shipments.updated: one warehouse order changed status. */
  async onStatusChanged(e: WarehouseOrderStatusChanged, tx: EntityManager): Promise<void> {
    const shipment = unusableUnless(() => shipmentFrom(e.warehouseOrder));
    await this.apply(tx, shipment.orderId, [shipment], false);
  }

  /** Records shipments (in the caller's transaction) and re-derives the order's status; true if anything changed. */
  async apply(tx: EntityManager, orderId: string, shipments: ShipmentRow[], splitKnown: boolean): Promise<boolean> {
    const order = await orders.lockProgress(tx, orderId);
    if (!order) {
      // The order row commits before its OrderPlaced is even published, so this is no order of ours.
      this.log.warn({ orderId }, "shipment event for an unknown order ignored");
      return false;
    }
    const { changed, statuses } = await recordShipments(tx, orderId, shipments);
    const assigned = order.assigned || splitKnown;
    const status = deriveOrderStatus({ current: order.status, assigned, shipments: statuses });
    if (changed === 0 && status === order.status && assigned === order.assigned) return false;
    await orders.setProgress(tx, orderId, order.status, status, assigned, ORDER_CHANGED_CHANNEL);
    if (status !== order.status) this.log.info({ orderId, from: order.status, to: status }, "order status changed");
    return true;
  }
}

/** Reads an event's content; what cannot be read is an event no retry can make usable (rejected, not retried). */
function unusableUnless<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new UnusableEvent((err as Error).message);
  }
}
