// What the planner plans from (docs/design.md "Assignment", "Stock view"): the warehouses, from a cached
// Inventory.ListWarehouses (refreshed every ASSIGNMENT_WAREHOUSES_REFRESH_MS, and at once when the stock names a
// warehouse the cache lacks or AllocateOrder finds a warehouse gone or inactive), and each item's unassigned
// units per warehouse from the stock view (store/stock-view.ts). An item the view has never heard of is read
// once with GetItemStock and kept. The view may lag Inventory: AllocateOrder re-checks every row, and its
// refusal carries the short items' rows, which the view takes (newer only) before the next plan.
import type { Client } from "@connectrpc/connect";
import type { DataSource } from "typeorm";
import type { InventoryService, ItemWarehouseStock } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import type { Logger } from "../../lib/log.js";
import type { Db } from "../../lib/sql.js";
import type { CandidateWarehouse } from "./domain/planner.js";
import { applyStock, readStock, type ItemStock } from "./store/stock-view.js";

export interface StockSourceDeps {
  ds: DataSource;
  inventory: Client<typeof InventoryService>;
  serviceHeaders(): Promise<Record<string, string>>;
  log: Logger;
  warehousesRefreshMs: number;
}

type Stock = Map<string, Map<string, number>>;

export class StockSource {
  private listed?: { at: number; all: Set<string>; active: CandidateWarehouse[] };
  /** Warehouse ids the stock named that the last refresh did not list either: no refresh for them until the next one. */
  private unlisted = new Set<string>();
  private loading?: Promise<void>;

  constructor(private readonly d: StockSourceDeps) {}

  /** Active warehouses; refreshed when old, dropped, or when `seen` names a warehouse the list lacks. */
  async warehouses(seen: Iterable<string> = []): Promise<CandidateWarehouse[]> {
    const now = Date.now();
    const l = this.listed;
    const stale = !l || now - l.at >= this.d.warehousesRefreshMs;
    const missing = l ? [...new Set(seen)].filter((id) => !l.all.has(id) && !this.unlisted.has(id)) : [];
    if (stale || missing.length > 0) {
      await this.load();
      for (const id of missing) if (!this.listed!.all.has(id)) this.unlisted.add(id);
    }
    return this.listed!.active;
  }

  /** The next warehouses() asks Inventory again (a plan named a warehouse that is gone or inactive). */
  dropWarehouses(): void {
    this.listed = undefined;
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const r = await this.d.inventory.listWarehouses({}, { headers: await this.d.serviceHeaders() });
        this.unlisted = new Set();
        this.listed = {
          at: Date.now(),
          all: new Set(r.warehouses.map((w) => w.id)),
          active: r.warehouses.filter((w) => w.active).map((w) => ({
            id: w.id, code: w.code, priority: w.priority, location: w.location ? { lat: w.location.lat, lon: w.location.lon } : undefined,
          })),
        };
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** Units per warehouse of each item: the view's rows; items it lacks are read from Inventory and kept. */
  async stock(db: Db, itemIds: string[]): Promise<Stock> {
    const known = await readStock(db, itemIds);
    const cold = itemIds.filter((id) => !known.has(id));
    if (cold.length > 0) {
      const read = await this.read(cold);
      // Kept at sequence 0: any event about the item replaces it.
      await applyStock(this.d.ds, [...read].map(([itemId, available]) => ({ itemId, sequence: 0n, available })));
      for (const [itemId, available] of read) known.set(itemId, available);
    }
    return known;
  }

  /** Inventory's current rows of the items (GetItemStock each), for items the view lacks or plans that came out short. */
  async read(itemIds: string[]): Promise<Stock> {
    const headers = await this.d.serviceHeaders();
    const answers = await Promise.all(itemIds.map((itemId) => this.d.inventory.getItemStock({ itemId }, { headers })));
    return new Map(itemIds.map((itemId, i) => [itemId, new Map(answers[i].warehouses.map((w) => [w.warehouseId.toLowerCase(), w.available]))]));
  }

  /** AllocateOrder's refusal: the short items' rows as of their sequences, into the view (newer only). */
  async refused(shortItems: ItemWarehouseStock[]): Promise<void> {
    const stock: ItemStock[] = shortItems.map((s) => ({
      itemId: s.itemId.toLowerCase(), sequence: s.sequence, available: new Map(s.warehouses.map((w) => [w.warehouseId.toLowerCase(), w.available])),
    }));
    await applyStock(this.d.ds, stock);
  }
}
