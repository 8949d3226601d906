// Catalog and Inventory as the cart needs them (public reads, no token). Failures follow the mesh's one policy
// (lib/dependency.ts): a missing item is NotFound for the cart's caller; a dependency down or slow is Unavailable.
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { CatalogService, Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import type { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { callDependency, isCode } from "../../lib/dependency.js";
import { notFound } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";

/** Everything the cart asks of other services. */
export interface Upstream {
  /** The item, archived or not; NotFound when the catalog has no such item. */
  getItem(itemId: string, signal?: AbortSignal): Promise<Item>;
  /** Items by id (missing ones are simply absent), in one call. */
  batchGetItems(itemIds: string[], signal?: AbortSignal): Promise<Map<string, Item>>;
  /** Units shoppers can still buy (aggregated stock). */
  stockLeft(itemId: string, signal?: AbortSignal): Promise<number>;
  /** Aggregated stock per item in one call (unknown items: 0). */
  batchStockLeft(itemIds: string[], signal?: AbortSignal): Promise<Map<string, number>>;
}

export function meshUpstream(
  catalog: Client<typeof CatalogService>,
  inventory: Client<typeof InventoryService>,
  log: Logger,
  timeoutMs: number,
): Upstream {
  return {
    async getItem(itemId, signal) {
      try {
        const res = await callDependency(log, "catalog", () => catalog.getItem({ itemId }, { signal, timeoutMs }), [Code.NotFound]);
        if (!res.item) throw new ConnectError("GetItem answered without an item", Code.Internal);
        return res.item;
      } catch (err) {
        if (isCode(err, Code.NotFound)) throw notFound("item", itemId);
        throw err;
      }
    },
    async batchGetItems(itemIds, signal) {
      if (itemIds.length === 0) return new Map();
      const res = await callDependency(log, "catalog", () => catalog.batchGetItems({ itemIds }, { signal, timeoutMs }));
      return new Map(res.items.map((item) => [item.id, item]));
    },
    async stockLeft(itemId, signal) {
      const res = await callDependency(log, "inventory", () => inventory.getAvailability({ itemId }, { signal, timeoutMs }));
      return res.availability?.available ?? 0;
    },
    async batchStockLeft(itemIds, signal) {
      if (itemIds.length === 0) return new Map();
      const res = await callDependency(log, "inventory", () => inventory.batchGetAvailability({ itemIds }, { signal, timeoutMs }));
      return new Map(res.availabilities.map((a) => [a.itemId, a.available]));
    },
  };
}
