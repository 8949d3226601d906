// Filters, facets, sorting, paging and autocomplete on the fixture catalog, and refusals of bad input.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { SearchService, SortOrder, SuggestionKind } from "../../../gen/shop/search/v1/search_pb.js";
import { MoneySchema } from "../../../gen/shop/common/v1/common_pb.js";
import { money } from "../../lib/money.js";
import { eventually, suiteFixture } from "../../../test/harness.js";
import { CATEGORIES, FIXTURE_ITEMS, startSearchFixture } from "./fixture.js";

describe("search listings", function () {
  this.timeout(60_000);
  const f = suiteFixture(() => startSearchFixture());
  const all = Object.keys(FIXTURE_ITEMS).length;
  before(async () => {
    await f.createFixtureItems();
  });

  it("browses everything, newest first, when the query is empty", async () => {
    const res = await f.query({ pageSize: 100 });
    expect(res.totalSize).to.equal(BigInt(all));
    expect(res.totalIsEstimate).to.equal(false);
    const created = res.items.map((i) => f.items[f.keyOf(i.itemId)!].createTime!.seconds * 1_000_000_000n + BigInt(f.items[f.keyOf(i.itemId)!].createTime!.nanos));
    expect([...created].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).to.deep.equal(created);
  });

  it("answers with each item's current facts in its (pre-encoded) row, before and after a stock change", async () => {
    const before = await f.query({ query: "samsung", pageSize: 10 });
    expect(before.items.length).to.be.greaterThan(1);
    for (const row of before.items) {
      const item = f.items[f.keyOf(row.itemId)!];
      expect({ name: row.name, brand: row.brand, categoryId: row.categoryId, price: row.price?.minorUnits, imageUrl: row.imageUrl })
        .to.deep.equal({ name: item.name, brand: item.brand, categoryId: item.categoryId, price: item.price?.minorUnits, imageUrl: item.imageUrl });
    }
    const first = before.items[0];
    await f.receive(first.itemId, 4);
    await eventually(async () => (await f.query({ query: "samsung", pageSize: 10 })).items.find((i) => i.itemId === first.itemId)?.stockLeft === first.stockLeft + 4, 5_000, "stock change shown");
    const after = await f.query({ query: "samsung", pageSize: 10 });
    expect(after.items.find((i) => i.itemId === first.itemId)).to.deep.include({ name: first.name, stockLeft: first.stockLeft + 4 });
  });

  it("filters by a category and all its descendants, with counts per child category", async () => {
    const res = await f.query({ filter: { categoryId: CATEGORIES.tvAndHomeTheater }, pageSize: 100 });
    expect(res.items.map((i) => f.keyOf(i.itemId))).to.have.members(["samsungQled", "samsungCrystal", "lgOled", "sonyBravia", "sanusMount"]);
    expect(res.totalSize).to.equal(5n);
    const facet = Object.fromEntries(res.facets!.categories.map((c) => [c.label, Number(c.count)]));
    expect(facet).to.deep.equal({ TVs: 4, "TV Stands, Mounts & Furniture": 1 });
    expect(res.items[0].categoryName).to.be.oneOf(["TVs", "TV Mounts"]);
  });

  it("counts top-level categories when no category is chosen", async () => {
    const res = await f.query({ query: "samsung" });
    const facet = Object.fromEntries(res.facets!.categories.map((c) => [c.value, Number(c.count)]));
    expect(facet).to.deep.equal({ abcat0100000: 3, abcat0800000: 1 });
  });

  it("filters by brands, with brand counts that ignore the brand filter (to offer the others)", async () => {
    const res = await f.query({ filter: { brands: ["Samsung", "LG"] }, pageSize: 100 });
    expect(res.items.map((i) => f.keyOf(i.itemId))).to.have.members(["samsungQled", "samsungCrystal", "galaxyCase", "lgOled"]);
    const brands = Object.fromEntries(res.facets!.brands.map((b) => [b.value, Number(b.count)]));
    expect(brands).to.include({ Samsung: 3, LG: 1, Sony: 2, Apple: 2 });
  });

  it("filters by an inclusive price range, with range counts that ignore the price filter", async () => {
    const res = await f.query({ filter: { categoryId: CATEGORIES.tvs, minPrice: money(47999n), maxPrice: money(129999n) }, pageSize: 100 });
    expect(res.items.map((i) => f.keyOf(i.itemId))).to.have.members(["samsungQled", "samsungCrystal", "sonyBravia"]);
    const ranges = res.facets!.priceRanges.map((r) => [r.min?.minorUnits ?? null, r.max?.minorUnits ?? null, Number(r.count)]);
    expect(ranges).to.deep.equal([[20000n, 50000n, 1], [50000n, 100000n, 1], [100000n, 200000n, 2]]);
  });

  it("sorts by price both ways", async () => {
    const up = await f.query({ sort: SortOrder.PRICE_ASCENDING, pageSize: 100 });
    const prices = up.items.map((i) => Number(i.price!.minorUnits));
    expect(prices).to.deep.equal([...prices].sort((a, b) => a - b));
    const down = await f.query({ query: "tv", sort: SortOrder.PRICE_DESCENDING });
    expect(down.items.map((i) => f.keyOf(i.itemId)).slice(0, 2)).to.deep.equal(["lgOled", "samsungQled"]);
  });

  it("pages through every match exactly once, with a stable total", async () => {
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const res = await f.query({ pageSize: 4, pageToken: token, sort: SortOrder.PRICE_ASCENDING });
      expect(res.totalSize).to.equal(BigInt(all));
      seen.push(...res.items.map((i) => i.itemId));
      token = res.nextPageToken;
      pages++;
    } while (token && pages < 20);
    expect(pages).to.equal(Math.ceil(all / 4));
    expect(new Set(seen).size).to.equal(all);
  });

  it("shows stock left and the low-stock flag, and filters to items in stock", async () => {
    await f.receive(f.items.lgOled.id, 40);
    await f.receive(f.items.sonyBravia.id, 3);
    const res = await eventually(async () => {
      const r = await f.query({ filter: { categoryId: CATEGORIES.tvs, inStockOnly: true } });
      return r.items.length === 2 ? r : undefined;
    }, 5_000, "stock reaches search");
    const byKey = Object.fromEntries(res.items.map((i) => [f.keyOf(i.itemId), [i.stockLeft, i.lowStock]]));
    expect(byKey).to.deep.equal({ lgOled: [40, false], sonyBravia: [3, true] });
    expect(res.totalSize).to.equal(2n);
  });

  it("suggests item names and categories for a prefix, tolerating a slip", async () => {
    const sams = await f.search.suggest({ prefix: "sams" });
    expect(sams.suggestions.filter((s) => s.kind === SuggestionKind.ITEM).map((s) => s.text)).to.include.members([
      'Samsung 65" Class QLED 4K Smart TV', "Samsung Galaxy S24 Silicone Case",
    ]);
    const refrig = await f.search.suggest({ prefix: "refrig" });
    expect(refrig.suggestions.find((s) => s.kind === SuggestionKind.CATEGORY)?.text).to.equal("Refrigerators");
    const slip = await f.search.suggest({ prefix: "samsnu", limit: 3 });
    expect(slip.suggestions.length).to.be.greaterThan(0);
    expect(slip.suggestions.every((s) => s.text.startsWith("Samsung"))).to.equal(true);
    const item = sams.suggestions.find((s) => s.kind === SuggestionKind.ITEM)!;
    expect(Object.values(f.items).map((i) => i.id)).to.include(item.itemId);
  });

  describe("refuses bad input naming the field", () => {
    const refused = async (call: () => Promise<unknown>, field: string, code = Code.InvalidArgument) => {
      const err = await call().then(() => undefined, (e) => e);
      expect(err, `expected a refusal naming ${field}`).to.be.instanceOf(ConnectError);
      expect((err as ConnectError).code).to.equal(code);
      expect((err as ConnectError).rawMessage.startsWith(field)).to.equal(true, (err as ConnectError).rawMessage);
    };
    const usd = (minor: bigint) => money(minor);

    it("GetItemCatalog", async () => {
      await refused(() => f.query({ query: "x".repeat(201) }), "query");
      await refused(() => f.query({ query: "tv\u0000" }), "query");
      await refused(() => f.query({ pageSize: 101 }), "page_size");
      await refused(() => f.query({ pageSize: -1 }), "page_size");
      await refused(() => f.query({ sort: 99 as SortOrder }), "sort");
      await refused(() => f.query({ pageToken: "not-a-token" }), "page_token");
      await refused(() => f.query({ filter: { minPrice: money(100n, "EUR") } }), "filter.min_price.currency_code");
      await refused(() => f.query({ filter: { minPrice: create(MoneySchema, { currencyCode: "XXX", minorUnits: 1n }) } }), "filter.min_price.currency_code");
      await refused(() => f.query({ filter: { maxPrice: usd(-1n) } }), "filter.max_price.minor_units");
      await refused(() => f.query({ filter: { minPrice: usd(500n), maxPrice: usd(100n) } }), "filter.max_price");
      await refused(() => f.query({ filter: { brands: Array.from({ length: 51 }, (_, i) => `B${i}`) } }), "filter.brands");
      await refused(() => f.query({ filter: { brands: [""] } }), "filter.brands[0]");
      await refused(() => f.query({ filter: { categoryId: "no-such-category" } }), "filter.category_id", Code.NotFound);
      const other = await f.query({ query: "samsung", pageSize: 1 });
      await refused(() => f.query({ query: "sony", pageSize: 1, pageToken: other.nextPageToken }), "page_token");
    });

    it("Suggest", async () => {
      await refused(() => f.search.suggest({ prefix: "" }), "prefix");
      await refused(() => f.search.suggest({ prefix: "   " }), "prefix");
      await refused(() => f.search.suggest({ prefix: "x".repeat(101) }), "prefix");
      await refused(() => f.search.suggest({ prefix: "tv", limit: 21 }), "limit");
    });
  });
});
