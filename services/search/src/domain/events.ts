// Events as Search reads them: Catalog's ItemChanged carries the whole item as of a version, Inventory's
// StockChanged the stock left as of a per-item sequence. Both become plain documents, applied only when newer
// than what is held (redeliveries and replays change nothing).
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { ItemStatus, type Item } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import type { StockChanged } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { attributeText, type ItemDoc, type StockDoc } from "../index/documents.js";

export function millisOf(t: Timestamp | undefined): number {
  return t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : 0;
}

/** The item of an ItemChanged event as an index document; undefined when the event carries no usable item. */
export function itemDocOf(item: Item | undefined): ItemDoc | undefined {
  if (!item || !item.id || item.version <= 0n) return undefined;
  return {
    itemId: item.id.toLowerCase(),
    version: Number(item.version),
    active: item.status === ItemStatus.ACTIVE,
    name: item.name,
    description: item.description,
    brand: item.brand,
    categoryId: item.categoryId,
    priceMinor: Number(item.price?.minorUnits ?? 0n),
    currency: item.price?.currencyCode ?? "",
    imageUrl: item.imageUrl,
    createdMs: millisOf(item.createTime),
    attributeText: attributeText(item.attributes),
  };
}

export function stockDocOf(e: StockChanged): StockDoc | undefined {
  if (!e.itemId || e.sequence <= 0n) return undefined;
  return { itemId: e.itemId.toLowerCase(), available: Math.max(0, e.available), lowStock: e.lowStock, sequence: Number(e.sequence) };
}
