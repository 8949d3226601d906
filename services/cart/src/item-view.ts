// Prices and stock as the cart shows and checks them: from the cart's own view (cart.item_view), fed by
// catalog.items.changed and inventory.stock.changed (consumers/), so adding to a cart and showing it call no
// other service. Browsing may be seconds stale (docs/design.md "The two worlds"); Inventory alone judges stock
// when BeginCheckout reserves it. An item the view has never heard of (cold start: the cart's consumers start
// at the beginning of the streams, but an item may be asked for before its event arrives) is looked up once in
// Catalog and Inventory and the answer is kept in the view, where the next event supersedes it.
import { create } from "@bufbuild/protobuf";
import { ItemSchema, ItemStatus, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../lib/money.js";
import type { Db } from "../../lib/sql.js";
import { readView, upsertItems, upsertStock, type ViewItem, type ViewRow } from "./store/item-view.js";
import type { Upstream } from "./upstream.js";

/** The catalog item of an ItemChanged event as the view keeps it; undefined when the event carries none. */
export function viewItemOf(item: Item | undefined): ViewItem | undefined {
  if (!item || !item.id || item.version <= 0n) return undefined;
  return {
    itemId: item.id.toLowerCase(),
    version: item.version,
    name: item.name,
    status: item.status,
    priceMinor: item.price?.minorUnits ?? 0n,
    currency: item.price?.currencyCode ?? "",
    imageUrl: item.imageUrl,
  };
}

function itemOf(v: ViewItem): Item {
  return create(ItemSchema, {
    id: v.itemId, name: v.name, status: v.status as ItemStatus, price: money(v.priceMinor, v.currency), imageUrl: v.imageUrl, version: v.version,
  });
}

export interface Looked {
  /** Items by id; an item the catalog does not know is absent. */
  items: Map<string, Item>;
  /** Stock left by id (absent when not asked for). */
  stock: Map<string, number>;
}

export class ItemView {
  constructor(private readonly db: Db, private readonly upstream: Upstream) {}

  /** One item and its stock left; NotFound when the catalog has no such item. */
  async one(itemId: string, signal?: AbortSignal): Promise<{ item: Item; stockLeft: number }> {
    const held = (await readView(this.db, [itemId])).get(itemId);
    const [item, stockLeft] = await Promise.all([
      held?.item ? itemOf(held.item) : this.upstream.getItem(itemId, signal).then(async (i) => { await this.keepItems([i]); return i; }),
      held?.stock ? held.stock.available : this.upstream.stockLeft(itemId, signal).then(async (n) => { await this.keepStock([[itemId, n]]); return n; }),
    ]);
    return { item, stockLeft };
  }

  /**
   * Several items and the stock the view holds of them; the items it lacks, and with `withStock` their stock,
   * in one call per service. `held`: what the view holds of them, when the caller read it already
   * (CartStore.loadWithView).
   */
  async many(itemIds: string[], signal: AbortSignal | undefined, withStock: boolean, held?: Map<string, ViewRow>): Promise<Looked> {
    held ??= await readView(this.db, itemIds);
    const items = new Map<string, Item>();
    const stock = new Map<string, number>();
    const itemsMissing: string[] = [];
    const stockMissing: string[] = [];
    for (const id of itemIds) {
      const row = held.get(id);
      if (row?.item) items.set(id, itemOf(row.item));
      else itemsMissing.push(id);
      if (row?.stock) stock.set(id, row.stock.available);
      else if (withStock) stockMissing.push(id);
    }
    await Promise.all([
      itemsMissing.length && this.upstream.batchGetItems(itemsMissing, signal).then(async (found) => {
        await this.keepItems([...found.values()]);
        for (const [id, item] of found) items.set(id.toLowerCase(), item);
      }),
      stockMissing.length && this.upstream.batchStockLeft(stockMissing, signal).then(async (found) => {
        const left = stockMissing.map((id): [string, number] => [id, found.get(id) ?? 0]);
        await this.keepStock(left);
        for (const [id, n] of left) stock.set(id, n);
      }),
    ]);
    return { items, stock };
  }

  private keepItems(items: Item[]): Promise<void> {
    return upsertItems(this.db, items.flatMap((i) => viewItemOf(i) ?? []));
  }

  /** Looked-up stock, sequence 0: any announced value replaces it. */
  private keepStock(left: [string, number][]): Promise<void> {
    return upsertStock(this.db, left.map(([itemId, available]) => ({ itemId, available, sequence: 0n })));
  }
}
