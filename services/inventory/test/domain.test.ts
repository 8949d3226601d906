// Pure stock rules, without a server.
import { expect } from "chai";
import fc from "fast-check";
import {
  checkAllocationPlan, crossedUnderThreshold, isLowStock, planReservations, samePlan, sortLines, unitsPerWarehouseRow,
  type ReserveInput,
} from "../src/domain/stock.js";
import { reserveInput, ttlMs } from "../src/service.js";
import { seedStockPlan, seedWarehouseSites } from "../src/store/seed.js";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";
const req = (checkoutId: string, ...l: [string, number][]): ReserveInput =>
  ({ checkoutId, lines: sortLines(l.map(([itemId, quantity]) => ({ itemId, quantity }))), ttlMs: 1000 });

describe("inventory domain rules", () => {
  it("calls stock low only when some but fewer than the threshold are left", () => {
    expect([0, 1, 4, 5, 6].map((n) => isLowStock(n, 5))).to.deep.equal([false, true, true, false, false]);
    expect(isLowStock(1, 0)).to.equal(false);
  });

  it("announces low stock once, when the stock crosses under the threshold", () => {
    expect(crossedUnderThreshold(5, 4, 5)).to.equal(true);
    expect(crossedUnderThreshold(9, 0, 5)).to.equal(true);
    expect(crossedUnderThreshold(4, 3, 5)).to.equal(false);
    expect(crossedUnderThreshold(3, 6, 5)).to.equal(false);
  });

  it("sorts lines by item id, the fixed lock order", () => {
    expect(sortLines([{ itemId: C, quantity: 1 }, { itemId: A, quantity: 2 }, { itemId: B, quantity: 3 }]).map((l) => l.itemId))
      .to.deep.equal([A, B, C]);
  });

  it("plans a batch as if each reservation ran alone, in arrival order", () => {
    const plan = planReservations(new Map([[A, 3], [B, 1]]), new Map(), [
      req("c1", [A, 2], [B, 1]),
      req("c2", [A, 2]),
      req("c3", [A, 1]),
      req("c4", [A, 1], [B, 1], [C, 1]),
    ]);
    expect(plan.plans.map((p) => p.kind)).to.deep.equal(["hold", "short", "hold", "short"]);
    expect(plan.plans[1]).to.deep.equal({ kind: "short", shortages: [{ itemId: A, requested: 2, available: 0 }] });
    expect(plan.plans[3]).to.deep.equal({ kind: "short", shortages: [
      { itemId: A, requested: 1, available: 0 }, { itemId: B, requested: 1, available: 0 }, { itemId: C, requested: 1, available: 0 },
    ] });
    expect([...plan.taken]).to.deep.equal([[A, 3], [B, 1]]);
    expect(plan.after.get(A)).to.equal(0);
  });

  it("treats a repeated checkout as a retry when the lines match and a conflict when they differ", () => {
    const existing = new Map([["c0", { checkoutId: "c0", lines: [{ itemId: A, quantity: 1 }] }]]);
    const plan = planReservations(new Map([[A, 10]]), existing, [
      req("c0", [A, 1]), req("c0", [A, 2]), req("c1", [A, 4]), req("c1", [A, 4]), req("c1", [A, 5]),
    ]);
    expect(plan.plans.map((p) => p.kind)).to.deep.equal(["existing", "conflict", "hold", "existing", "conflict"]);
    expect(plan.taken.get(A)).to.equal(4);
  });

  it("never plans more than the stock, whatever the requests (property)", () => {
    const items = [A, B, C];
    fc.assert(fc.property(
      fc.array(fc.nat(20), { minLength: 3, maxLength: 3 }),
      fc.array(fc.record({ picks: fc.subarray(items, { minLength: 1 }), q: fc.integer({ min: 1, max: 6 }) }), { maxLength: 40 }),
      (stockList, reqs) => {
        const stock = new Map(items.map((id, i) => [id, stockList[i]]));
        const inputs = reqs.map((r, i) => req(`c${i}`, ...r.picks.map((id) => [id, r.q] as [string, number])));
        const plan = planReservations(stock, new Map(), inputs);
        for (const id of items) {
          const held = inputs.filter((_, i) => plan.plans[i].kind === "hold").flatMap((r) => r.lines).filter((l) => l.itemId === id)
            .reduce((s, l) => s + l.quantity, 0);
          expect(held).to.equal(plan.taken.get(id) ?? 0);
          expect(held).to.be.at.most(stock.get(id)!);
          expect(plan.after.get(id)).to.equal(stock.get(id)! - held);
        }
        plan.plans.forEach((p, i) => {
          if (p.kind === "short") expect(p.shortages.length).to.be.greaterThan(0);
          if (p.kind === "short") for (const s of p.shortages) expect(s.available).to.be.below(s.requested);
          if (p.kind === "hold") expect(inputs[i].lines.length).to.be.greaterThan(0);
        });
      }));
  });

  it("validates an allocation split against the committed units", () => {
    const committed = new Map([[A, 3], [B, 1]]);
    const split = [
      { warehouseOrderId: "wo1", warehouseId: "w1", itemId: A, quantity: 2 },
      { warehouseOrderId: "wo2", warehouseId: "w2", itemId: A, quantity: 1 },
      { warehouseOrderId: "wo2", warehouseId: "w2", itemId: B, quantity: 1 },
    ];
    expect(checkAllocationPlan(split, committed)).to.equal(undefined);
    expect(checkAllocationPlan(split.slice(0, 2), committed)?.field).to.equal("allocations");
    expect(checkAllocationPlan([...split, { warehouseOrderId: "wo3", warehouseId: "w1", itemId: C, quantity: 1 }], committed)?.field)
      .to.equal("allocations[3].item_id");
    expect(checkAllocationPlan([split[0], { ...split[1], warehouseId: "w3" }, split[2]], committed)?.field).to.equal("allocations[2].warehouse_id");
    expect(checkAllocationPlan([split[0], split[0], split[2]], committed)?.field).to.equal("allocations[1].item_id");
  });

  it("recognises the same split in any order and sums units per warehouse row in lock order", () => {
    const x = { warehouseOrderId: "wo1", warehouseId: "w2", itemId: B, quantity: 2 };
    const y = { warehouseOrderId: "wo2", warehouseId: "w1", itemId: B, quantity: 1 };
    const z = { warehouseOrderId: "wo3", warehouseId: "w2", itemId: A, quantity: 1 };
    const w = { warehouseOrderId: "wo4", warehouseId: "w2", itemId: B, quantity: 4 };
    expect(samePlan([x, y], [y, x])).to.equal(true);
    expect(samePlan([x, y], [x, { ...y, quantity: 2 }])).to.equal(false);
    expect(unitsPerWarehouseRow([x, y, z, w])).to.deep.equal([
      { itemId: A, warehouseId: "w2", quantity: 1 }, { itemId: B, warehouseId: "w1", quantity: 1 }, { itemId: B, warehouseId: "w2", quantity: 6 },
    ]);
  });

  it("validates reservation requests and their time to live", () => {
    const r = reserveInput(A.toUpperCase(), [{ itemId: C, quantity: 1 }, { itemId: B, quantity: 2 }] as never, undefined, 600_000);
    expect(r).to.deep.equal({ checkoutId: A, lines: [{ itemId: B, quantity: 2 }, { itemId: C, quantity: 1 }], ttlMs: 600_000 });
    expect(ttlMs({ seconds: 1n, nanos: 0 } as never)).to.equal(1000);
    expect(ttlMs({ seconds: 3600n, nanos: 0 } as never)).to.equal(3_600_000);
    expect(() => ttlMs({ seconds: 0n, nanos: 999_000_000 } as never)).to.throw(/ttl/);
    expect(() => ttlMs({ seconds: 3600n, nanos: 1_000_000 } as never)).to.throw(/ttl/);
  });

  it("seeds warehouses at real stores spread across the country and stock deterministically", () => {
    const sites = seedWarehouseSites(6);
    expect(sites.map((s) => s.code.split("-")[0])).to.deep.equal(["NYC", "LAX", "CHI", "DFW", "ATL", "SEA"]);
    for (const s of sites) expect(s.code).to.match(/^[A-Z]{3}-\d+$/);
    expect(new Set(sites.map((s) => s.store.state)).size).to.equal(6);
    const plan = seedStockPlan(A, 6, 7, 5);
    expect(seedStockPlan(A, 6, 7, 5)).to.deep.equal(plan);
    const kinds = { out: 0, low: 0, one: 0, several: 0 };
    for (let i = 0; i < 2000; i++) {
      const p = seedStockPlan(`item-${i}`, 6, 1, 5);
      const total = p.reduce((s, [, n]) => s + n, 0);
      if (total === 0) kinds.out++;
      else if (total < 5) kinds.low++;
      else if (p.length === 1) kinds.one++;
      else kinds.several++;
      for (const [w, n] of p) expect(w).to.be.within(0, 5) && expect(n).to.be.greaterThan(0);
    }
    expect(kinds.out).to.be.within(40, 200);
    expect(kinds.low).to.be.within(40, 200);
    expect(kinds.one).to.be.greaterThan(500);
    expect(kinds.several).to.be.greaterThan(500);
  });
});
