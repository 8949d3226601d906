import { expect } from "chai";
import fc from "fast-check";
import { Interner, ItemIdTable, TextColumn } from "../src/index/item-texts.js";

describe("search item texts", () => {
  it("keeps every ordinal's latest text through growth and compaction, whatever the characters", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(300), fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 12 }))), { maxLength: 3000 }),
      (writes) => {
        const column = new TextColumn();
        const expected = new Map<number, string>();
        // Ordinals arrive in order the first time (as the index appends), then any of them is rewritten.
        let next = 0;
        for (const [o, text] of writes) {
          const ord = o < next ? o : next++;
          column.set(ord, text);
          expected.set(ord, text);
        }
        for (const [ord, text] of expected) {
          expect(column.get(ord)).to.equal(text);
          expect(column.equals(ord, text)).to.equal(true);
          expect(column.equals(ord, `${text}x`)).to.equal(false);
          expect(column.byteLength(ord)).to.equal(Buffer.byteLength(text));
        }
        expect(column.get(next)).to.equal("");
      },
    ), { numRuns: 60 });
  });

  it("reclaims replaced texts instead of growing without bound, keeping the untouched ones", () => {
    const column = new TextColumn();
    for (let ord = 0; ord < 1000; ord++) column.set(ord, `https://img.example/items/${ord}.jpg`);
    // Even ordinals change again and again (compacting many times); odd ones are never rewritten.
    for (let round = 0; round < 200; round++) for (let ord = 0; ord < 1000; ord += 2) column.set(ord, `https://img.example/items/${ord}-${round}.jpg`);
    for (let ord = 0; ord < 1000; ord++) {
      expect(column.get(ord)).to.equal(ord % 2 ? `https://img.example/items/${ord}.jpg` : `https://img.example/items/${ord}-199.jpg`);
    }
    // ~36 KB live: the buffer stays a small multiple of that, not 200 rounds' worth (~3.5 MB).
    expect((column as unknown as { bytes: Buffer }).bytes.length).to.be.below(1 << 18);
  });

  it("finds each item's current ordinal by id, through resizes and re-indexing under new ordinals", () => {
    const table = new ItemIdTable();
    const ids = Array.from({ length: 50_000 }, (_, i) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`);
    ids.forEach((id, ord) => table.assign(id, ord));
    // Every tenth item re-indexed under a fresh ordinal, as a rename does.
    let ord = ids.length;
    const current = new Map(ids.map((id, i) => [id, i]));
    for (let i = 0; i < ids.length; i += 10) {
      table.assign(ids[i], ord);
      current.set(ids[i], ord++);
    }
    for (const [id, o] of current) expect(table.ordOf(id)).to.equal(o);
    expect(table.idOf(5)).to.equal(ids[5]);
    expect(table.idOf(ids.length)).to.equal(ids[0]);
    expect(table.ordOf("00000000-0000-4000-8000-00000000000")).to.equal(-1);
    expect(table.ordOf("ünïcode-id")).to.equal(-1);
    table.assign("ünïcode-id", ord);
    expect(table.ordOf("ünïcode-id")).to.equal(ord);
  });

  it("numbers repeated texts once, in order of arrival", () => {
    const brands = new Interner();
    expect([brands.add("Sony"), brands.add("LG"), brands.add("Sony")]).to.deep.equal([0, 1, 0]);
    expect(brands.get("LG")).to.equal(1);
    expect(brands.get("Acme")).to.equal(-1);
    expect(brands.texts).to.deep.equal(["Sony", "LG"]);
    expect(brands.size).to.equal(2);
  });
});
