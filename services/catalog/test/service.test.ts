// CatalogService against a real Postgres/NATS: writes, reads, paging, category filter, admin checks,
// optimistic concurrency.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "chai";
import { ItemStatus, UpdateItemRequestSchema, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../lib/money.js";
import { startCatalog, newItem } from "./helpers.js";
import { failure, suiteFixture } from "../../../test/harness.js";

async function codeOf(p: Promise<unknown>): Promise<{ code: Code; message: string }> {
  const e = await failure(p);
  return { code: e.code, message: e.rawMessage };
}

describe("catalog service", function () {
  const c = suiteFixture(() => startCatalog());

  async function createItem(overrides = {}): Promise<Item> {
    const { item } = await c.client.createItem(newItem(overrides), c.admin);
    return item!;
  }

  /** A leaf category under `rootId` that has no children, found through the API itself. */
  async function firstLeafUnder(rootId: string): Promise<string[]> {
    const chain = [rootId];
    for (;;) {
      const { categories } = await c.client.listCategories({ parentId: chain[chain.length - 1] });
      if (categories.length === 0) return chain;
      chain.push(categories[0].id);
    }
  }

  describe("writes", () => {
    it("creates an item and reads it back as created", async () => {
      const req = newItem({ attributes: { colour: "black", screen_size: "65 in" } });
      const { item } = await c.client.createItem(req, c.admin);
      expect(item!.id).to.match(/^[0-9a-f-]{36}$/);
      expect(item!.version).to.equal(1n);
      expect(item!.status).to.equal(ItemStatus.ACTIVE);
      expect(item!.price).to.deep.include({ currencyCode: "USD", minorUnits: 19999n });
      expect(item!.attributes).to.deep.equal({ colour: "black", screen_size: "65 in" });
      expect(item!.createTime).to.exist;
      const got = await c.client.getItem({ itemId: item!.id.toUpperCase() });
      expect(got.item).to.deep.equal(item);
    });

    it("trims text fields and keeps an empty image_url and description", async () => {
      const item = await createItem({ name: "  Padded Name  ", imageUrl: "", description: "" });
      expect(item.name).to.equal("Padded Name");
      expect(item.imageUrl).to.equal("");
      expect(item.description).to.equal("");
    });

    it("refuses a SKU that is already taken with AlreadyExists", async () => {
      const req = newItem();
      await c.client.createItem(req, c.admin);
      const { code, message } = await codeOf(c.client.createItem({ ...newItem(), sku: req.sku }, c.admin));
      expect(code).to.equal(Code.AlreadyExists);
      expect(message).to.contain(req.sku);
    });

    it("answers NotFound naming category_id for an unknown category, InvalidArgument for a malformed one", async () => {
      const missing = await codeOf(c.client.createItem(newItem({ categoryId: "abcat9999999" }), c.admin));
      expect(missing.code).to.equal(Code.NotFound);
      expect(missing.message).to.match(/^category_id: /);
      const malformed = await codeOf(c.client.createItem(newItem({ categoryId: "not a category!" }), c.admin));
      expect(malformed.code).to.equal(Code.InvalidArgument);
      expect(malformed.message).to.match(/^category_id: /);
    });

    it("validates every field and names it", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ sku: "" }, "sku"],
        [{ sku: "has space" }, "sku"],
        [{ sku: "x".repeat(65) }, "sku"],
        [{ name: "" }, "name"],
        [{ name: "n".repeat(201) }, "name"],
        [{ name: "bad\u0000name" }, "name"],
        [{ description: "d".repeat(5001) }, "description"],
        [{ brand: "" }, "brand"],
        [{ brand: "b".repeat(101) }, "brand"],
        [{ price: undefined }, "price"],
        [{ price: money(-1n) }, "price.minor_units"],
        [{ price: money(10n ** 15n) }, "price.minor_units"],
        [{ price: money(100n, "XXX") }, "price.currency_code"],
        [{ price: money(100n, "EUR") }, "price.currency_code"],
        [{ imageUrl: "ftp://example.com/a.jpg" }, "image_url"],
        [{ imageUrl: "not a url" }, "image_url"],
        [{ attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }, "attributes"],
        [{ attributes: { ["k".repeat(65)]: "v" } }, "attributes["],
        [{ attributes: { colour: "v".repeat(501) } }, "attributes["],
        [{ attributes: { "": "v" } }, "attributes["],
      ];
      for (const [overrides, field] of cases) {
        const { code, message } = await codeOf(c.client.createItem(newItem(overrides), c.admin));
        expect(code, `${Object.keys(overrides)[0]}: ${message}`).to.equal(Code.InvalidArgument);
        expect(message.startsWith(field), `${message} should name ${field}`).to.equal(true);
      }
    });

    it("needs an admin token to write: none is Unauthenticated, a customer's is PermissionDenied", async () => {
      const item = await createItem();
      const writes = [
        (o?: object) => c.client.createItem(newItem(), o),
        (o?: object) => c.client.updateItem({ itemId: item.id, expectedVersion: 1n, name: "x" }, o),
        (o?: object) => c.client.archiveItem({ itemId: item.id }, o),
      ];
      for (const write of writes) {
        expect((await codeOf(write())).code).to.equal(Code.Unauthenticated);
        expect((await codeOf(write(c.customer))).code).to.equal(Code.PermissionDenied);
      }
      const { item: unchanged } = await c.client.getItem({ itemId: item.id });
      expect(unchanged!.version).to.equal(1n);
    });

    it("updates only the fields that are set and increments the version by one", async () => {
      const item = await createItem();
      const { item: updated } = await c.client.updateItem(
        create(UpdateItemRequestSchema, { itemId: item.id, expectedVersion: 1n, name: "Renamed", price: money(1500n) }),
        c.admin,
      );
      expect(updated!.version).to.equal(2n);
      expect(updated!.name).to.equal("Renamed");
      expect(updated!.price!.minorUnits).to.equal(1500n);
      expect(updated!.brand).to.equal(item.brand);
      expect(updated!.description).to.equal(item.description);
      expect(updated!.attributes).to.deep.equal(item.attributes);
      expect(updated!.createTime).to.deep.equal(item.createTime);
      const { item: again } = await c.client.updateItem({ itemId: item.id, expectedVersion: 2n, description: "" }, c.admin);
      expect(again!.version).to.equal(3n);
      expect(again!.description).to.equal("");
    });

    it("replaces attributes only with replace_attributes (an empty map clears them)", async () => {
      const item = await createItem({ attributes: { a: "1", b: "2" } });
      const refused = await codeOf(c.client.updateItem({ itemId: item.id, expectedVersion: 1n, attributes: { c: "3" } }, c.admin));
      expect(refused.code).to.equal(Code.InvalidArgument);
      expect(refused.message).to.match(/^attributes/);
      const { item: replaced } = await c.client.updateItem({ itemId: item.id, expectedVersion: 1n, replaceAttributes: true, attributes: { c: "3" } }, c.admin);
      expect(replaced!.attributes).to.deep.equal({ c: "3" });
      const { item: cleared } = await c.client.updateItem({ itemId: item.id, expectedVersion: 2n, replaceAttributes: true }, c.admin);
      expect(cleared!.attributes).to.deep.equal({});
    });

    it("moves an item to another category, and refuses an unknown one with NotFound", async () => {
      const item = await createItem();
      const { item: moved } = await c.client.updateItem({ itemId: item.id, expectedVersion: 1n, categoryId: "abcat0200000" }, c.admin);
      expect(moved!.categoryId).to.equal("abcat0200000");
      const missing = await codeOf(c.client.updateItem({ itemId: item.id, expectedVersion: 2n, categoryId: "abcat9999999" }, c.admin));
      expect(missing.code).to.equal(Code.NotFound);
      expect(missing.message).to.match(/^category_id: /);
    });

    it("answers Aborted for a stale expected_version, saying which version is current", async () => {
      const item = await createItem();
      await c.client.updateItem({ itemId: item.id, expectedVersion: 1n, name: "v2" }, c.admin);
      const { code, message } = await codeOf(c.client.updateItem({ itemId: item.id, expectedVersion: 1n, name: "late" }, c.admin));
      expect(code).to.equal(Code.Aborted);
      expect(message).to.contain("version 2");
      expect((await c.client.getItem({ itemId: item.id })).item!.name).to.equal("v2");
    });

    it("lets exactly one of two concurrent updates with the same expected_version win", async () => {
      for (let round = 0; round < 5; round++) {
        const item = await createItem();
        const results = await Promise.allSettled([
          c.client.updateItem({ itemId: item.id, expectedVersion: 1n, name: "first" }, c.admin),
          c.client.updateItem({ itemId: item.id, expectedVersion: 1n, name: "second" }, c.admin),
        ]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).to.have.length(1);
        expect(lost).to.have.length(1);
        expect(ConnectError.from(lost[0].reason).code).to.equal(Code.Aborted);
        const { item: now } = await c.client.getItem({ itemId: item.id });
        expect(now!.version).to.equal(2n);
        expect(now!.name).to.equal((won[0] as PromiseFulfilledResult<{ item?: Item }>).value.item!.name);
      }
    });

    it("answers NotFound for an update of an unknown item and InvalidArgument for a missing expected_version", async () => {
      const unknown = await codeOf(c.client.updateItem({ itemId: "8d3e7f8a-1c2b-4d5e-9f00-112233445566", expectedVersion: 1n, name: "x" }, c.admin));
      expect(unknown.code).to.equal(Code.NotFound);
      const item = await createItem();
      const noVersion = await codeOf(c.client.updateItem({ itemId: item.id, name: "x" }, c.admin));
      expect(noVersion.code).to.equal(Code.InvalidArgument);
      expect(noVersion.message).to.match(/^expected_version/);
    });

    it("archives idempotently; an archived item stays readable, cannot be updated, and leaves listings", async () => {
      const [, leaf] = await firstLeafUnder("abcat0400000").then((chain) => [chain, chain[chain.length - 1]] as const);
      const item = await createItem({ categoryId: leaf });
      const { item: archived } = await c.client.archiveItem({ itemId: item.id }, c.admin);
      expect(archived!.status).to.equal(ItemStatus.ARCHIVED);
      expect(archived!.version).to.equal(2n);
      const { item: again } = await c.client.archiveItem({ itemId: item.id }, c.admin);
      expect(again).to.deep.equal(archived);
      expect((await c.client.getItem({ itemId: item.id })).item!.status).to.equal(ItemStatus.ARCHIVED);

      const update = await codeOf(c.client.updateItem({ itemId: item.id, expectedVersion: 2n, name: "x" }, c.admin));
      expect(update.code).to.equal(Code.FailedPrecondition);

      const listed = await c.client.listItems({ categoryId: leaf, pageSize: 200 });
      expect(listed.items.map((i) => i.id)).not.to.include(item.id);
      const withArchived = await c.client.listItems({ categoryId: leaf, pageSize: 200, includeArchived: true });
      expect(withArchived.items.map((i) => i.id)).to.include(item.id);

      const unknown = await codeOf(c.client.archiveItem({ itemId: "8d3e7f8a-1c2b-4d5e-9f00-112233445566" }, c.admin));
      expect(unknown.code).to.equal(Code.NotFound);
    });
  });

  describe("reads", () => {
    it("answers NotFound for an unknown item and InvalidArgument for a malformed id", async () => {
      expect((await codeOf(c.client.getItem({ itemId: "8d3e7f8a-1c2b-4d5e-9f00-112233445566" }))).code).to.equal(Code.NotFound);
      const bad = await codeOf(c.client.getItem({ itemId: "42" }));
      expect(bad.code).to.equal(Code.InvalidArgument);
      expect(bad.message).to.match(/^item_id: /);
    });

    it("batch-gets in request order, lists missing ids, and answers duplicates once", async () => {
      const a = await createItem();
      const b = await createItem();
      const missing = "8d3e7f8a-1c2b-4d5e-9f00-112233445566";
      const res = await c.client.batchGetItems({ itemIds: [b.id, missing, a.id, b.id.toUpperCase(), a.id] });
      expect(res.items.map((i) => i.id)).to.deep.equal([b.id, a.id]);
      expect(res.missingItemIds).to.deep.equal([missing]);
    });

    it("refuses an empty or oversized batch and names the bad entry", async () => {
      expect((await codeOf(c.client.batchGetItems({ itemIds: [] }))).code).to.equal(Code.InvalidArgument);
      const many = Array.from({ length: 501 }, () => "8d3e7f8a-1c2b-4d5e-9f00-112233445566");
      expect((await codeOf(c.client.batchGetItems({ itemIds: many }))).code).to.equal(Code.InvalidArgument);
      const bad = await codeOf(c.client.batchGetItems({ itemIds: ["8d3e7f8a-1c2b-4d5e-9f00-112233445566", "nope"] }));
      expect(bad.message).to.match(/^item_ids\[1\]: /);
      const ok = await c.client.batchGetItems({ itemIds: Array.from({ length: 500 }, () => "8d3e7f8a-1c2b-4d5e-9f00-112233445566") });
      expect(ok.missingItemIds).to.have.length(1);
    });

    it("pages newest first with opaque tokens: every item once, no gaps, empty token on the last page", async () => {
      const chain = await firstLeafUnder("abcat0500000");
      const leaf = chain[chain.length - 1];
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await createItem({ categoryId: leaf })).id);
      const seen: string[] = [];
      let token = "";
      let pages = 0;
      do {
        const page = await c.client.listItems({ categoryId: leaf, pageSize: 3, pageToken: token });
        expect(page.items.length).to.be.at.most(3);
        seen.push(...page.items.map((i) => i.id));
        token = page.nextPageToken;
        pages += 1;
      } while (token && pages < 10);
      expect(seen).to.deep.equal([...created].reverse());
      expect(pages).to.equal(3);
    });

    it("lists a category with all its descendants, and only them", async () => {
      const chain = await firstLeafUnder("abcat0200000"); // Audio > ... > a leaf
      const root = chain[0];
      const leaf = chain[chain.length - 1];
      const inLeaf = await createItem({ categoryId: leaf });
      const inRoot = await createItem({ categoryId: root });
      const elsewhere = await createItem({ categoryId: "abcat0900000" });
      const ids = async (categoryId: string) => (await c.client.listItems({ categoryId, pageSize: 200 })).items.map((i) => i.id);
      const underRoot = await ids(root);
      expect(underRoot).to.include.members([inLeaf.id, inRoot.id]);
      expect(underRoot).not.to.include(elsewhere.id);
      expect(await ids(leaf)).to.deep.equal([inLeaf.id]);
      const all = (await c.client.listItems({ pageSize: 200 })).items.map((i) => i.id);
      expect(all).to.include.members([inLeaf.id, inRoot.id, elsewhere.id]);
    });

    it("defaults page_size to 50 and refuses out-of-range sizes", async () => {
      const chain = await firstLeafUnder("abcat0900000");
      const leaf = chain[chain.length - 1];
      await Promise.all(Array.from({ length: 55 }, () => createItem({ categoryId: leaf })));
      const page = await c.client.listItems({ categoryId: leaf });
      expect(page.items).to.have.length(50);
      expect(page.nextPageToken).not.to.equal("");
      for (const pageSize of [-1, 201]) {
        const { code, message } = await codeOf(c.client.listItems({ pageSize }));
        expect(code).to.equal(Code.InvalidArgument);
        expect(message).to.match(/^page_size: /);
      }
    });

    it("refuses a bogus page token, and a token used with a different filter", async () => {
      const bogus = await codeOf(c.client.listItems({ pageToken: "garbage!" }));
      expect(bogus.code).to.equal(Code.InvalidArgument);
      expect(bogus.message).to.match(/^page_token: /);
      await createItem();
      await createItem();
      const { nextPageToken } = await c.client.listItems({ pageSize: 1 });
      expect(nextPageToken).not.to.equal("");
      const mismatch = await codeOf(c.client.listItems({ pageSize: 1, pageToken: nextPageToken, categoryId: "abcat0100000" }));
      expect(mismatch.code).to.equal(Code.InvalidArgument);
      const forged = Buffer.from(JSON.stringify({ t: "2024-02-30T00:00:00.000000Z", i: "8d3e7f8a-1c2b-4d5e-9f00-112233445566", c: "", a: 0 })).toString("base64url");
      expect((await codeOf(c.client.listItems({ pageToken: forged }))).code).to.equal(Code.InvalidArgument);
    });

    it("answers NotFound naming category_id when listing an unknown category", async () => {
      const { code, message } = await codeOf(c.client.listItems({ categoryId: "abcat9999999" }));
      expect(code).to.equal(Code.NotFound);
      expect(message).to.match(/^category_id: /);
    });

    it("lists the whole category tree, each category after its parent, paths consistent", async () => {
      const { categories } = await c.client.listCategories({});
      expect(categories).to.have.length(4584);
      const byId = new Map(categories.map((cat) => [cat.id, cat]));
      const position = new Map(categories.map((cat, i) => [cat.id, i]));
      for (const cat of categories) {
        if (cat.depth === 0) {
          expect(cat.parentId).to.equal("");
          expect(cat.path).to.deep.equal([cat.name]);
          continue;
        }
        const parent = byId.get(cat.parentId)!;
        expect(parent, cat.id).to.exist;
        expect(cat.depth).to.equal(parent.depth + 1);
        expect(cat.path).to.deep.equal([...parent.path, cat.name]);
        expect(position.get(cat.id)!).to.be.greaterThan(position.get(parent.id)!);
      }
    });

    it("lists the direct children of a category, and NotFound for an unknown parent", async () => {
      const { categories } = await c.client.listCategories({ parentId: "abcat0100000" });
      expect(categories.length).to.be.greaterThan(3);
      for (const cat of categories) expect(cat.parentId).to.equal("abcat0100000");
      expect(categories.map((cat) => cat.name)).to.include("TVs");
      const leaf = await firstLeafUnder("abcat0100000");
      expect((await c.client.listCategories({ parentId: leaf[leaf.length - 1] })).categories).to.deep.equal([]);
      const missing = await codeOf(c.client.listCategories({ parentId: "abcat9999999" }));
      expect(missing.code).to.equal(Code.NotFound);
      expect(missing.message).to.match(/^parent_id: /);
      expect((await codeOf(c.client.listCategories({ parentId: "../etc" }))).code).to.equal(Code.InvalidArgument);
    });
  });
});
