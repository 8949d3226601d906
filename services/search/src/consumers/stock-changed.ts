// inventory.stock.changed into the read model (search.stock), a batch of events per transaction. A stock row is
// written only when newer than the stored one (per-item sequence): replaying the whole stream converges to the same rows.
// An allocation's event (only warehouse rows changed) leaves the count as it was and is skipped.
import type { StockChangedSchema } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import type { BatchConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { stockDocOf } from "../domain/events.js";
import { upsertStock } from "../store/read-model.js";

export const STOCK_CHANGED_DURABLE = "search-stock";

export function stockChangedConsumer(batch: number): BatchConsumerDecl<typeof StockChangedSchema> {
  return {
    event: EVENTS.inventoryStockChanged, durable: STOCK_CHANGED_DURABLE,
    batch, relevant: (e) => !e.onlyWarehousesChanged,
    handleBatch: (events, tx) => upsertStock(tx, events.flatMap((e) => stockDocOf(e) ?? [])),
  };
}
