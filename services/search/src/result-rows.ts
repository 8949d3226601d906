// Result rows encoded once: encoding a page with protobuf-es was the largest cost of a query after the index
// itself. An item's row changes only when its facts do, so each row's bytes are kept per index ordinal with the
// item's version and stock sequence and reused while both hold, and a page is written as those bytes
// (GetItemCatalogResponse.items on the wire, carried as unknown fields of a response whose typed `items` stay
// empty). A row is written with protobuf-es's BinaryWriter field by field, as toBinary would write it
// (result-rows.test.ts compares the bytes), cheaper than reflection. Search answers only gRPC; the gateway decodes
// the rows with the real types when a browser asks for JSON. Facets are written the same way: each facet value's
// value and label encoded once, its count appended per response.
import { create, toBinary, type UnknownField } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { MoneySchema } from "../../../gen/shop/common/v1/common_pb.js";
import {
  FacetsSchema, FacetValueSchema, GetItemCatalogResponseSchema, PriceRangeFacetSchema, SearchResultItemSchema,
} from "../../../gen/shop/search/v1/search_pb.js";
import { BoundedMap } from "../../lib/bounded-map.js";
import { money } from "../../lib/money.js";
import type { ItemView, SearchIndex } from "./index/search-index.js";

const ITEMS_FIELD = GetItemCatalogResponseSchema.field.items.number;
const FACETS_FIELD = GetItemCatalogResponseSchema.field.facets.number;
const FACET = {
  categories: FacetsSchema.field.categories.number,
  brands: FacetsSchema.field.brands.number,
  priceRanges: FacetsSchema.field.priceRanges.number,
  valueCount: FacetValueSchema.field.count.number,
  rangeCount: PriceRangeFacetSchema.field.count.number,
} as const;
const ROW = {
  itemId: SearchResultItemSchema.field.itemId.number,
  name: SearchResultItemSchema.field.name.number,
  brand: SearchResultItemSchema.field.brand.number,
  price: SearchResultItemSchema.field.price.number,
  imageUrl: SearchResultItemSchema.field.imageUrl.number,
  categoryId: SearchResultItemSchema.field.categoryId.number,
  categoryName: SearchResultItemSchema.field.categoryName.number,
  stockLeft: SearchResultItemSchema.field.stockLeft.number,
  lowStock: SearchResultItemSchema.field.lowStock.number,
  currencyCode: MoneySchema.field.currencyCode.number,
  minorUnits: MoneySchema.field.minorUnits.number,
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
  /** The index the kept rows' ordinals belong to: a rebuilt index numbers its items anew. */
  private index?: SearchIndex;
  private rows = new BoundedMap<number, { version: number; stockSequence: number; field: UnknownField }>(ROWS_PER_GENERATION);
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

  /** The page's items (ordinals of `index`) as `items` fields on the wire, in order. */
  encoded(index: SearchIndex, ords: readonly number[]): UnknownField[] {
    if (index !== this.index) {
      this.index = index;
      this.rows = new BoundedMap(ROWS_PER_GENERATION);
    }
    return ords.map((ord) => {
      const version = index.versionOf(ord);
      const stockSequence = index.stockSequenceOf(ord);
      const kept = this.rows.get(ord);
      if (kept && kept.version === version && kept.stockSequence === stockSequence) return kept.field;
      const v = index.view(ord);
      const categoryName = v.category >= 0 ? index.tree.names[v.category] : "";
      const field = { no: ITEMS_FIELD, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(encodeRow(v, categoryName)).finish() };
      this.rows.set(ord, { version, stockSequence, field });
      return field;
    });
  }
}

/**
 * A SearchResultItem's bytes, as toBinary writes them: fields in number order, proto3 defaults (empty strings,
 * zero, false) left out, the price always present.
 */
export function encodeRow(v: ItemView, categoryName: string): Uint8Array {
  const w = new BinaryWriter();
  const text = (no: number, value: string) => {
    if (value !== "") w.tag(no, WireType.LengthDelimited).string(value);
  };
  text(ROW.itemId, v.itemId);
  text(ROW.name, v.name);
  text(ROW.brand, v.brand);
  w.tag(ROW.price, WireType.LengthDelimited).fork();
  if (v.currency !== "") w.tag(ROW.currencyCode, WireType.LengthDelimited).string(v.currency);
  if (v.priceMinor !== 0) w.tag(ROW.minorUnits, WireType.Varint).int64(v.priceMinor);
  w.join();
  text(ROW.imageUrl, v.imageUrl);
  text(ROW.categoryId, v.categoryId);
  text(ROW.categoryName, categoryName);
  if (v.stock !== 0) w.tag(ROW.stockLeft, WireType.Varint).int32(v.stock);
  if (v.lowStock) w.tag(ROW.lowStock, WireType.Varint).bool(true);
  return w.finish();
}
