// The search schema: Search's own read model, fed by events (catalog.items.changed, inventory.stock.changed)
// and by the reindex command. The in-memory index is built from it at start-up.
import type { MigrationInterface, QueryRunner } from "typeorm";
import { eventTablesSql } from "../../../../lib/outbox.js";

export class SearchSchema1768000000000 implements MigrationInterface {
  name = "SearchSchema1768000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE search.items (
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
      )`);
    await q.query(`
      CREATE TABLE search.stock (
        item_id uuid PRIMARY KEY,
        available int NOT NULL CHECK (available >= 0),
        low_stock boolean NOT NULL,
        -- Inventory's per-item sequence: older announcements are ignored.
        sequence bigint NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Search consumes events but publishes none: only the processed-events table of the shared DDL.
    for (const sql of eventTablesSql("search").up.filter((s) => s.includes("processed_events"))) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE search.processed_events`);
    await q.query(`DROP TABLE search.stock`);
    await q.query(`DROP TABLE search.items`);
  }
}
