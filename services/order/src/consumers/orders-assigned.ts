// orders.assigned (Assignment split an order into warehouse orders): the order's shipments, from now on its status.
import type { OrderAssignedSchema } from "../../../../gen/shop/assignment/v1/assignment_pb.js";
import type { ConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import type { ShipmentTracker } from "../flows/tracking.js";

export function ordersAssignedConsumer(tracker: ShipmentTracker, concurrency: number): ConsumerDecl<typeof OrderAssignedSchema> {
  return {
    event: EVENTS.ordersAssigned,
    durable: "order-assigned",
    concurrency,
    handle: (e, tx) => tracker.onAssigned(e, tx),
  };
}
