// Pure catalog rules, no server: item validation, refused-update explanations, page tokens, the category
// tree, the seeded PRNG and the demo product generator.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { CreateItemRequestSchema, UpdateItemRequestSchema } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../lib/money.js";
import { buildCategoryTree, descendantIds, leafCategories, type RawCategory } from "../src/domain/categories.js";
import { demoLeaves, planDemoItems } from "../src/demo/demo-items.js";
import { refusedUpdate, validateAttributes, validateItemUpdate, validateNewItem } from "../src/domain/item.js";
import { cleanCategoryName, generateProduct, kindFor, pricePoint, singularNoun } from "../src/demo/naming.js";
import { decodeCursor, encodeCursor, isoFromMicros } from "../src/domain/paging.js";
import { createRng } from "../../lib/random.js";
import { loadCategoryTree } from "../src/store/seed.js";

function errorOf(fn: () => unknown): ConnectError {
  try {
    fn();
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected an error");
}

const ID = "8d3e7f8a-1c2b-4d5e-9f00-112233445566";

describe("catalog domain", () => {
  describe("item validation", () => {
    const valid = () => create(CreateItemRequestSchema, {
      sku: "ABC-1", name: "Name", description: "", brand: "Brand", categoryId: "abcat0101000", price: money(100n),
    });

    it("accepts a valid item and trims its text", () => {
      const d = validateNewItem({ ...valid(), name: "  Spaced  ", attributes: { " k ": " v " } });
      expect(d).to.deep.include({ sku: "ABC-1", name: "Spaced", priceMinor: 100n, currency: "USD", imageUrl: "" });
      expect(d.attributes).to.deep.equal({ k: "v" });
    });

    it("names the offending field for each rule", () => {
      const cases: [object, string][] = [
        [{ sku: "a b" }, "sku"], [{ name: "" }, "name"], [{ brand: " " }, "brand"], [{ categoryId: "" }, "category_id"],
        [{ categoryId: "a/b" }, "category_id"], [{ price: undefined }, "price"], [{ price: money(-5n) }, "price.minor_units"],
        [{ price: money(5n, "GBP") }, "price.currency_code"], [{ imageUrl: "javascript:alert(1)" }, "image_url"],
        [{ description: "\u0007" }, "description"],
      ];
      for (const [patch, field] of cases) {
        const e = errorOf(() => validateNewItem({ ...valid(), ...patch }));
        expect(e.code).to.equal(Code.InvalidArgument);
        expect(e.rawMessage.startsWith(`${field}:`), e.rawMessage).to.equal(true);
      }
    });

    it("limits attributes to 50 entries, 64-character keys and 500-character values", () => {
      expect(Object.keys(validateAttributes(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]))))).to.have.length(50);
      expect(errorOf(() => validateAttributes(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])))).rawMessage).to.match(/^attributes:/);
      expect(errorOf(() => validateAttributes({ ["k".repeat(65)]: "v" })).rawMessage).to.match(/^attributes\[/);
      expect(errorOf(() => validateAttributes({ k: "v".repeat(501) })).rawMessage).to.match(/^attributes\["k"\]/);
      expect(errorOf(() => validateAttributes({ "a": "1", " a ": "2" })).rawMessage).to.match(/duplicates/);
    });

    it("reads an update: set fields only, a version to match, attributes only with replace_attributes", () => {
      const u = validateItemUpdate(create(UpdateItemRequestSchema, { itemId: ID.toUpperCase(), expectedVersion: 3n, name: "N" }));
      expect(u).to.deep.equal({ itemId: ID, expectedVersion: 3n, patch: { name: "N" } });
      expect(validateItemUpdate(create(UpdateItemRequestSchema, { itemId: ID, expectedVersion: 1n, replaceAttributes: true })).patch)
        .to.deep.equal({ attributes: {} });
      expect(errorOf(() => validateItemUpdate(create(UpdateItemRequestSchema, { itemId: ID, expectedVersion: 0n }))).rawMessage).to.match(/^expected_version/);
      expect(errorOf(() => validateItemUpdate(create(UpdateItemRequestSchema, { itemId: ID, expectedVersion: 1n, attributes: { a: "b" } }))).rawMessage).to.match(/^attributes/);
      expect(errorOf(() => validateItemUpdate(create(UpdateItemRequestSchema, { itemId: ID, expectedVersion: 1n, name: "" }))).rawMessage).to.match(/^name/);
    });

    it("explains a refused conditional update: missing, archived, stale", () => {
      expect(refusedUpdate(ID, 1n).code).to.equal(Code.NotFound);
      expect(refusedUpdate(ID, 1n, { version: 4n, status: "ARCHIVED" }).code).to.equal(Code.FailedPrecondition);
      const stale = refusedUpdate(ID, 1n, { version: 4n, status: "ACTIVE" });
      expect(stale.code).to.equal(Code.Aborted);
      expect(stale.rawMessage).to.contain("version 4");
      expect(refusedUpdate(ID, 4n, { version: 4n, status: "ACTIVE" }).code).to.equal(Code.Aborted);
    });
  });

  describe("page tokens", () => {
    const filter = { categoryId: "abcat0101000", includeArchived: false };

    it("round-trips a cursor with microsecond precision", () => {
      const createTime = isoFromMicros("1700000000123456");
      expect(createTime).to.equal("2023-11-14T22:13:20.123456Z");
      expect(decodeCursor(encodeCursor({ createTime, id: ID }, filter), filter)).to.deep.equal({ createTime, id: ID });
      expect(decodeCursor("", filter)).to.equal(undefined);
    });

    it("refuses tampered tokens, impossible dates and tokens of another filter", () => {
      const forge = (t: object) => Buffer.from(JSON.stringify(t)).toString("base64url");
      const bad = [
        "%%%", "e30", forge({ t: "2024-02-30T00:00:00.000000Z", i: ID, c: filter.categoryId, a: 0 }),
        forge({ t: "2024-01-01T00:00:00.000000Z", i: "x", c: filter.categoryId, a: 0 }),
        forge({ t: "yesterday", i: ID, c: filter.categoryId, a: 0 }),
        forge({ t: "2024-01-01T00:00:00.000000Z", i: ID, c: "other", a: 0 }),
        forge({ t: "2024-01-01T00:00:00.000000Z", i: ID, c: filter.categoryId, a: 1 }),
        "A".repeat(2000),
      ];
      for (const token of bad) {
        const e = errorOf(() => decodeCursor(token, filter));
        expect(e.code, token.slice(0, 40)).to.equal(Code.InvalidArgument);
        expect(e.rawMessage).to.match(/^page_token: /);
      }
    });
  });

  describe("category tree", () => {
    const raw: RawCategory[] = [
      { id: "r", name: "Root", path: [{ id: "r", name: "Root" }] },
      { id: "a", name: "A", path: [{ id: "r", name: "Root" }, { id: "a", name: "A" }] },
      // Its parent "gone" is not in the data set: it hangs under the nearest present ancestor.
      { id: "b", name: "B", path: [{ id: "r", name: "Root" }, { id: "gone", name: "Gone" }, { id: "b", name: "B" }] },
      { id: "c", name: null, path: [{ id: "r", name: "Root" }, { id: "a", name: "A" }, { id: "c", name: null }] },
      // Paths that contradict each other must not loop.
      { id: "x", name: "X", path: [{ id: "y", name: "Y" }, { id: "x", name: "X" }] },
      { id: "y", name: "Y", path: [{ id: "x", name: "X" }, { id: "y", name: "Y" }] },
    ];

    it("re-parents under the nearest present ancestor and keeps paths consistent", () => {
      const tree = new Map(buildCategoryTree(raw).map((c) => [c.id, c]));
      expect(tree.get("b")).to.deep.equal({ id: "b", name: "B", parentId: "r", path: ["Root", "B"], pathIds: ["r", "b"], depth: 1 });
      expect(tree.get("c")).to.deep.include({ name: "c", parentId: "a", path: ["Root", "A", "c"], depth: 2 });
      const x = tree.get("x")!;
      const y = tree.get("y")!;
      expect([x.parentId, y.parentId].filter((p) => p === null)).to.have.length(1);
    });

    it("finds descendants and leaves", () => {
      const tree = buildCategoryTree(raw);
      expect(descendantIds(tree, "r").sort()).to.deep.equal(["a", "b", "c", "r"]);
      expect(descendantIds(tree, "a").sort()).to.deep.equal(["a", "c"]);
      expect(leafCategories(tree).map((c) => c.id).sort()).to.include.members(["b", "c"]);
    });

    it("builds the real data set into 4,584 categories, 43 roots, every parent present", async () => {
      const tree = await loadCategoryTree();
      expect(tree).to.have.length(4584);
      const ids = new Set(tree.map((c) => c.id));
      expect(tree.filter((c) => c.depth === 0)).to.have.length(43);
      for (const c of tree) {
        if (c.parentId !== null) expect(ids.has(c.parentId), c.id).to.equal(true);
        expect(c.path).to.have.length(c.depth + 1);
        expect(c.pathIds[c.depth]).to.equal(c.id);
      }
    });
  });

  describe("demo items", () => {
    it("draws the same numbers for the same seed and different ones for another", () => {
      const a = createRng(42);
      const b = createRng(42);
      const c = createRng(43);
      const seqA = Array.from({ length: 5 }, () => a.next());
      expect(Array.from({ length: 5 }, () => b.next())).to.deep.equal(seqA);
      expect(Array.from({ length: 5 }, () => c.next())).not.to.deep.equal(seqA);
      expect(createRng(1).uuid()).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it("names products after their category", () => {
      const rng = createRng(5);
      const tv = generateProduct(["TV & Home Theater", "TVs", "4K Ultra HD TVs"], rng);
      expect(tv.kind).to.equal("tv");
      expect(tv.name).to.match(/^\S.* \d\d" Class .* Smart TV \S+$/);
      expect(Number(tv.attributes.screen_size.split(" ")[0])).to.equal(Number(/(\d\d)" Class/.exec(tv.name)![1]));
      const kase = generateProduct(["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cases & Clips", "iPhone 6s Cases"], rng);
      expect(kase.name).to.match(/Case for iPhone 6s$/);
      const phone = generateProduct(["Cell Phones", "iPhone", "iPhone 6s"], rng);
      expect(phone.brand).to.equal("Apple");
      expect(phone.name).to.match(/^Apple iPhone 6s \d+GB/);
      expect(kindFor(["Camera", "Camera Bags, Cases & Straps", "Camera Straps"]).key).to.equal("accessory");
      expect(kindFor(["Audio", "Home Audio", "CD Players & Turntables", "CD Players & Recorders"]).key).to.equal("disc-player");
      const album = generateProduct(["Movies & Music", "Music (CDs & Vinyl)", "Jazz"], rng);
      expect(album.kind).to.equal("album");
      expect(album.attributes.genre).to.equal("Jazz");
      expect(album.attributes).not.to.have.property("warranty");
    });

    it("turns category names into product nouns", () => {
      expect(singularNoun("Digital TV Tuners & Converters")).to.equal("Digital TV Tuner");
      expect(singularNoun("Blu-ray & DVD Players")).to.equal("Blu-ray & DVD Player");
      expect(singularNoun("Batteries")).to.equal("Battery");
      expect(singularNoun("Earbuds with Microphone")).to.equal("Earbuds with Microphone");
      expect(cleanCategoryName("Micro SD (SD, SDHC, SDXC)")).to.equal("Micro SD");
      expect(cleanCategoryName("All Microwaves")).to.equal("Microwaves");
    });

    it("prices like a shelf: within range, whole cents ending in 99, 49 or 00", () => {
      const rng = createRng(9);
      for (let i = 0; i < 500; i++) {
        const p = pricePoint(10, 500, rng);
        expect(Number(p)).to.be.within(900, 51_000);
        expect([99n, 49n, 0n]).to.include(p % 100n);
      }
    });

    it("plans deterministic, valid items over product leaves only", async () => {
      const tree = await loadCategoryTree();
      const a = planDemoItems(tree, 2000, "s");
      const b = planDemoItems(tree, 2000, "s");
      expect(a).to.deep.equal(b);
      expect(planDemoItems(tree, 50, "t").map((i) => i.name)).not.to.deep.equal(a.slice(0, 50).map((i) => i.name));
      const leaves = new Set([...demoLeaves(tree).values()].flat().map((c) => c.id));
      expect(new Set(a.map((i) => i.sku)).size).to.equal(2000);
      expect(new Set(a.map((i) => i.id)).size).to.equal(2000);
      const departments = new Set(a.map((i) => tree.find((c) => c.id === i.categoryId)!.path[0]));
      expect(departments.size).to.be.at.least(12);
      for (const item of a) {
        expect(leaves.has(item.categoryId)).to.equal(true);
        // Whatever the generator makes must pass the catalog's own validation.
        validateNewItem(create(CreateItemRequestSchema, {
          sku: item.sku, name: item.name, description: item.description, brand: item.brand, categoryId: item.categoryId,
          price: money(item.priceMinor), imageUrl: item.imageUrl, attributes: item.attributes,
        }));
        expect(item.description.split(". ").length).to.be.at.least(2);
      }
    });
  });
});
