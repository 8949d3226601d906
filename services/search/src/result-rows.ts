// Result rows encoded once. protobuf-es encodes a 20-item page in ~0.8 ms, the largest cost of a query after the
// index itself; an item's row changes only when its facts do, so each row's bytes are kept and reused, and a
// page is written as those bytes (GetItemCatalogResponse.items on the wire, carried as unknown fields of a
// response whose typed `items` stay empty). Search answers only gRPC; the gateway decodes the rows with the real
// types when a browser asks for JSON. Facets are written the same way: each facet value's value and label (a
// category id and name, a brand, a price range's bounds) encoded once, its count appended per response
// (encoding ~50 facet values with protobuf-es was ~10% of Search's CPU under the uncached mix).
import { create, toBinary, type UnknownField } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  FacetsSchema, FacetValueSchema, GetItemCatalogResponseSchema, PriceRangeFacetSchema, SearchResultItemSchema,
  type SearchResultItem,
} from "../../../gen/shop/search/v1/search_pb.js";
import { BoundedMap } from "../../lib/bounded-map.js";
import { money } from "../../lib/money.js";
import type { CategoryTree } from "./domain/categories.js";
import type { ItemView } from "./index/search-index.js";

const ITEMS_FIELD = GetItemCatalogResponseSchema.field.items.number;
const FACETS_FIELD = GetItemCatalogResponseSchema.field.facets.number;
const FACET = {
  categories: FacetsSchema.field.categories.number,
  brands: FacetsSchema.field.brands.number,
  priceRanges: FacetsSchema.field.priceRanges.number,
  valueCount: FacetValueSchema.field.count.number,
  rangeCount: PriceRangeFacetSchema.field.count.number,
} as const;
/** Rows kept: up to twice this many (see BoundedMap), about 300 bytes each. */
const ROWS_PER_GENERATION = 50_000;
/** Facet values (value and label) kept: categories and brands, tens of bytes each. */
const FACET_VALUES_PER_GENERATION = 20_000;

/** A page's facet counts, as the index reports them (see service.ts). */
export interface FacetCounts {
  /** [category id, label, count], [brand, count], [price range (min, max in minor units; undefined: open), count]. */
  categories: [string, string, number][];
  brands: [string, number][];
  priceRanges: [number | undefined, number | undefined, number][];
}

export class ResultRows {
  private readonly rows = new BoundedMap<string, { view: ItemView; field: UnknownField }>(ROWS_PER_GENERATION);
  /** FacetValue / PriceRangeFacet without their count, encoded. */
  private readonly facetValues = new BoundedMap<string, Uint8Array>(FACET_VALUES_PER_GENERATION);

  /** The facets as the response's `facets` field on the wire. */
  facets(f: FacetCounts): UnknownField {
    const w = new BinaryWriter();
    const entry = (field: number, head: Uint8Array, countField: number, count: number) => {
      w.tag(field, WireType.LengthDelimited).fork().raw(head).tag(countField, WireType.Varint).int64(count).join();
    };
    const value = (v: string, label: string) =>
      this.head(`v${v}\u0000${label}`, () => toBinary(FacetValueSchema, create(FacetValueSchema, { value: v, label })));
    for (const [id, label, count] of f.categories) entry(FACET.categories, value(id, label), FACET.valueCount, count);
    for (const [brand, count] of f.brands) entry(FACET.brands, value(brand, brand), FACET.valueCount, count);
    for (const [min, max, count] of f.priceRanges) {
      const head = this.head(`p${min ?? ""}-${max ?? ""}`, () => toBinary(PriceRangeFacetSchema, create(PriceRangeFacetSchema, {
        min: min === undefined ? undefined : money(min), max: max === undefined ? undefined : money(max),
      })));
      entry(FACET.priceRanges, head, FACET.rangeCount, count);
    }
    return { no: FACETS_FIELD, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(w.finish()).finish() };
  }

  /** A facet message without its count, encoded once. */
  private head(key: string, encode: () => Uint8Array): Uint8Array {
    let head = this.facetValues.get(key);
    if (!head) {
      head = encode();
      this.facetValues.set(key, head);
    }
    return head;
  }

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
