// catalog.items.changed into the read model (search.items), a batch of events per transaction. An item is
// written only when newer than the stored one (item version): replaying the whole stream converges to the same rows.
import type { ItemChangedSchema } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import type { BatchConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { itemDocOf } from "../domain/events.js";
import { upsertItems } from "../store/read-model.js";

export const ITEMS_CHANGED_DURABLE = "search-catalog";

export function itemsChangedConsumer(batch: number): BatchConsumerDecl<typeof ItemChangedSchema> {
  return {
    event: EVENTS.catalogItemChanged,
    durable: ITEMS_CHANGED_DURABLE,
    batch,
    handleBatch: (events, tx) => upsertItems(tx, events.flatMap((e) => itemDocOf(e.item) ?? [])),
  };
}
