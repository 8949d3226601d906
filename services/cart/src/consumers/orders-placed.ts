// orders.placed empties the bought lines from the buyer's cart (CartStore.removeBought: once per order id; lines
// of other items, and lines put back after the order was placed, stay), a batch of events per transaction. SubmitOrder itself does not call Cart.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { OrderPlacedSchema } from "../../../../gen/shop/order/v1/order_pb.js";
import type { BatchConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { isUuid } from "../../../lib/validate.js";
import { CartStore } from "../store/cart-store.js";

export const CART_ORDERS_DURABLE = "cart-orders-placed";

export function ordersPlacedConsumer(batch: number): BatchConsumerDecl<typeof OrderPlacedSchema> {
  return {
    event: EVENTS.ordersPlaced, durable: CART_ORDERS_DURABLE,
    batch, handleBatch: (events, tx) => CartStore.removeBought(tx, events
      .filter((e) => isUuid(e.orderId) && isUuid(e.userId))
      .map((e) => ({
        orderId: e.orderId.toLowerCase(),
        userId: e.userId.toLowerCase(),
        itemIds: e.lines.map((l) => l.itemId.toLowerCase()).filter(isUuid),
        // An event without its time (none the mesh writes) removes the bought lines as they are now.
        placedAt: e.occurTime ? timestampDate(e.occurTime) : new Date(),
      }))),
  };
}
