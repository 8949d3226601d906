// inventory.stock.changed into the cart's stock view (cart.item_view), a batch of events per transaction; stock
// is written only when newer than the value held (Inventory's per-item sequence). An allocation's event
// (only warehouse rows changed) leaves the count as it was and is skipped.
import type { StockChangedSchema } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import type { BatchConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { upsertStock } from "../store/item-view.js";

export const CART_STOCK_DURABLE = "cart-stock";

export function stockChangedConsumer(batch: number): BatchConsumerDecl<typeof StockChangedSchema> {
  return {
    event: EVENTS.inventoryStockChanged, durable: CART_STOCK_DURABLE,
    batch, relevant: (e) => !e.onlyWarehousesChanged,
    handleBatch: (events, tx) => upsertStock(tx, events.flatMap((e) => (e.itemId && e.sequence > 0n
      ? [{ itemId: e.itemId.toLowerCase(), available: e.available, sequence: e.sequence }]
      : []))),
  };
}
