// Assignment's per-warehouse stock view (docs/design.md "Assignment"): each item's unassigned units per
// warehouse as of Inventory's per-item sequence, kept from inventory.stock.changed and AllocateOrder's refusals.
import { sqlMigration } from "../../../../lib/db.js";

export const StockView1767200000000 = sqlMigration("StockView1767200000000", [
  `CREATE TABLE "assignment".stock_view (
    item_id uuid PRIMARY KEY,
    -- Inventory's sequence of the item the rows belong to; 0 for rows read with GetItemStock (any event is newer).
    sequence bigint NOT NULL,
    -- {"<warehouse id>": available, ...}: every warehouse row of the item Inventory holds.
    warehouses jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
], [
  `DROP TABLE "assignment".stock_view`,
]);
