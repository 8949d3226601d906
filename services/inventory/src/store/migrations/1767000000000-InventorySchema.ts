// The inventory schema: warehouses, stock counters (with the invariants Postgres can hold itself as CHECKs),
// reservations, orders' committed and allocated units, the stock ledger, and the event tables.
import { sqlMigration } from "../../../../lib/db.js";
import { eventTablesSql } from "../../../../lib/outbox.js";

const S = `"inventory"`;

export const InventorySchema1767000000000 = sqlMigration("InventorySchema1767000000000", [
  `CREATE TABLE ${S}.warehouses (
    id uuid PRIMARY KEY,
    code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name text NOT NULL,
    address jsonb NOT NULL DEFAULT '{}'::jsonb,
    lat double precision CHECK (lat BETWEEN -90 AND 90),
    lon double precision CHECK (lon BETWEEN -180 AND 180),
    active boolean NOT NULL DEFAULT true,
    priority int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lon IS NULL))
  )`,
  // Codes name NATS subjects; "msp-1" and "MSP-1" would be two subjects for what a person reads as one.
  `CREATE UNIQUE INDEX warehouses_code_key ON ${S}.warehouses (lower(code))`,

  `CREATE TABLE ${S}.item_stock (
    item_id uuid PRIMARY KEY,
    aggregated int NOT NULL CHECK (aggregated >= 0),
    -- Bumped by every transaction that changes aggregated: StockChanged.sequence.
    sequence bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE ${S}.warehouse_stock (
    item_id uuid NOT NULL,
    warehouse_id uuid NOT NULL REFERENCES ${S}.warehouses (id),
    physical int NOT NULL CHECK (physical >= 0),
    available int NOT NULL CHECK (available >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_id, warehouse_id),
    CHECK (available <= physical)
  )`,
  `CREATE INDEX warehouse_stock_by_warehouse ON ${S}.warehouse_stock (warehouse_id)`,

  `CREATE TABLE ${S}.reservations (
    checkout_id uuid PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('ACTIVE', 'RELEASED', 'EXPIRED', 'COMMITTED')),
    expires_at timestamptz NOT NULL,
    order_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'COMMITTED') = (order_id IS NOT NULL))
  )`,
  // The sweeper and the reclaim-on-shortage path look only at holds still active.
  `CREATE INDEX reservations_active_by_expiry ON ${S}.reservations (expires_at) WHERE status = 'ACTIVE'`,
  `CREATE TABLE ${S}.reservation_lines (
    checkout_id uuid NOT NULL REFERENCES ${S}.reservations (checkout_id),
    item_id uuid NOT NULL,
    quantity int NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (checkout_id, item_id)
  )`,

  // Orders inventory knows of: created by Commit, one per reservation.
  `CREATE TABLE ${S}.orders (
    order_id uuid PRIMARY KEY,
    checkout_id uuid NOT NULL UNIQUE REFERENCES ${S}.reservations (checkout_id),
    status text NOT NULL CHECK (status IN ('COMMITTED', 'ALLOCATED', 'DEALLOCATED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  // unassigned = committed units not yet allocated to a warehouse (the "committed-unassigned" of the audit).
  `CREATE TABLE ${S}.order_stock (
    order_id uuid NOT NULL REFERENCES ${S}.orders (order_id),
    item_id uuid NOT NULL,
    quantity int NOT NULL CHECK (quantity > 0),
    unassigned int NOT NULL CHECK (unassigned >= 0 AND unassigned <= quantity),
    PRIMARY KEY (order_id, item_id)
  )`,
  // One row per (warehouse order, item): a warehouse order cannot be allocated or shipped twice.
  `CREATE TABLE ${S}.order_allocations (
    warehouse_order_id uuid NOT NULL,
    item_id uuid NOT NULL,
    order_id uuid NOT NULL REFERENCES ${S}.orders (order_id),
    warehouse_id uuid NOT NULL REFERENCES ${S}.warehouses (id),
    quantity int NOT NULL CHECK (quantity > 0),
    state text NOT NULL CHECK (state IN ('ALLOCATED', 'SHIPPED', 'DEALLOCATED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_order_id, item_id)
  )`,
  `CREATE INDEX order_allocations_by_order ON ${S}.order_allocations (order_id)`,

  // Every counter change, in the transaction that made it; sums per counter reproduce the counters.
  `CREATE TABLE ${S}.stock_ledger (
    id bigserial PRIMARY KEY,
    item_id uuid NOT NULL,
    warehouse_id uuid,
    counter text NOT NULL CHECK (counter IN ('physical', 'available', 'aggregated')),
    delta int NOT NULL CHECK (delta <> 0),
    reason text NOT NULL CHECK (reason IN
      ('receive', 'write_off', 'reserve', 'release', 'expire', 'allocate', 'deallocate', 'ship')),
    reference text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((counter = 'aggregated') = (warehouse_id IS NULL))
  )`,
  `CREATE INDEX stock_ledger_by_item ON ${S}.stock_ledger (item_id, id)`,

  ...eventTablesSql("inventory").up,
], [
  ...eventTablesSql("inventory").down,
  ...["stock_ledger", "order_allocations", "order_stock", "orders", "reservation_lines", "reservations", "warehouse_stock", "item_stock", "warehouses"].map((t) => `DROP TABLE ${S}.${t}`),
]);
