// Pure stock rules (docs/design.md "The stock model"): low stock, reservation planning, allocation plans.
// No I/O here, so every rule is unit tested without a server.

/** One line of a reservation or order: units of one item. */
export interface Line {
  itemId: string;
  quantity: number;
}

/**
 * Low stock means "still buyable, but only a few left": 0 < available < threshold. Zero is out of stock,
 * not low (a shopper cannot buy it at all), which is why the flag is false at 0.
 */
export function isLowStock(available: number, threshold: number): boolean {
  return available > 0 && available < threshold;
}

/**
 * The moment to announce `inventory.stock.low`: the aggregated stock fell from at or above the threshold to
 * under it (0 included: selling out also crosses the line). Further drops while already under do not repeat it.
 */
export function crossedUnderThreshold(before: number, after: number, threshold: number): boolean {
  return before >= threshold && after < threshold;
}

/** Lines sorted by item id: the fixed lock order that keeps two multi-item transactions from deadlocking. */
export function sortLines<T extends { itemId: string }>(lines: T[]): T[] {
  return [...lines].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

/** Same items with the same quantities, regardless of order. */
export function sameLines(a: Line[], b: Line[]): boolean {
  if (a.length !== b.length) return false;
  const sa = sortLines(a);
  const sb = sortLines(b);
  return sa.every((l, i) => l.itemId === sb[i].itemId && l.quantity === sb[i].quantity);
}

/** A reservation request after validation: lines distinct and sorted by item id. */
export interface ReserveInput {
  checkoutId: string;
  lines: Line[];
  ttlMs: number;
}

export interface ExistingReservation {
  checkoutId: string;
  lines: Line[];
}

export interface Shortage {
  itemId: string;
  requested: number;
  available: number;
}

/** What planning decided for one request of a batch. */
export type ReservePlan =
  /** Hold these lines now (a new reservation). */
  | { kind: "hold" }
  /** The checkout already has this very reservation (a retry): answer with it, change nothing. */
  | { kind: "existing" }
  /** The checkout id already holds different lines: refused, nothing changes. */
  | { kind: "conflict" }
  /** Some lines are short: nothing is held; every short line is listed. */
  | { kind: "short"; shortages: Shortage[] };

export interface BatchPlan {
  plans: ReservePlan[];
  /** Units taken per item by the whole batch (only items with a positive total). */
  taken: Map<string, number>;
  /** Aggregated stock per item once the batch is applied. */
  after: Map<string, number>;
}

/**
 * Decides a batch of reservations against the locked aggregated stock, in arrival order, exactly as if each
 * were run alone one after another: all lines or none, never below zero. A checkout id seen earlier in the
 * batch (or already stored) is a retry when its lines are the same and a conflict otherwise. Shortages report
 * the stock left after the whole batch ("available now"), which is never more than what the line found.
 */
export function planReservations(
  stock: ReadonlyMap<string, number>,
  existing: ReadonlyMap<string, ExistingReservation>,
  requests: ReserveInput[],
): BatchPlan {
  const left = new Map(stock);
  const taken = new Map<string, number>();
  const heldInBatch = new Map<string, Line[]>();
  const plans: ReservePlan[] = requests.map((req) => {
    const prior = existing.get(req.checkoutId)?.lines ?? heldInBatch.get(req.checkoutId);
    if (prior) return sameLines(prior, req.lines) ? { kind: "existing" } : { kind: "conflict" };
    const short = req.lines.filter((l) => (left.get(l.itemId) ?? 0) < l.quantity);
    if (short.length > 0) return { kind: "short", shortages: short.map((l) => ({ itemId: l.itemId, requested: l.quantity, available: 0 })) };
    for (const l of req.lines) {
      left.set(l.itemId, (left.get(l.itemId) ?? 0) - l.quantity);
      taken.set(l.itemId, (taken.get(l.itemId) ?? 0) + l.quantity);
    }
    heldInBatch.set(req.checkoutId, req.lines);
    return { kind: "hold" };
  });
  for (const p of plans) {
    if (p.kind === "short") for (const s of p.shortages) s.available = left.get(s.itemId) ?? 0;
  }
  return { plans, taken, after: left };
}

/** One row of an order's split: units of an item from a warehouse, for a warehouse order. */
export interface AllocationLine {
  warehouseOrderId: string;
  warehouseId: string;
  itemId: string;
  quantity: number;
}

export type PlanProblem = { field: string; problem: string };

/**
 * Checks a split against the order's committed units: every item of the order is covered exactly, no
 * foreign item, each warehouse order belongs to one warehouse, and a (warehouse order, item) appears once.
 * Returns the first problem (naming the request field) or undefined.
 */
export function checkAllocationPlan(plan: AllocationLine[], committed: ReadonlyMap<string, number>): PlanProblem | undefined {
  const warehouseOf = new Map<string, string>();
  const seen = new Set<string>();
  const perItem = new Map<string, number>();
  for (const [i, a] of plan.entries()) {
    const wh = warehouseOf.get(a.warehouseOrderId);
    if (wh !== undefined && wh !== a.warehouseId) {
      return { field: `allocations[${i}].warehouse_id`, problem: `warehouse order ${a.warehouseOrderId} is already planned at another warehouse` };
    }
    warehouseOf.set(a.warehouseOrderId, a.warehouseId);
    const key = `${a.warehouseOrderId}/${a.itemId}`;
    if (seen.has(key)) return { field: `allocations[${i}].item_id`, problem: `item ${a.itemId} appears twice in warehouse order ${a.warehouseOrderId}` };
    seen.add(key);
    if (!committed.has(a.itemId)) return { field: `allocations[${i}].item_id`, problem: `item ${a.itemId} is not part of the order` };
    perItem.set(a.itemId, (perItem.get(a.itemId) ?? 0) + a.quantity);
  }
  for (const [itemId, units] of [...committed.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const planned = perItem.get(itemId) ?? 0;
    if (planned !== units) {
      return { field: "allocations", problem: `item ${itemId}: the split covers ${planned} units, the order has ${units} committed units` };
    }
  }
  return undefined;
}

/** The same split (a retry), regardless of order. */
export function samePlan(a: AllocationLine[], b: AllocationLine[]): boolean {
  const key = (x: AllocationLine) => `${x.warehouseOrderId}/${x.itemId}/${x.warehouseId}/${x.quantity}`;
  if (a.length !== b.length) return false;
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.every((k, i) => k === kb[i]);
}

/** Units to take per (item, warehouse), sorted by item then warehouse: the lock order of warehouse_stock rows. */
export function unitsPerWarehouseRow(plan: AllocationLine[]): { itemId: string; warehouseId: string; quantity: number }[] {
  const sums = new Map<string, { itemId: string; warehouseId: string; quantity: number }>();
  for (const a of plan) {
    const key = `${a.itemId}/${a.warehouseId}`;
    const row = sums.get(key) ?? { itemId: a.itemId, warehouseId: a.warehouseId, quantity: 0 };
    row.quantity += a.quantity;
    sums.set(key, row);
  }
  return [...sums.values()].sort((x, y) =>
    x.itemId < y.itemId ? -1 : x.itemId > y.itemId ? 1 : x.warehouseId < y.warehouseId ? -1 : x.warehouseId > y.warehouseId ? 1 : 0);
}
