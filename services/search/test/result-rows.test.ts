// Result rows encoded once: reused while an item's facts hold, re-encoded when they change; facets from
// pre-encoded values decode as the typed message would.
import { create, fromBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { expect } from "chai";
import { FacetsSchema, SearchResultItemSchema } from "../../../gen/shop/search/v1/search_pb.js";
import { money } from "../../lib/money.js";
import { CategoryTree } from "../src/domain/categories.js";
import type { ItemView } from "../src/index/search-index.js";
import { ResultRows } from "../src/result-rows.js";

const TREE = new CategoryTree([{ id: "tvs", name: "TVs", parentId: "" }]);

function view(i: number, over: Partial<ItemView> = {}): ItemView {
  return {
    itemId: `item-${i}`, name: `Item ${i}`, brand: "Acme", priceMinor: 1999, currency: "USD", imageUrl: "", categoryId: "tvs",
    category: 0, stock: 5, lowStock: false, live: true, ...over,
  };
}

/** The message bytes of a field's data (a length-prefixed message). */
const payload = (data: Uint8Array) => new BinaryReader(data).bytes();
const decoded = (data: Uint8Array) => fromBinary(SearchResultItemSchema, payload(data));

describe("search result rows", () => {
  it("reuses a row's bytes while the item's facts are unchanged and re-encodes them when stock moves", () => {
    const rows = new ResultRows();
    const [first] = rows.encoded(TREE, [view(1)]);
    const [again] = rows.encoded(TREE, [view(1)]);
    expect(again).to.equal(first);
    const [moved] = rows.encoded(TREE, [view(1, { stock: 2, lowStock: true })]);
    expect(moved).to.not.equal(first);
    expect(decoded(moved.data)).to.include({ itemId: "item-1", stockLeft: 2, lowStock: true, categoryName: "TVs" });
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
