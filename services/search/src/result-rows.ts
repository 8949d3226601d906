// Result rows encoded once. protobuf-es encodes a 20-item page in ~0.8 ms, the largest cost of a query after the
// index itself; an item's row changes only when its facts do, so each row's bytes are kept and reused, and a
// page is written as those bytes (GetItemCatalogResponse.items on the wire, carried as unknown fields of a
// response whose typed `items` stay empty). Search answers only gRPC; the gateway decodes the rows with the real
// types when a browser asks for JSON.
import { create, toBinary, type UnknownField } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  GetItemCatalogResponseSchema, SearchResultItemSchema, type SearchResultItem,
} from "../../../gen/shop/search/v1/search_pb.js";
import { BoundedMap } from "../../lib/bounded-map.js";
import { money } from "../../lib/money.js";
import type { CategoryTree } from "./domain/categories.js";
import type { ItemView } from "./index/search-index.js";

const ITEMS_FIELD = GetItemCatalogResponseSchema.field.items.number;
/** Rows kept: up to twice this many (see BoundedMap), about 300 bytes each. */
const ROWS_PER_GENERATION = 50_000;

export class ResultRows {
  private readonly rows = new BoundedMap<string, { view: ItemView; field: UnknownField }>(ROWS_PER_GENERATION);

  item(tree: CategoryTree, v: ItemView): SearchResultItem {
    return create(SearchResultItemSchema, {
      itemId: v.itemId, name: v.name, brand: v.brand, price: money(v.priceMinor, v.currency), imageUrl: v.imageUrl,
      categoryId: v.categoryId, categoryName: v.category >= 0 ? tree.names[v.category] : "", stockLeft: v.stock, lowStock: v.lowStock,
    });
  }

  /** The page's items as `items` fields on the wire, in order. */
  encoded(tree: CategoryTree, views: ItemView[]): UnknownField[] {
    return views.map((v) => {
      const kept = this.rows.get(v.itemId);
      if (kept && sameFacts(kept.view, v)) return kept.field;
      const field = { no: ITEMS_FIELD, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(toBinary(SearchResultItemSchema, this.item(tree, v))).finish() };
      this.rows.set(v.itemId, { view: v, field });
      return field;
    });
  }
}

function sameFacts(a: ItemView, b: ItemView): boolean {
  return a.name === b.name && a.brand === b.brand && a.priceMinor === b.priceMinor && a.currency === b.currency
    && a.imageUrl === b.imageUrl && a.categoryId === b.categoryId && a.category === b.category && a.stock === b.stock
    && a.lowStock === b.lowStock;
}
