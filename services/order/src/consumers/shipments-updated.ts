// orders.shipments.updated (a warehouse order moved): the shipment's status and the order's derived from it.
import type { WarehouseOrderStatusChangedSchema } from "../../../../gen/shop/assignment/v1/assignment_pb.js";
import type { ConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import type { ShipmentTracker } from "../flows/tracking.js";

export function shipmentsUpdatedConsumer(tracker: ShipmentTracker, concurrency: number): ConsumerDecl<typeof WarehouseOrderStatusChangedSchema> {
  return {
    event: EVENTS.ordersShipmentUpdated,
    durable: "order-shipments",
    concurrency,
    handle: (e, tx) => tracker.onStatusChanged(e, tx),
  };
}
