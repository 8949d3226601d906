// The catalog schema: the category tree, items, and the event tables (outbox, processed_events).
import { sqlMigration } from "../../../../lib/db.js";
import { eventTablesSql } from "../../../../lib/outbox.js";

export const CatalogSchema1732200000000 = sqlMigration("CatalogSchema1732200000000", [
  `CREATE TABLE catalog.categories (
    id text PRIMARY KEY,
    name text NOT NULL,
    parent_id text REFERENCES catalog.categories (id),
    -- Names and ids from the root down to this category, inclusive.
    path text[] NOT NULL,
    path_ids text[] NOT NULL,
    depth int NOT NULL CHECK (depth >= 0),
    CHECK (cardinality(path) = depth + 1 AND cardinality(path_ids) = depth + 1),
    CHECK ((parent_id IS NULL) = (depth = 0))
  )`,
  `CREATE INDEX categories_parent ON catalog.categories (parent_id, name)`,
  // "This category and all its descendants" is path_ids @> ARRAY[id]: one GIN lookup, no recursion.
  `CREATE INDEX categories_path_ids ON catalog.categories USING gin (path_ids)`,

  `CREATE TABLE catalog.items (
    id uuid PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    brand text NOT NULL CHECK (length(brand) BETWEEN 1 AND 100),
    category_id text NOT NULL REFERENCES catalog.categories (id),
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    currency char(3) NOT NULL,
    image_url text NOT NULL DEFAULT '',
    attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ARCHIVED')),
    version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now()
  )`,
  // ListItems pages newest first by (create_time, id): the whole catalog, and per category (the category
  // filter probes this index once per category of the subtree and merges the newest keys). INCLUDE status
  // lets both be index-only scans.
  `CREATE INDEX items_newest ON catalog.items (create_time DESC, id DESC) INCLUDE (status)`,
  `CREATE INDEX items_category_newest ON catalog.items (category_id, create_time DESC, id DESC) INCLUDE (status)`,

  ...eventTablesSql("catalog").up,
], [
  ...eventTablesSql("catalog").down,
  `DROP TABLE catalog.items`,
  `DROP TABLE catalog.categories`,
]);
