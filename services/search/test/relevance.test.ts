// Relevance a shopper would accept, on the small fixture catalog: query -> expected top results.
import { expect } from "chai";
import { startSearchFixture } from "./fixture.js";
import { suiteFixture } from "../../../test/harness.js";

describe("search relevance", function () {
  this.timeout(60_000);
  const f = suiteFixture(() => startSearchFixture());
  before(async () => {
    await f.createFixtureItems();
  });

  const top = async (query: string, n = 3) => (await f.ids({ query })).slice(0, n).map((id) => f.keyOf(id));

  it("puts an exact name match first", async () => {
    expect((await top("echo dot"))[0]).to.equal("echoDot");
    expect(await top("Echo Dot")).to.include("echoDotCase");
  });

  it("ranks a match in the name before a match in the description", async () => {
    expect(await top("holder", 2)).to.deep.equal(["phoneHolder", "carMount"]);
  });

  it("counts brand words: the brand's item before one that only mentions it", async () => {
    expect(await top("bose earbuds", 2)).to.deep.equal(["boseEarbuds", "budgetEarbuds"]);
  });

  it("counts category words: an item filed under Refrigerators before one that mentions refrigerators", async () => {
    expect(await top("refrigerator", 2)).to.deep.equal(["whirlpoolFrenchDoor", "iceMakerKit"]);
  });

  it("tolerates typos: 'samsnug tv' finds Samsung televisions first, then things for them", async () => {
    const found = await top("samsnug tv", 3);
    expect(found.slice(0, 2)).to.have.members(["samsungQled", "samsungCrystal"]);
    expect(found[2]).to.equal("sanusMount");
  });

  it("ranks items that are what the words name above accessories for them", async () => {
    const found = await top("tv", 5);
    expect(found.slice(0, 4)).to.have.members(["samsungQled", "samsungCrystal", "lgOled", "sonyBravia"]);
    expect(found[4]).to.equal("sanusMount");
  });

  it("understands a few synonyms and plurals", async () => {
    expect(await top("televisions", 4)).to.have.members(["samsungQled", "samsungCrystal", "lgOled", "sonyBravia"]);
    expect(await top("laptops", 2)).to.have.members(["macbookAir", "dellXps"]);
  });

  it("finds headphones by name first, then by category and description", async () => {
    const found = await top("headphones", 6);
    expect(found[0]).to.equal("sonyHeadphones");
    expect(found).to.include.members(["airpodsMax", "boseEarbuds"]);
  });

  it("completes the last word being typed", async () => {
    expect(await top("samsung gala", 1)).to.deep.equal(["galaxyCase"]);
  });

  it("ignores a word that matches nothing rather than answering nothing", async () => {
    const res = await f.query({ query: "dell xps zzqqxx" });
    expect(res.items.map((i) => f.keyOf(i.itemId))).to.deep.equal(["dellXps"]);
  });
});
