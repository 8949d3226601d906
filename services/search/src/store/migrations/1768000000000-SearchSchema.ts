// The search schema: Search's own read model, fed by events (catalog.items.changed, inventory.stock.changed)
// and by the reindex command. The in-memory index is built from it at start-up.
import { sqlMigration } from "../../../../lib/db.js";
import { eventTablesSql } from "../../../../lib/outbox.js";

export const SearchSchema1768000000000 = sqlMigration("SearchSchema1768000000000", [
  `CREATE TABLE search.items (
    item_id uuid PRIMARY KEY,
    -- Catalog's item version: a change is applied only when newer (replays change nothing).
    version bigint NOT NULL CHECK (version >= 1),
    active boolean NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    brand text NOT NULL,
    category_id text NOT NULL,
    price_minor bigint NOT NULL,
    currency text NOT NULL,
    image_url text NOT NULL,
    -- Attribute values in key order, one per line: searchable text, not structured data.
    attribute_text text NOT NULL,
    created_ms bigint NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE search.stock (
    item_id uuid PRIMARY KEY,
    available int NOT NULL CHECK (available >= 0),
    low_stock boolean NOT NULL,
    -- Inventory's per-item sequence: older announcements are ignored.
    sequence bigint NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  // Search consumes events but publishes none: only the processed-events table of the shared DDL.
  ...eventTablesSql("search").up.filter((s) => s.includes("processed_events")),
], [
  `DROP TABLE search.processed_events`,
  `DROP TABLE search.stock`,
  `DROP TABLE search.items`,
]);
