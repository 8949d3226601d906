// orders.placed: each placed order becomes warehouse orders (assigner.ts). An event that can never be applied
// (not an OrderPlaced, or one no retry can make valid) is kept in assignment.rejected_events for a person to see.
import type { OrderPlacedSchema } from "../../../../gen/shop/order/v1/order_pb.js";
import type { ConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { placedOrder, type OrderAssigner } from "../assigner.js";
import { rejectEvent } from "../store/assignments.js";

export const ORDERS_PLACED_DURABLE = "assignment-orders-placed";

export function ordersPlacedConsumer(assigner: OrderAssigner, concurrency: number): ConsumerDecl<typeof OrderPlacedSchema> {
  return {
    event: EVENTS.ordersPlaced,
    durable: ORDERS_PLACED_DURABLE,
    concurrency,
    handle: (e, tx) => assigner.assign(tx, placedOrder(e)),
    reject: (tx, meta, reason) => rejectEvent(tx, { consumer: ORDERS_PLACED_DURABLE, eventId: meta.eventId, subject: meta.subject, payload: meta.msg.data, reason }),
  };
}
