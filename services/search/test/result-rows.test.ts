// Result rows encoded once: reused while an item's facts hold, re-encoded when they change, written as
// toBinary writes them; facets from pre-encoded values decode as the typed message would.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { expect } from "chai";
import fc from "fast-check";
import { FacetsSchema, SearchResultItemSchema } from "../../../gen/shop/search/v1/search_pb.js";
import { money } from "../../lib/money.js";
import { CategoryTree } from "../src/domain/categories.js";
import type { ItemDoc } from "../src/index/documents.js";
import { SearchIndex } from "../src/index/search-index.js";
import { encodeRow, ResultRows } from "../src/result-rows.js";

const TREE = new CategoryTree([{ id: "tvs", name: "TVs", parentId: "" }]);

function doc(i: number, over: Partial<ItemDoc> = {}): ItemDoc {
  return {
    itemId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, version: 1, active: true, name: `Item ${i}`, description: "",
    brand: "Acme", categoryId: "tvs", priceMinor: 1999, currency: "USD", imageUrl: "", createdMs: 1_700_000_000_000 + i, attributeText: "",
    ...over,
  };
}

/** The message bytes of a field's data (a length-prefixed message). */
const payload = (data: Uint8Array) => new BinaryReader(data).bytes();
const decoded = (data: Uint8Array) => fromBinary(SearchResultItemSchema, payload(data));

describe("search result rows", () => {
  it("reuses a row's bytes while the item's facts are unchanged and re-encodes them when they change", () => {
    const index = new SearchIndex(TREE);
    const d = doc(1);
    index.upsert(d);
    const ord = index.ordOf(d.itemId);
    const rows = new ResultRows();
    const [first] = rows.encoded(index, [ord]);
    expect(rows.encoded(index, [ord])[0]).to.equal(first);
    index.applyStock({ itemId: d.itemId, available: 2, lowStock: true, sequence: 1 });
    const [moved] = rows.encoded(index, [ord]);
    expect(moved).to.not.equal(first);
    expect(decoded(moved.data)).to.include({ itemId: d.itemId, stockLeft: 2, lowStock: true, categoryName: "TVs" });
    // A new price or image in place (same text, same ordinal) is a change too; a replayed version is not.
    index.upsert({ ...d, version: 2, priceMinor: 2499, imageUrl: "https://img.example/1.jpg" });
    expect(index.ordOf(d.itemId)).to.equal(ord);
    const [repriced] = rows.encoded(index, [ord]);
    expect(decoded(repriced.data)).to.deep.include({ imageUrl: "https://img.example/1.jpg", price: money(2499) });
    index.upsert({ ...d, version: 2, priceMinor: 1 });
    expect(rows.encoded(index, [ord])[0]).to.equal(repriced);
    // Another index numbers its items anew: nothing kept for the first one is used.
    const other = new SearchIndex(TREE);
    other.upsert(doc(2));
    expect(decoded(rows.encoded(other, [0])[0].data).itemId).to.equal(doc(2).itemId);
  });

  it("writes each row as the same bytes protobuf-es's toBinary writes", () => {
    const text = fc.string({ maxLength: 40 });
    fc.assert(fc.property(
      fc.record({
        itemId: text, name: text, brand: text, imageUrl: text, categoryId: text, categoryName: text,
        currency: fc.constantFrom("", "USD", "JPY"), priceMinor: fc.integer({ min: 0, max: 2 ** 40 }),
        stock: fc.integer({ min: -5, max: 1_000_000 }), lowStock: fc.boolean(),
      }),
      (r) => {
        const view = { ...r, category: 0, live: true };
        const expected = toBinary(SearchResultItemSchema, create(SearchResultItemSchema, {
          itemId: r.itemId, name: r.name, brand: r.brand, price: money(r.priceMinor, r.currency), imageUrl: r.imageUrl,
          categoryId: r.categoryId, categoryName: r.categoryName, stockLeft: r.stock, lowStock: r.lowStock,
        }));
        expect(encodeRow(view, r.categoryName)).to.deep.equal(expected);
      },
    ), { numRuns: 300 });
  });

  it("writes facets that decode to the same message protobuf-es would encode, counts of zero included", () => {
    const rows = new ResultRows();
    const counts = {
      categories: [["tvs", "TVs", 12], ["audio", "Audio", 3]] as [string, string, number][],
      brands: [["Acme", 9], ["Zed", 0]] as [string, number][],
      priceRanges: [[undefined, 2500, 4], [2500, 5000, 7], [200_000, undefined, 1]] as [number | undefined, number | undefined, number][],
    };
    const expected = create(FacetsSchema, {
      categories: [{ value: "tvs", label: "TVs", count: 12n }, { value: "audio", label: "Audio", count: 3n }],
      brands: [{ value: "Acme", label: "Acme", count: 9n }, { value: "Zed", label: "Zed", count: 0n }],
      priceRanges: [{ max: money(2500), count: 4n }, { min: money(2500), max: money(5000), count: 7n }, { min: money(200_000), count: 1n }],
    });
    for (let round = 0; round < 2; round++) {
      // The second round reads the values' encodings back from the cache.
      expect(fromBinary(FacetsSchema, payload(rows.facets(counts).data))).to.deep.equal(expected);
    }
  });
});
