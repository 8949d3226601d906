// inventory.stock.changed into the stock view (store/stock-view.ts), a batch of events per transaction. Only
// events carrying warehouse rows change it; the others (reservations) say the aggregated count alone changed.
import type { StockChangedSchema } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import type { BatchConsumerDecl } from "../../../lib/consumers.js";
import { EVENTS } from "../../../lib/events.js";
import { applyStock } from "../store/stock-view.js";

export const STOCK_CHANGED_DURABLE = "assignment-stock";

export function stockChangedConsumer(batch: number): BatchConsumerDecl<typeof StockChangedSchema> {
  return {
    event: EVENTS.inventoryStockChanged, durable: STOCK_CHANGED_DURABLE,
    batch,
    relevant: (e) => e.warehouses.length > 0,
    handleBatch: (events, tx) => applyStock(tx, events.map((e) => ({
      itemId: e.itemId.toLowerCase(), sequence: e.sequence, available: new Map(e.warehouses.map((w) => [w.warehouseId.toLowerCase(), w.available])),
    }))),
  };
}
