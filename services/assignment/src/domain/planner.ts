// The split planner (docs/design.md "Split planner"): which warehouses ship which units of an order. Pure and
// deterministic: the same stock, destination and rotation always give the same split, so it is unit tested
// without a server and a re-plan after a failed allocation is just another call with fresher numbers.
//
// Rules, in order:
//  1. Short: when the active warehouses together hold fewer units of a line than ordered, nothing is planned
//     and every short line is returned.
//  2. One warehouse that can ship every line whole, if there is one: the nearest to the destination; among
//     equally near ones (within tieKm) the lowest priority number; among those, round-robin by `rotation`.
//  3. Otherwise the fewest warehouses (exact search over subsets, up to a budget; greedy set cover beyond it),
//     then the nearest set (sum of distances), then priority, then round-robin among equals.
//  Within the chosen set a line goes whole to the nearest warehouse that holds all of it; a line no single
//  one holds is split, largest holdings first, so it is cut into as few pieces as possible.
import { haversineKm, type GeoPoint } from "./geo.js";

export interface Line {
  itemId: string;
  quantity: number;
}

export interface CandidateWarehouse {
  id: string;
  code: string;
  /** Tie-breaker after distance; lower first. */
  priority: number;
  location?: GeoPoint;
}

export interface PlanRequest {
  /** Distinct items, quantity >= 1. */
  lines: Line[];
  /** Active warehouses only: the planner ships from every warehouse it is given. */
  warehouses: CandidateWarehouse[];
  /** Unassigned units per item id, per warehouse id. Missing means 0. */
  available: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** The shipping address's location, when known; without it distance plays no part. */
  destination?: GeoPoint;
  /** A counter that advances per planned order: picks among equally good choices in turn. */
  rotation: number;
  /** Warehouses whose distances differ by at most this much are equally near. Default 1 km. */
  tieKm?: number;
  /** Subsets the exact minimum-warehouses search may evaluate before falling back to greedy. Default 20,000. */
  searchBudget?: number;
}

/** Units of one warehouse order: what one warehouse picks, packs and ships. */
export interface Shipment {
  warehouseId: string;
  warehouseCode: string;
  /** Sorted by item id. */
  lines: Line[];
}

export interface Shortage {
  itemId: string;
  requested: number;
  /** Units all the given warehouses hold together. */
  available: number;
}

export type Plan =
  | { kind: "planned"; shipments: Shipment[]; method: "single" | "exact" | "greedy" }
  | { kind: "short"; shortages: Shortage[] };

export const DEFAULT_TIE_KM = 1;
export const DEFAULT_SEARCH_BUDGET = 20_000;

interface Ranked {
  w: CandidateWarehouse;
  /** Infinity when the destination or the warehouse location is unknown. */
  km: number;
}

export function planSplit(req: PlanRequest): Plan {
  const tieKm = req.tieKm ?? DEFAULT_TIE_KM;
  const rotation = Math.max(0, Math.floor(req.rotation));
  const units = (itemId: string, warehouseId: string) => Math.max(0, req.available.get(itemId)?.get(warehouseId) ?? 0);
  const lines = [...req.lines].sort((a, b) => cmp(a.itemId, b.itemId));

  const shortages = lines
    .map((l) => ({ itemId: l.itemId, requested: l.quantity, available: req.warehouses.reduce((s, w) => s + units(l.itemId, w.id), 0) }))
    .filter((s) => s.available < s.requested);
  if (shortages.length > 0) return { kind: "short", shortages };

  const ranked = rankWarehouses(req.warehouses, req.destination);
  const covering = ranked.filter((r) => lines.every((l) => units(l.itemId, r.w.id) >= l.quantity));
  if (covering.length > 0) {
    const best = pickAmongEquals(covering, (r) => [r.km === Infinity ? 1 : 0, r.km, r.w.priority], tieKm, rotation, (r) => r.w.code + r.w.id);
    return { kind: "planned", method: "single", shipments: [{ warehouseId: best.w.id, warehouseCode: best.w.code, lines }] };
  }

  // Only warehouses holding something of the order can be part of a minimal set.
  const relevant = ranked.filter((r) => lines.some((l) => units(l.itemId, r.w.id) > 0));
  const exact = minimumSets(relevant, lines, units, req.searchBudget ?? DEFAULT_SEARCH_BUDGET);
  let chosen: Ranked[];
  let method: "exact" | "greedy";
  if (exact) {
    method = "exact";
    chosen = pickAmongEquals(
      exact,
      (set) => [set.filter((r) => r.km === Infinity).length, set.reduce((s, r) => s + (r.km === Infinity ? 0 : r.km), 0), set.reduce((s, r) => s + r.w.priority, 0)],
      tieKm, rotation, (set) => set.map((r) => r.w.code + r.w.id).join(","),
    );
  } else {
    method = "greedy";
    chosen = greedyCover(relevant, lines, units, tieKm, rotation);
  }
  const shipments = distribute(lines, chosen, units);
  return { kind: "planned", method, shipments };
}

/** Nearest first (unknown distances last), then priority, then code: the order shipments are listed in. */
function rankWarehouses(warehouses: CandidateWarehouse[], destination?: GeoPoint): Ranked[] {
  return warehouses
    .map((w) => ({ w, km: destination && w.location ? haversineKm(destination, w.location) : Infinity }))
    .sort(byRank);
}

function byRank(a: Ranked, b: Ranked): number {
  if (a.km !== b.km) return a.km < b.km ? -1 : 1;
  if (a.w.priority !== b.w.priority) return a.w.priority - b.w.priority;
  return cmp(a.w.code, b.w.code) || cmp(a.w.id, b.w.id);
}

/**
 * The best option by a cost vector [unknown-distance count, km, priority]: those with the fewest unknown
 * distances, then km within tieKm of the least, then the least priority are "equals"; `rotation` picks one
 * of them in turn (sorted by `key`, so the order is stable).
 */
function pickAmongEquals<T>(options: T[], cost: (o: T) => [number, number, number], tieKm: number, rotation: number, key: (o: T) => string): T {
  const costed = options.map((o) => ({ o, c: cost(o) }));
  const fewestUnknown = Math.min(...costed.map((x) => x.c[0]));
  const known = costed.filter((x) => x.c[0] === fewestUnknown);
  const nearestKm = Math.min(...known.map((x) => x.c[1]));
  const near = known.filter((x) => x.c[1] <= nearestKm + tieKm);
  const lowestPriority = Math.min(...near.map((x) => x.c[2]));
  const equals = near.filter((x) => x.c[2] === lowestPriority).map((x) => x.o).sort((a, b) => cmp(key(a), key(b)));
  return equals[rotation % equals.length];
}

/** Does this set of warehouses hold enough of every line (each line may be split among them)? */
function covers(set: Ranked[], lines: Line[], units: (i: string, w: string) => number): boolean {
  return lines.every((l) => set.reduce((s, r) => s + units(l.itemId, r.w.id), 0) >= l.quantity);
}

/**
 * Every covering set of the smallest size, searching sizes 2, 3, ... while the number of subsets to check
 * stays within budget; undefined when the budget runs out first (the caller falls back to greedy).
 */
function minimumSets(relevant: Ranked[], lines: Line[], units: (i: string, w: string) => number, budget: number): Ranked[][] | undefined {
  let spent = 0;
  for (let k = 2; k <= relevant.length; k++) {
    spent += binomial(relevant.length, k);
    if (spent > budget) return undefined;
    const found: Ranked[][] = [];
    for (const set of combinations(relevant, k)) if (covers(set, lines, units)) found.push(set);
    if (found.length > 0) return found;
  }
  return undefined; // unreachable when the order is not short: all relevant warehouses together cover it
}

/**
 * Greedy set cover: repeatedly take the warehouse that can ship the most remaining lines whole, then the
 * most remaining units; ties by distance, priority and rotation. Stops when the chosen set covers the order.
 */
function greedyCover(relevant: Ranked[], lines: Line[], units: (i: string, w: string) => number, tieKm: number, rotation: number): Ranked[] {
  const remaining = new Map(lines.map((l) => [l.itemId, l.quantity]));
  const chosen: Ranked[] = [];
  let pool = [...relevant];
  while ([...remaining.values()].some((q) => q > 0)) {
    const gain = (r: Ranked) => {
      let whole = 0;
      let unitsGained = 0;
      for (const [itemId, q] of remaining) {
        if (q <= 0) continue;
        const have = units(itemId, r.w.id);
        if (have >= q) whole++;
        unitsGained += Math.min(have, q);
      }
      return { whole, unitsGained };
    };
    const gains = pool.map((r) => ({ r, g: gain(r) })).filter((x) => x.g.unitsGained > 0);
    const maxWhole = Math.max(...gains.map((x) => x.g.whole));
    const maxUnits = Math.max(...gains.filter((x) => x.g.whole === maxWhole).map((x) => x.g.unitsGained));
    const top = gains.filter((x) => x.g.whole === maxWhole && x.g.unitsGained === maxUnits).map((x) => x.r);
    const pick = pickAmongEquals(top, (r) => [r.km === Infinity ? 1 : 0, r.km, r.w.priority], tieKm, rotation, (r) => r.w.code + r.w.id);
    chosen.push(pick);
    pool = pool.filter((r) => r !== pick);
    for (const [itemId, q] of remaining) remaining.set(itemId, q - Math.min(q, units(itemId, pick.w.id)));
  }
  return chosen.sort(byRank);
}

/** Lines to warehouses of the chosen set: whole to the nearest holder, else split largest holdings first. */
function distribute(lines: Line[], chosen: Ranked[], units: (i: string, w: string) => number): Shipment[] {
  const set = [...chosen].sort(byRank);
  const perWarehouse = new Map<string, Line[]>(set.map((r) => [r.w.id, []]));
  for (const l of lines) {
    const whole = set.find((r) => units(l.itemId, r.w.id) >= l.quantity);
    if (whole) {
      perWarehouse.get(whole.w.id)!.push({ itemId: l.itemId, quantity: l.quantity });
      continue;
    }
    let left = l.quantity;
    const byHolding = [...set].sort((a, b) => units(l.itemId, b.w.id) - units(l.itemId, a.w.id) || byRank(a, b));
    for (const r of byHolding) {
      if (left === 0) break;
      const take = Math.min(left, units(l.itemId, r.w.id));
      if (take > 0) perWarehouse.get(r.w.id)!.push({ itemId: l.itemId, quantity: take });
      left -= take;
    }
  }
  return set
    .filter((r) => perWarehouse.get(r.w.id)!.length > 0)
    .map((r) => ({ warehouseId: r.w.id, warehouseCode: r.w.code, lines: perWarehouse.get(r.w.id)! }));
}

function* combinations<T>(items: T[], k: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= items.length - (k - prefix.length); i++) yield* combinations(items, k, i + 1, [...prefix, items[i]]);
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
