// catalog.items.changed into the cart's price view (cart.item_view), a batch of events per transaction; an item
// is written only when newer than the one held (item version).
import type { ItemChangedSchema } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import type { BatchConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { viewItemOf } from "../item-view.js";
import { upsertItems } from "../store/item-view.js";

export const CART_ITEMS_DURABLE = "cart-catalog";

export function itemsChangedConsumer(batch: number): BatchConsumerDecl<typeof ItemChangedSchema> {
  return {
    event: EVENTS.catalogItemChanged, durable: CART_ITEMS_DURABLE,
    batch, handleBatch: (events, tx) => upsertItems(tx, events.flatMap((e) => viewItemOf(e.item) ?? [])),
  };
}
