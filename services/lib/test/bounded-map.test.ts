import { expect } from "chai";
import { BoundedMap } from "../bounded-map.js";

describe("BoundedMap", () => {
  it("keeps at most two generations over a stream of distinct keys, and keeps the keys still in use", () => {
    const map = new BoundedMap<number, string>(100);
    map.set(0, "popular");
    for (let k = 1; k <= 10_000; k++) {
      map.set(k, `v${k}`);
      expect(map.size).to.be.at.most(200);
      // Read every few dozen sets: it moves to the current generation and survives each switch.
      if (k % 50 === 0) expect(map.get(0)).to.equal("popular");
    }
    expect(map.get(10_000)).to.equal("v10000");
    // The last perGeneration keys are always kept, whenever the generations switched.
    expect(map.get(9_901)).to.equal("v9901");
    expect(map.get(1)).to.equal(undefined);
  });

  it("replaces a value in place and forgets a deleted key in both generations", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    map.set("c", 3); // "a" and "b" are now the previous generation
    map.set("b", 20);
    expect(map.get("b")).to.equal(20);
    map.delete("a");
    expect(map.get("a")).to.equal(undefined);
    expect(map.get("c")).to.equal(3);
  });
});
