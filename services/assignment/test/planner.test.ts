// The split planner, without a server: one nearest warehouse when it can ship everything (round-robin among
// equals), otherwise the fewest warehouses then the nearest, lines split only when no single warehouse holds
// them, refusal when stock is short, and the same answer for the same input.
import { expect } from "chai";
import fc from "fast-check";
import { planSplit, type CandidateWarehouse, type Plan, type PlanRequest } from "../src/domain/planner.js";

// Real places, so distances mean something: a shopper in Minneapolis.
const MINNEAPOLIS = { lat: 44.9778, lon: -93.265 };
const sites = {
  MSP: { lat: 44.8547, lon: -93.2427 }, // ~14 km
  CHI: { lat: 41.8781, lon: -87.6298 }, // ~570 km
  DEN: { lat: 39.7392, lon: -104.9903 }, // ~1,100 km
  NYC: { lat: 40.7128, lon: -74.006 }, // ~1,640 km
  LAX: { lat: 34.0522, lon: -118.2437 }, // ~2,460 km
};

function wh(code: keyof typeof sites | string, priority = 0, location: { lat: number; lon: number } | undefined = sites[code as keyof typeof sites]): CandidateWarehouse {
  return { id: `id-${code}`, code, priority, location };
}

/** stock({ A: { MSP: 3, CHI: 1 } }) -> item "A" has 3 at MSP and 1 at CHI. */
function stock(table: Record<string, Record<string, number>>): Map<string, Map<string, number>> {
  return new Map(Object.entries(table).map(([item, per]) => [item, new Map(Object.entries(per).map(([code, n]) => [`id-${code}`, n]))]));
}

function plan(req: Partial<PlanRequest> & Pick<PlanRequest, "lines" | "warehouses" | "available">): Plan {
  return planSplit({ rotation: 0, destination: MINNEAPOLIS, ...req });
}

/** "MSP: A x2, B x1 | CHI: C x1" */
function show(p: Plan): string {
  if (p.kind === "short") return `short ${p.shortages.map((s) => `${s.itemId} ${s.requested}>${s.available}`).join(", ")}`;
  return p.shipments.map((s) => `${s.warehouseCode}: ${s.lines.map((l) => `${l.itemId} x${l.quantity}`).join(", ")}`).join(" | ");
}

const L = (itemId: string, quantity: number) => ({ itemId, quantity });

describe("split planner", () => {
  describe("one warehouse for the whole order", () => {
    it("chooses the nearest warehouse that can ship every line", () => {
      const p = plan({
        lines: [L("A", 2), L("B", 1)],
        warehouses: [wh("NYC"), wh("CHI"), wh("MSP")],
        available: stock({ A: { NYC: 5, CHI: 5, MSP: 5 }, B: { NYC: 1, CHI: 1, MSP: 1 } }),
      });
      expect(show(p)).to.equal("MSP: A x2, B x1");
      expect(p.kind === "planned" && p.method).to.equal("single");
    });

    it("prefers a farther warehouse holding everything over splitting with a nearer one", () => {
      const p = plan({
        lines: [L("A", 1), L("B", 1)],
        warehouses: [wh("MSP"), wh("LAX")],
        available: stock({ A: { MSP: 10, LAX: 1 }, B: { LAX: 1 } }),
      });
      expect(show(p)).to.equal("LAX: A x1, B x1");
    });

    it("never ships from a warehouse with too few units of a line", () => {
      const p = plan({
        lines: [L("A", 3)],
        warehouses: [wh("MSP"), wh("CHI")],
        available: stock({ A: { MSP: 2, CHI: 3 } }),
      });
      expect(show(p)).to.equal("CHI: A x3");
    });

    it("takes turns among equally near warehouses of the same priority (round-robin by rotation)", () => {
      const twin = { lat: sites.MSP.lat + 0.001, lon: sites.MSP.lon }; // ~100 m apart: equally near
      const req = {
        lines: [L("A", 1)],
        warehouses: [wh("MSP-2", 0, twin), wh("MSP-1", 0, sites.MSP), wh("CHI")],
        available: stock({ A: { "MSP-1": 5, "MSP-2": 5, CHI: 5 } }),
      };
      const picks = [0, 1, 2, 3].map((rotation) => show(plan({ ...req, rotation })));
      expect(picks).to.deep.equal(["MSP-1: A x1", "MSP-2: A x1", "MSP-1: A x1", "MSP-2: A x1"]);
    });

    it("breaks a distance tie by priority before taking turns", () => {
      const twin = { lat: sites.MSP.lat + 0.001, lon: sites.MSP.lon };
      const req = {
        lines: [L("A", 1)],
        warehouses: [wh("MSP-1", 5, sites.MSP), wh("MSP-2", 1, twin)],
        available: stock({ A: { "MSP-1": 5, "MSP-2": 5 } }),
      };
      expect([0, 1].map((rotation) => show(plan({ ...req, rotation })))).to.deep.equal(["MSP-2: A x1", "MSP-2: A x1"]);
    });

    it("without a destination, ranks by priority and takes turns among the lowest", () => {
      const req = {
        lines: [L("A", 1)],
        warehouses: [wh("NYC", 1), wh("LAX", 1), wh("CHI", 2)],
        available: stock({ A: { NYC: 5, LAX: 5, CHI: 5 } }),
        destination: undefined,
      };
      expect([0, 1, 2].map((rotation) => show(plan({ ...req, rotation })))).to.deep.equal(["LAX: A x1", "NYC: A x1", "LAX: A x1"]);
    });

    it("puts warehouses without a location after located ones", () => {
      const p = plan({
        lines: [L("A", 1)],
        warehouses: [wh("NOWHERE", 0, undefined), wh("LAX", 9)],
        available: stock({ A: { NOWHERE: 5, LAX: 5 } }),
      });
      expect(show(p)).to.equal("LAX: A x1");
    });
  });

  describe("several warehouses", () => {
    it("uses the fewest warehouses when no single one can ship everything", () => {
      // Greedy by nearest would take MSP (A), CHI (B), DEN (C): three. NYC holds B and C: two suffice.
      const p = plan({
        lines: [L("A", 1), L("B", 1), L("C", 1)],
        warehouses: [wh("MSP"), wh("CHI"), wh("DEN"), wh("NYC")],
        available: stock({ A: { MSP: 1 }, B: { CHI: 1, NYC: 1 }, C: { DEN: 1, NYC: 1 } }),
      });
      expect(show(p)).to.equal("MSP: A x1 | NYC: B x1, C x1");
      expect(p.kind === "planned" && p.method).to.equal("exact");
    });

    it("among sets of the same size, chooses the nearest set", () => {
      const p = plan({
        lines: [L("A", 1), L("B", 1)],
        warehouses: [wh("LAX"), wh("NYC"), wh("MSP"), wh("CHI")],
        available: stock({ A: { LAX: 1, MSP: 1 }, B: { NYC: 1, CHI: 1 } }),
      });
      expect(show(p)).to.equal("MSP: A x1 | CHI: B x1");
    });

    it("sends a line whole to the nearest warehouse of the set that holds all of it", () => {
      const p = plan({
        lines: [L("A", 2), L("B", 1)],
        warehouses: [wh("MSP"), wh("CHI")],
        available: stock({ A: { MSP: 2, CHI: 2 }, B: { CHI: 1 } }),
      });
      expect(show(p), "CHI alone holds everything").to.equal("CHI: A x2, B x1");
      const split = plan({
        lines: [L("A", 2), L("B", 1), L("C", 1)],
        warehouses: [wh("MSP"), wh("CHI")],
        available: stock({ A: { MSP: 2, CHI: 2 }, B: { CHI: 1 }, C: { MSP: 1 } }),
      });
      expect(show(split)).to.equal("MSP: A x2, C x1 | CHI: B x1");
    });

    it("splits a line across warehouses when none holds the whole quantity, in as few pieces as possible", () => {
      const p = plan({
        lines: [L("A", 10)],
        warehouses: [wh("MSP"), wh("CHI"), wh("DEN"), wh("NYC")],
        available: stock({ A: { MSP: 3, CHI: 2, DEN: 7, NYC: 4 } }),
      });
      // Two warehouses suffice (DEN 7 + NYC 4, or DEN 7 + MSP 3); the nearer pair is MSP + DEN.
      expect(show(p)).to.equal("MSP: A x3 | DEN: A x7");
    });

    it("falls back to greedy set cover when the exact search would be too large, still covering every unit", () => {
      const warehouses = ["MSP", "CHI", "DEN", "NYC", "LAX"].map((c) => wh(c));
      const p = plan({
        lines: [L("A", 1), L("B", 1), L("C", 1)],
        warehouses,
        available: stock({ A: { MSP: 1 }, B: { CHI: 1, NYC: 1 }, C: { DEN: 1, NYC: 1 } }),
        searchBudget: 1,
      });
      expect(p.kind === "planned" && p.method).to.equal("greedy");
      expect(show(p)).to.equal("MSP: A x1 | NYC: B x1, C x1");
    });
  });

  describe("shortage", () => {
    it("refuses when the warehouses together hold too few units, listing every short line", () => {
      const p = plan({
        lines: [L("A", 5), L("B", 1), L("C", 2)],
        warehouses: [wh("MSP"), wh("CHI")],
        available: stock({ A: { MSP: 2, CHI: 2 }, B: { CHI: 1 }, C: {} }),
      });
      expect(show(p)).to.equal("short A 5>4, C 2>0");
    });

    it("counts only the warehouses it is given (inactive ones are left out by the caller)", () => {
      const p = plan({ lines: [L("A", 1)], warehouses: [wh("MSP")], available: stock({ A: { CHI: 9 } }) });
      expect(show(p)).to.equal("short A 1>0");
    });
  });

  describe("properties", () => {
    const codes = ["MSP", "CHI", "DEN", "NYC", "LAX"];
    const arbitraryOrder = fc.record({
      lines: fc.uniqueArray(fc.constantFrom("A", "B", "C", "D"), { minLength: 1, maxLength: 4 })
        .chain((items) => fc.tuple(...items.map((i) => fc.integer({ min: 1, max: 6 }).map((q) => L(i, q))))),
      stock: fc.dictionary(fc.constantFrom("A", "B", "C", "D"), fc.dictionary(fc.constantFrom(...codes), fc.integer({ min: 0, max: 8 }))),
      rotation: fc.nat(10),
      budget: fc.constantFrom(1, 20_000),
    });

    it("either ships exactly the ordered units from stock that exists, or reports a real shortage; deterministically", () => {
      fc.assert(fc.property(arbitraryOrder, ({ lines, stock: table, rotation, budget }) => {
        const req = { lines, warehouses: codes.map((c) => wh(c)), available: stock(table), rotation, searchBudget: budget, destination: MINNEAPOLIS };
        const p = planSplit(req);
        expect(planSplit(req)).to.deep.equal(p);
        const held = (item: string, code: string) => table[item]?.[code] ?? 0;
        if (p.kind === "short") {
          for (const s of p.shortages) expect(codes.reduce((n, c) => n + held(s.itemId, c), 0)).to.equal(s.available).and.to.be.below(s.requested);
          return;
        }
        const shipped = new Map<string, number>();
        const seen = new Set<string>();
        for (const s of p.shipments) {
          expect(seen.has(s.warehouseCode), "one shipment per warehouse").to.equal(false);
          seen.add(s.warehouseCode);
          expect(s.lines.length).to.be.above(0);
          for (const l of s.lines) {
            expect(l.quantity).to.be.within(1, held(l.itemId, s.warehouseCode));
            shipped.set(l.itemId, (shipped.get(l.itemId) ?? 0) + l.quantity);
          }
        }
        for (const l of lines) expect(shipped.get(l.itemId)).to.equal(l.quantity);
        const single = codes.some((c) => lines.every((l) => held(l.itemId, c) >= l.quantity));
        if (single) expect(p.shipments).to.have.length(1);
        if (budget > 1) {
          // Exact: no smaller set of warehouses covers the order.
          const k = p.shipments.length;
          const subsets = (1 << codes.length);
          for (let mask = 1; mask < subsets; mask++) {
            const set = codes.filter((_, i) => mask & (1 << i));
            if (set.length >= k) continue;
            expect(lines.every((l) => set.reduce((n, c) => n + held(l.itemId, c), 0) >= l.quantity), `smaller cover ${set}`).to.equal(false);
          }
        }
      }), { numRuns: 300 });
    });
  });
});
