// Result rows encoded once: reused while an item's facts hold, re-encoded when they change.
import { fromBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import { SearchResultItemSchema } from "../../../gen/shop/search/v1/search_pb.js";
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

/** The row's bytes as the message a caller decodes (the field's data is the length-prefixed message). */
function decoded(data: Uint8Array) {
  return fromBinary(SearchResultItemSchema, data.subarray(1 + (data[0] >= 0x80 ? 1 : 0)));
}

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
});
