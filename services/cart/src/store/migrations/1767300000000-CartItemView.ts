// The cart's price-and-stock view: per item, the catalog's name, status and price as of an item version
// (catalog.items.changed) and the stock left as of Inventory's per-item sequence (inventory.stock.changed).
// Either half is NULL until the cart has heard of it (or looked it up once, see item-view.ts).
import { sqlMigration } from "../../../../lib/db.js";
import { eventTablesSql } from "../../../../lib/outbox.js";

export const CartItemView1767300000000 = sqlMigration("CartItemView1767300000000", [
  `CREATE TABLE cart.item_view (
    item_id uuid PRIMARY KEY,
    -- Catalog's item version: a change is applied only when newer.
    version bigint CHECK (version >= 0),
    name text,
    status int,
    price_minor bigint,
    currency text,
    image_url text,
    available int CHECK (available >= 0),
    -- Inventory's per-item sequence: older announcements are ignored. 0: looked up, not yet heard.
    stock_sequence bigint CHECK (stock_sequence >= 0),
    CHECK ((version IS NULL) = (price_minor IS NULL)),
    CHECK ((stock_sequence IS NULL) = (available IS NULL))
  )`,
  // The cart consumes events but publishes none: only the processed-events table of the shared DDL.
  ...eventTablesSql("cart").up.filter((s) => s.includes("processed_events")),
], [
  `DROP TABLE cart.processed_events`,
  `DROP TABLE cart.item_view`,
]);
