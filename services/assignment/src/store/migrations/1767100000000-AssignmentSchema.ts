// The assignment schema: warehouse orders and their status history, each order's assignment state (with the
// split last sent to Inventory, so a crash after allocating re-uses it), the planner's round-robin counter,
// events that could never be applied (kept, not dropped), and the outbox / processed-event tables.
import { sqlMigration } from "../../../../lib/db.js";
import { eventTablesSql } from "../../../../lib/outbox.js";

const S = `"assignment"`;
const STATUS = `('ASSIGNED', 'PICKED', 'PACKED', 'SHIPPED', 'DELIVERED', 'CANCELLED')`;

export const AssignmentSchema1767100000000 = sqlMigration("AssignmentSchema1767100000000", [
  `CREATE TABLE ${S}.warehouse_orders (
    id uuid PRIMARY KEY,
    -- Insertion order: "oldest first" paging without timestamp precision games.
    seq bigserial NOT NULL UNIQUE,
    order_id uuid NOT NULL,
    warehouse_id uuid NOT NULL,
    warehouse_code text NOT NULL,
    lines jsonb NOT NULL,
    shipping_address jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ${STATUS}),
    carrier text,
    tracking_number text,
    -- Set (with carrier and tracking number) once a warehouse reported SHIPPED, before Inventory records it:
    -- from then on the order counts as shipped for cancellation, and an interrupted recording is completed.
    ship_requested_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, warehouse_id),
    CHECK (status NOT IN ('SHIPPED', 'DELIVERED') OR (carrier IS NOT NULL AND tracking_number IS NOT NULL AND ship_requested_at IS NOT NULL))
  )`,
  `CREATE INDEX warehouse_orders_by_warehouse ON ${S}.warehouse_orders (warehouse_id, seq)`,
  `CREATE INDEX warehouse_orders_by_warehouse_status ON ${S}.warehouse_orders (warehouse_id, status, seq)`,
  `CREATE INDEX warehouse_orders_shipping ON ${S}.warehouse_orders (ship_requested_at) WHERE status = 'PACKED' AND ship_requested_at IS NOT NULL`,

  `CREATE TABLE ${S}.warehouse_order_history (
    id bigserial PRIMARY KEY,
    warehouse_order_id uuid NOT NULL REFERENCES ${S}.warehouse_orders (id),
    status text NOT NULL CHECK (status IN ${STATUS}),
    -- Who reported it: "warehouse:<user>", "admin:<user>", "service:<name>".
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX warehouse_order_history_by_order ON ${S}.warehouse_order_history (warehouse_order_id, id)`,

  `CREATE TABLE ${S}.order_assignments (
    order_id uuid PRIMARY KEY,
    -- PLANNED: a split was sent (or is about to be sent) to Inventory; ASSIGNED: warehouse orders written;
    -- CANCELLED: the order was cancelled (before or after assignment); a late OrderPlaced changes nothing.
    status text NOT NULL CHECK (status IN ('PLANNED', 'ASSIGNED', 'CANCELLED')),
    -- The split last sent to Inventory.AllocateOrder: [{warehouseOrderId, warehouseId, warehouseCode, lines}].
    plan jsonb,
    attempts int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE SEQUENCE ${S}.planner_rotation`,

  `CREATE TABLE ${S}.rejected_events (
    consumer text NOT NULL,
    event_id text NOT NULL,
    subject text NOT NULL,
    payload bytea NOT NULL,
    reason text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
  )`,

  ...eventTablesSql("assignment").up,
], [
  ...eventTablesSql("assignment").down,
  `DROP TABLE ${S}.rejected_events`,
  `DROP SEQUENCE ${S}.planner_rotation`,
  ...["order_assignments", "warehouse_order_history", "warehouse_orders"].map((t) => `DROP TABLE ${S}.${t}`),
]);
