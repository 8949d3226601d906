// Catalog and Inventory as the cart needs them (public reads, no token). Their failures are translated here:
// a missing item is NotFound; anything else that goes wrong on their side (down, slow, erroring) is
// Unavailable for the cart's caller, never Internal, since retrying later is the right reaction.
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { CatalogService, Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import type { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { internal, notFound, unavailable } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";

/** Answers that mean the cart sent something wrong (every other failure counts as the dependency being down). */
const REFUSED_OUR_REQUEST = new Set([
  Code.InvalidArgument, Code.Unauthenticated, Code.PermissionDenied, Code.FailedPrecondition, Code.OutOfRange, Code.AlreadyExists,
]);

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
  const fail = (dependency: string, err: unknown): never => {
    const e = ConnectError.from(err);
    if (e.code === Code.Canceled) throw e; // our own caller went away
    if (REFUSED_OUR_REQUEST.has(e.code)) {
      // The dependency judged our request wrong: a bug on this side, not an outage.
      log.error({ dependency, code: Code[e.code], err: e.rawMessage }, "dependency refused the cart's request");
      throw internal();
    }
    log.warn({ dependency, code: Code[e.code], err: e.rawMessage }, "dependency call failed");
    throw unavailable("DEPENDENCY_UNAVAILABLE", `${dependency} is unavailable; retry shortly`);
  };
  return {
    async getItem(itemId, signal) {
      try {
        const res = await catalog.getItem({ itemId }, { signal, timeoutMs });
        if (!res.item) throw new ConnectError("GetItem answered without an item", Code.Internal);
        return res.item;
      } catch (err) {
        if (err instanceof ConnectError && err.code === Code.NotFound) throw notFound("item", itemId);
        return fail("catalog", err);
      }
    },
    async batchGetItems(itemIds, signal) {
      if (itemIds.length === 0) return new Map();
      try {
        const res = await catalog.batchGetItems({ itemIds }, { signal, timeoutMs });
        return new Map(res.items.map((item) => [item.id, item]));
      } catch (err) {
        return fail("catalog", err);
      }
    },
    async stockLeft(itemId, signal) {
      try {
        const res = await inventory.getAvailability({ itemId }, { signal, timeoutMs });
        return res.availability?.available ?? 0;
      } catch (err) {
        return fail("inventory", err);
      }
    },
    async batchStockLeft(itemIds, signal) {
      if (itemIds.length === 0) return new Map();
      try {
        const res = await inventory.batchGetAvailability({ itemIds }, { signal, timeoutMs });
        return new Map(res.availabilities.map((a) => [a.itemId, a.available]));
      } catch (err) {
        return fail("inventory", err);
      }
    },
  };
}
