// After checkout: the shipments view (one row per warehouse order, kept from Assignment's events), whether an
// order's split is known, and the CancelOrder record.
import { sqlMigration } from "../../../../lib/db.js";

const S = `"order"`;
const SHIPMENT_STATUS = `('ASSIGNED', 'PICKED', 'PACKED', 'SHIPPED', 'DELIVERED', 'CANCELLED')`;

export const OrderTracking1732400000000 = sqlMigration("OrderTracking1732400000000", [
  // Set by orders.assigned: from then on the order's status is derived from all of its shipments.
  `ALTER TABLE ${S}.orders ADD COLUMN assigned boolean NOT NULL DEFAULT false`,

  // rank (domain/shipments.ts SHIPMENT_RANK) only grows: late or repeated events never move a shipment back.
  `CREATE TABLE ${S}.shipments (
    warehouse_order_id uuid PRIMARY KEY,
    order_id uuid NOT NULL REFERENCES ${S}.orders (id),
    warehouse_id uuid NOT NULL,
    warehouse_code text NOT NULL,
    status text NOT NULL CHECK (status IN ${SHIPMENT_STATUS}),
    rank smallint NOT NULL CHECK (rank BETWEEN 1 AND 6),
    lines jsonb NOT NULL,
    carrier text NOT NULL DEFAULT '',
    tracking_number text NOT NULL DEFAULT '',
    -- The warehouse order's own update time (Assignment's clock), shown to the shopper.
    updated_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX shipments_by_order ON ${S}.shipments (order_id)`,

  `CREATE TABLE ${S}.cancellations (
    order_id uuid PRIMARY KEY REFERENCES ${S}.orders (id),
    user_id text NOT NULL,
    state text NOT NULL CHECK (state IN ('REQUESTED', 'ASSIGNMENT_CANCELLED', 'STOCK_RETURNED', 'DONE')),
    reason text NOT NULL DEFAULT '',
    returned_units int,
    error text,
    lease_owner uuid,
    lease_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX cancellations_in_flight ON ${S}.cancellations (lease_until) WHERE state <> 'DONE'`,
], [
  `DROP TABLE ${S}.cancellations`,
  `DROP TABLE ${S}.shipments`,
  `ALTER TABLE ${S}.orders DROP COLUMN assigned`,
]);
