// The in-memory index and text analysis, without a server.
import { expect } from "chai";
import fc from "fast-check";
import { CategoryTree, headNouns } from "../src/domain/categories.js";
import { osaDistance, TypoDictionary } from "../src/domain/fuzzy.js";
import { stem, terms } from "../src/domain/text.js";
import type { ItemDoc } from "../src/index/documents.js";
import { SearchIndex, Sort, type SearchQuery } from "../src/index/search-index.js";
import { ChangeLog } from "../src/index/term-summaries.js";
import { TermTable } from "../src/index/terms.js";

const TREE = new CategoryTree([
  { id: "tvh", name: "TV & Home Theater", parentId: "" },
  { id: "tvs", name: "TVs", parentId: "tvh" },
  { id: "oled", name: "OLED TVs", parentId: "tvs" },
  { id: "mounts", name: "TV Mounts", parentId: "tvh" },
  { id: "audio", name: "Audio", parentId: "" },
  { id: "headphones", name: "Headphones", parentId: "audio" },
]);

let nextId = 0;
function doc(over: Partial<ItemDoc> & { name: string }): ItemDoc {
  nextId++;
  return {
    itemId: `00000000-0000-4000-8000-${String(nextId).padStart(12, "0")}`, version: 1, active: true, description: "",
    brand: "Acme", categoryId: "tvs", priceMinor: 10_000, currency: "USD", imageUrl: "", createdMs: 1_700_000_000_000 + nextId,
    attributeText: "", ...over,
  };
}

function query(over: Partial<SearchQuery> = {}): SearchQuery {
  return { text: "", category: -1, brands: [], inStockOnly: false, sort: Sort.Relevance, limit: 24, ...over };
}

/** Every page of `q`, following the cursor (at most 200 pages): the ordinals listed, each page checked first. */
function pagedOrds(index: SearchIndex, q: SearchQuery, check: (page: ReturnType<SearchIndex["search"]>) => void = () => {}): number[] {
  const ords: number[] = [];
  let after = undefined;
  for (let pages = 0; pages < 200; pages++) {
    const page = index.search({ ...q, after });
    check(page);
    ords.push(...page.ords);
    if (!page.next) return ords;
    after = page.next;
  }
  throw new Error("more than 200 pages");
}

describe("text analysis", () => {
  it("folds plurals, case, accents and apostrophes the same way on both sides", () => {
    expect(terms("Women's TVs, Batteries & Boxes")).to.deep.equal(["women", "tv", "battery", "box"]);
    expect(terms("Café Glasses for the Bus")).to.deep.equal(["cafe", "glass", "bus"]);
    expect(stem("series")).to.equal(stem("series"));
    expect(terms("QN65Q80C 4K")).to.deep.equal(["qn65q80c", "4k"]);
  });

  it("tokenizes in place exactly as the reference analysis does", () => {
    const samples = [
      "Samsung 65\" Class QLED 4K UHD Smart TV QN65Q80C", "Kids' Headphones — Women’s Edition", "the and of a",
      "Batteries, Boxes, Watches & Brushes", "Crème brûlée torch", "iPhone 15 Pro Max's case (2-pack)", "glasses bus gps tvs its",
    ];
    const text = fc.oneof(fc.constantFrom(...samples), fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.array(fc.constantFrom("it's", "boxes", "the", "TVs", "x1", "glass", "’s", "'", " ", "é"), { maxLength: 8 }).map((w) => w.join(" ")));
    fc.assert(fc.property(text, (text) => {
      const table = new TermTable();
      const scanned: string[] = [];
      table.scan(text, true, { term: (id) => scanned.push(table.texts[id]) });
      expect(scanned).to.deep.equal(terms(text));
    }), { numRuns: 300 });
  });

  it("measures typos with transpositions as one edit, and the dictionary finds neighbours", () => {
    expect(osaDistance("samsnug", "samsung", 2)).to.equal(1);
    expect(osaDistance("refrigirator", "refrigerator", 2)).to.equal(1);
    expect(osaDistance("tv", "tvs", 0)).to.equal(1);
    const words = ["samsung", "sony", "refrigerator", "headphone"];
    const dict = new TypoDictionary((id) => words[id]);
    words.forEach((w, i) => dict.add(i, w));
    expect(dict.lookup("samsnug").map((h) => h.word)).to.deep.equal(["samsung"]);
    expect(dict.lookup("refrgeratr").map((h) => h.word)).to.deep.equal(["refrigerator"]);
    expect(dict.lookup("sony")).to.deep.equal([]);
  });

  it("takes the head nouns of a category name", () => {
    expect(headNouns("Cases, Covers & Skins")).to.deep.equal(["case", "cover", "skin"]);
    expect(headNouns("4K Ultra HD TVs")).to.deep.equal(["tv"]);
  });
});

describe("search index", () => {
  it("applies an item only when its version is newer, and stock only when its sequence is", () => {
    const index = new SearchIndex(TREE);
    const d = doc({ name: "Aurora OLED TV", version: 2 });
    expect(index.upsert(d)).to.equal(true);
    expect(index.upsert({ ...d, name: "Old name", version: 1 })).to.equal(false);
    expect(index.upsert({ ...d })).to.equal(false);
    expect(index.applyStock({ itemId: d.itemId, available: 5, lowStock: false, sequence: 3 })).to.equal(true);
    expect(index.applyStock({ itemId: d.itemId, available: 9, lowStock: false, sequence: 2 })).to.equal(false);
    expect(index.viewById(d.itemId)).to.include({ name: "Aurora OLED TV", stock: 5 });
  });

  it("keeps stock announced before the item and applies it when the item arrives", () => {
    const index = new SearchIndex(TREE);
    const d = doc({ name: "Borealis TV" });
    index.applyStock({ itemId: d.itemId, available: 7, lowStock: false, sequence: 1 });
    index.upsert(d);
    expect(index.viewById(d.itemId)!.stock).to.equal(7);
  });

  it("re-indexes a renamed item: the old words stop matching, stock carries over", () => {
    const index = new SearchIndex(TREE);
    const d = doc({ name: "Cirrus TV" });
    index.upsert(d);
    index.applyStock({ itemId: d.itemId, available: 4, lowStock: true, sequence: 1 });
    index.upsert({ ...d, name: "Stratus TV", version: 2 });
    expect(index.search(query({ text: "cirrus" })).total).to.equal(0);
    const hits = index.search(query({ text: "stratus" }));
    expect(hits.total).to.equal(1);
    expect(index.view(hits.ords[0])).to.include({ stock: 4, lowStock: true });
    expect(index.size).to.equal(1);
  });

  it("hides archived items", () => {
    const index = new SearchIndex(TREE);
    const d = doc({ name: "Nimbus TV" });
    index.upsert(d);
    index.upsert({ ...d, active: false, version: 2 });
    expect(index.search(query({ text: "nimbus" })).total).to.equal(0);
    expect(index.search(query()).total).to.equal(0);
  });

  it("changes a scope's fingerprint exactly when what it can show changes", () => {
    const index = new SearchIndex(TREE);
    const tv = doc({ name: "Halo TV", categoryId: "oled" });
    const phones = doc({ name: "Echo Headphones", categoryId: "headphones" });
    index.upsert(tv);
    index.upsert(phones);
    const tvScope = TREE.indexOf("tvs");
    const audio = TREE.indexOf("audio");
    const before = [index.scopeFingerprint(tvScope, false), index.scopeFingerprint(audio, false), index.scopeFingerprint(tvScope, true)];
    index.upsert({ ...tv, priceMinor: 9_999, version: 2 });
    expect(index.scopeFingerprint(tvScope, false)).to.not.equal(before[0]);
    expect(index.scopeFingerprint(audio, false)).to.equal(before[1]);
    const mid = index.scopeFingerprint(tvScope, false);
    index.applyStock({ itemId: tv.itemId, available: 3, lowStock: false, sequence: 1 });
    expect(index.scopeFingerprint(tvScope, false)).to.equal(mid);
    expect(index.scopeFingerprint(tvScope, true)).to.not.equal(before[2]);
    index.applyStock({ itemId: tv.itemId, available: 2, lowStock: true, sequence: 2 });
    expect(index.scopeFingerprint(tvScope, true)).to.equal(index.scopeFingerprint(tvScope, true));
  });

  it("pages through any query and sort exactly as one big page would list it", () => {
    const words = ["aurora", "tv", "mount", "oled", "headphone", "wireless"];
    const categories = ["tvs", "oled", "mounts", "headphones", "tvh"];
    fc.assert(fc.property(
      fc.array(fc.record({
        name: fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }).map((w) => w.join(" ")),
        categoryId: fc.constantFrom(...categories),
        priceMinor: fc.integer({ min: 0, max: 300_000 }),
        createdMs: fc.integer({ min: 0, max: 1000 }),
        stock: fc.integer({ min: 0, max: 3 }),
        edits: fc.integer({ min: 0, max: 2 }),
      }), { minLength: 1, maxLength: 60 }),
      fc.constantFrom("", "tv", "oled tv", "aurora mount", "headphone"),
      fc.constantFrom(Sort.Relevance, Sort.Newest, Sort.PriceAscending, Sort.PriceDescending),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
      (items, text, sort, limit, inStockOnly) => {
        const index = new SearchIndex(TREE);
        const bulk = items.length > 30;
        if (bulk) index.beginBulk(items.length);
        items.forEach((it, i) => {
          const d = doc({ name: it.name, categoryId: it.categoryId, priceMinor: it.priceMinor, createdMs: it.createdMs });
          index.upsert(d);
          index.applyStock({ itemId: d.itemId, available: it.stock, lowStock: false, sequence: 1 });
          if (i === items.length - 1 && bulk) index.endBulk();
          for (let e = 1; e <= it.edits; e++) index.upsert({ ...d, priceMinor: it.priceMinor + e, version: 1 + e, name: e === 2 ? `${it.name} wireless` : it.name });
        });
        const all = index.search(query({ text, sort, limit: 1000, inStockOnly }));
        const paged = pagedOrds(index, query({ text, sort, limit, inStockOnly }), (page) => expect(page.total).to.equal(all.total));
        expect(paged).to.deep.equal(all.ords);
        expect(all.ords.length).to.equal(all.total);
      },
    ), { numRuns: 200 });
  });

  it("browses the whole catalog from its sorted views exactly as a full ranking would", () => {
    const index = new SearchIndex(TREE);
    const docs = Array.from({ length: 300 }, (_, i) => doc({ name: `Item ${i}`, priceMinor: (i * 7919) % 5000, createdMs: (i * 104729) % 1000 }));
    for (const d of docs) index.upsert(d);
    for (const sort of [Sort.Newest, Sort.PriceAscending, Sort.PriceDescending]) {
      index.search(query({ sort })); // builds the view
      // Changes after the view was built: new items, price changes, an archived one.
      const extra = doc({ name: "Late arrival", priceMinor: 2500, createdMs: 500 });
      index.upsert(extra);
      index.upsert({ ...docs[sort], priceMinor: 1, version: 2 + sort });
      index.upsert({ ...docs[sort + 10], active: false, version: 2 + sort });
      // The same ranking through the filtered path (a price filter that keeps everything).
      const ranked = index.search(query({ sort, limit: 1000, minPrice: 0 }));
      expect(pagedOrds(index, query({ sort, limit: 17 }))).to.deep.equal(ranked.ords);
    }
  });

  it("browses the catalog in stock or by one brand exactly as a full scan would, facets and paging included", () => {
    const brands = ["Acme", "Western Digital", "Bolt Audio", "Zed"];
    fc.assert(fc.property(
      fc.array(fc.record({
        // Names may carry another brand's word: the brand walk must still keep only the brand's items.
        name: fc.array(fc.constantFrom("tv", "mount", "acme", "digital", "audio", "wireless"), { minLength: 1, maxLength: 3 }).map((w) => w.join(" ")),
        brand: fc.constantFrom(...brands),
        categoryId: fc.constantFrom("tvs", "oled", "mounts", "headphones"),
        priceMinor: fc.integer({ min: 0, max: 300_000 }),
        createdMs: fc.integer({ min: 0, max: 1000 }),
        stock: fc.integer({ min: 0, max: 2 }),
        edits: fc.integer({ min: 0, max: 2 }),
      }), { minLength: 1, maxLength: 60 }),
      fc.constantFrom(Sort.Newest, Sort.PriceAscending, Sort.PriceDescending),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
      fc.constantFrom([], ["Acme"], ["Western Digital"], ["Bolt Audio"], ["Nobody"]),
      (items, sort, limit, inStockOnly, brandFilter) => {
        const index = new SearchIndex(TREE);
        const bulk = items.length > 30;
        if (bulk) index.beginBulk(items.length);
        const docs = items.map((it) => doc({ name: it.name, brand: it.brand, categoryId: it.categoryId, priceMinor: it.priceMinor, createdMs: it.createdMs }));
        docs.forEach((d) => index.upsert(d));
        if (bulk) index.endBulk();
        index.search(query({ sort })); // builds the sorted view before the changes below
        items.forEach((it, i) => {
          index.applyStock({ itemId: docs[i].itemId, available: it.stock, lowStock: false, sequence: 1 });
          for (let e = 1; e <= it.edits; e++) {
            index.upsert({ ...docs[i], priceMinor: it.priceMinor + e, version: 1 + e, name: e === 2 ? `${it.name} oled` : it.name, active: !(e === 2 && i % 5 === 0) });
          }
        });
        const base = { sort, inStockOnly, brands: brandFilter };
        // A price filter that keeps everything takes the full scan.
        const scanned = index.search(query({ ...base, limit: 1000, minPrice: 0 }));
        const paged = pagedOrds(index, query({ ...base, limit }), (page) => {
          expect(page.total).to.equal(scanned.total);
          expect(page.categories).to.deep.equal(scanned.categories);
          expect(page.brands).to.deep.equal(scanned.brands);
          expect(page.priceRanges).to.deep.equal(scanned.priceRanges);
        });
        expect(paged).to.deep.equal(scanned.ords);
      },
    ), { numRuns: 300 });
  });

  it("browses an archived item again once it is back on sale", () => {
    const index = new SearchIndex(TREE);
    const d = doc({ name: "Nimbus TV", active: false });
    index.upsert(d);
    index.upsert(doc({ name: "Cumulus TV" }));
    index.search(query({ sort: Sort.Newest })); // builds the sorted view while it is archived
    index.upsert({ ...d, active: true, version: 2 });
    const page = index.search(query({ sort: Sort.Newest }));
    expect(page.total).to.equal(2);
    expect(page.ords.map((o) => index.view(o).itemId)).to.include(d.itemId);
  });

  it("answers one broad word from its summary exactly as a full ranking would, through changes", () => {
    const words = ["aurora", "tv", "mount", "oled"];
    const brands = ["Acme", "Bolt", "Zed"];
    const item = fc.record({
      name: fc.array(fc.constantFrom(...words, "wireless"), { minLength: 1, maxLength: 3 }).map((w) => w.join(" ")),
      brand: fc.constantFrom(...brands),
      categoryId: fc.constantFrom("tvs", "oled", "mounts", "headphones", "tvh"),
      priceMinor: fc.integer({ min: 0, max: 300_000 }),
      createdMs: fc.integer({ min: 0, max: 50 }),
    });
    // After the summaries were built: a price change, a rename (new ordinal), archiving, restoring, a new item.
    const change = fc.record({ at: fc.nat(), kind: fc.constantFrom("price", "rename", "archive", "restore", "add"), item });
    fc.assert(fc.property(
      fc.array(item, { minLength: 1, maxLength: 40 }), fc.array(change, { maxLength: 25 }), fc.boolean(), fc.integer({ min: 1, max: 6 }),
      (items, changes, bulk, limit) => {
        // Every term is summarized; a rebuilt order is forced by the changes only past 2,000 new postings.
        const index = new SearchIndex(TREE, { summaryMinPostings: 1, summaryAfterQueries: 1 });
        if (bulk) index.beginBulk(items.length);
        const docs = items.map((it) => doc(it));
        docs.forEach((d) => index.upsert(d));
        if (bulk) index.endBulk();
        for (const w of words) index.search(query({ text: w }));
        let version = 1;
        for (const c of changes) {
          const i = c.at % docs.length;
          version++;
          if (c.kind === "add") docs.push(doc(c.item));
          else if (c.kind === "price") docs[i] = { ...docs[i], priceMinor: c.item.priceMinor, version };
          else if (c.kind === "rename") docs[i] = { ...docs[i], name: c.item.name, brand: c.item.brand, version };
          else docs[i] = { ...docs[i], active: c.kind === "restore", version };
          index.upsert(c.kind === "add" ? docs[docs.length - 1] : docs[i]);
        }
        for (const text of words) {
          // A price filter that keeps everything takes the full pass over the matches.
          const scanned = index.search(query({ text, limit: 1000, minPrice: 0 }));
          const all = index.search(query({ text, limit: 1000 }));
          expect(all.ords).to.deep.equal(scanned.ords);
          expect([all.total, all.categories, all.brands, all.priceRanges]).to.deep.equal([scanned.total, scanned.categories, scanned.brands, scanned.priceRanges]);
          const paged = pagedOrds(index, query({ text, limit }), (page) => expect(page.total).to.equal(scanned.total));
          expect(paged).to.deep.equal(scanned.ords);
        }
      },
    ), { numRuns: 300 });
  });

  it("summarizes a broad word once it was asked for often enough, and then examines about a page", () => {
    const index = new SearchIndex(TREE, { summaryMinPostings: 3, summaryAfterQueries: 3 });
    for (let i = 0; i < 10; i++) index.upsert(doc({ name: `Aurora TV ${i}` }));
    index.upsert(doc({ name: "Halo mount", categoryId: "headphones" }));
    const tv = query({ text: "tv", limit: 2 });
    // Before the summary: a pass over all 10 matches (what the service weighs against a Redis round trip).
    for (let asked = 1; asked <= 2; asked++) {
      index.search(tv);
      expect(index.prepare(tv).candidates).to.equal(10);
    }
    index.search(tv);
    expect(index.prepare(tv).candidates).to.equal(3);
    // A narrower word is never summarized; a filter or another sort takes the pass too.
    expect(index.prepare(query({ text: "mount", limit: 2 })).candidates).to.equal(1);
    expect(index.prepare({ ...tv, sort: Sort.Newest }).candidates).to.equal(10);
    expect(index.prepare({ ...tv, inStockOnly: true }).candidates).to.equal(10);
  });

  it("keeps changes for summaries in a ring, and says when a summary fell behind it", () => {
    const log = new ChangeLog(4);
    for (let ord = 0; ord < 6; ord++) log.push(ord, ord % 2 ? 1 : -1, 7, 3, 2);
    const seen: number[][] = [];
    expect(log.replay(2, (ord, sign, pre1, brand, bucket) => seen.push([ord, sign, pre1, brand, bucket]))).to.equal(true);
    expect(seen).to.deep.equal([[2, -1, 7, 3, 2], [3, 1, 7, 3, 2], [4, -1, 7, 3, 2], [5, 1, 7, 3, 2]]);
    expect(log.replay(1, () => expect.fail("no entry is replayed from an overwritten position"))).to.equal(false);
  });

  it("counts facets disjunctively: a brand's count ignores the brand filter, a range's the price filter", () => {
    const index = new SearchIndex(TREE);
    index.upsert(doc({ name: "A TV", brand: "Acme", priceMinor: 1_000 }));
    index.upsert(doc({ name: "B TV", brand: "Bolt", priceMinor: 30_000 }));
    index.upsert(doc({ name: "C TV", brand: "Bolt", priceMinor: 60_000 }));
    const hits = index.search(query({ text: "tv", brands: ["Bolt"], maxPrice: 40_000 }));
    expect(hits.total).to.equal(1);
    expect(Object.fromEntries(hits.brands.map((b) => [b.value, b.count]))).to.deep.equal({ Acme: 1, Bolt: 1 });
    expect(hits.priceRanges.map((r) => [r.value, r.count])).to.deep.equal([[4, 1], [5, 1]]);
  });
});
