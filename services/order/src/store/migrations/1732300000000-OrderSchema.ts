// The order schema: checkouts, submissions (the SubmitOrder idempotency record), the test payment provider's own
// charges, orders with their lines, and the outbox / processed-event tables.
import { sqlMigration } from "../../../../lib/db.js";
import { eventTablesSql } from "../../../../lib/outbox.js";

const S = `"order"`;

export const OrderSchema1732300000000 = sqlMigration("OrderSchema1732300000000", [
  // RESERVING: row written before Inventory.Reserve, so a crash mid-call leaves something recovery can release.
  // release_pending: the reservation still has to be returned to Inventory (set in the same transaction that
  // cancels or supersedes the checkout, cleared once Inventory confirmed).
  `CREATE TABLE ${S}.checkouts (
    id uuid PRIMARY KEY,
    seq bigserial NOT NULL UNIQUE,
    user_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('RESERVING', 'ACTIVE', 'CANCELLED', 'EXPIRED', 'COMPLETED')),
    lines jsonb NOT NULL,
    currency text NOT NULL,
    total_minor bigint NOT NULL CHECK (total_minor >= 0),
    expires_at timestamptz,
    submission_id uuid,
    order_id uuid,
    release_pending boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'ACTIVE' OR expires_at IS NOT NULL),
    CHECK (status <> 'COMPLETED' OR order_id IS NOT NULL)
  )`,
  // Stock is never held twice for one shopper: at most one active checkout each.
  `CREATE UNIQUE INDEX checkouts_one_active_per_user ON ${S}.checkouts (user_id) WHERE status = 'ACTIVE'`,
  `CREATE INDEX checkouts_by_user ON ${S}.checkouts (user_id, seq DESC)`,
  `CREATE INDEX checkouts_release_pending ON ${S}.checkouts (updated_at) WHERE release_pending`,
  `CREATE INDEX checkouts_reserving ON ${S}.checkouts (created_at) WHERE status = 'RESERVING'`,

  `CREATE TABLE ${S}.submissions (
    id uuid PRIMARY KEY,
    user_id text NOT NULL,
    idempotency_key text NOT NULL,
    checkout_id uuid NOT NULL REFERENCES ${S}.checkouts (id),
    order_id uuid NOT NULL UNIQUE,
    state text NOT NULL CHECK (state IN ('PENDING', 'PAID', 'PLACED', 'DECLINED', 'FAILED')),
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    currency text NOT NULL,
    card_last4 text NOT NULL,
    shipping_address jsonb NOT NULL,
    charge_id text,
    error text,
    lease_owner uuid,
    lease_until timestamptz,
    cart_cleared boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key),
    CHECK (state NOT IN ('PAID', 'PLACED') OR charge_id IS NOT NULL)
  )`,
  `CREATE INDEX submissions_in_flight ON ${S}.submissions (lease_until) WHERE state IN ('PENDING', 'PAID')`,
  `CREATE INDEX submissions_cart_to_clear ON ${S}.submissions (updated_at) WHERE state = 'PLACED' AND NOT cart_cleared`,

  // The test provider's ledger; a real gateway keeps this on its side.
  `CREATE TABLE ${S}.payment_charges (
    id text PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    status text NOT NULL CHECK (status IN ('CAPTURED', 'DECLINED', 'VOIDED')),
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    currency text NOT NULL,
    card_last4 text NOT NULL,
    decline_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    voided_at timestamptz
  )`,

  `CREATE TABLE ${S}.orders (
    id uuid PRIMARY KEY,
    seq bigserial NOT NULL UNIQUE,
    user_id text NOT NULL,
    checkout_id uuid NOT NULL UNIQUE REFERENCES ${S}.checkouts (id),
    status text NOT NULL CHECK (status IN ('PLACED', 'PROCESSING', 'PACKED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    currency text NOT NULL,
    total_minor bigint NOT NULL CHECK (total_minor >= 0),
    shipping_address jsonb NOT NULL,
    payment_provider text NOT NULL,
    charge_id text NOT NULL,
    payment_status text NOT NULL CHECK (payment_status IN ('CAPTURED', 'VOIDED')),
    card_last4 text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX orders_by_user ON ${S}.orders (user_id, seq DESC)`,
  `CREATE TABLE ${S}.order_lines (
    order_id uuid NOT NULL REFERENCES ${S}.orders (id),
    line_no int NOT NULL,
    item_id uuid NOT NULL,
    name text NOT NULL,
    quantity int NOT NULL CHECK (quantity > 0),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    currency text NOT NULL,
    PRIMARY KEY (order_id, line_no)
  )`,

  ...eventTablesSql("order").up,
], [
  ...eventTablesSql("order").down,
  ...["order_lines", "orders", "payment_charges", "submissions", "checkouts"].map((t) => `DROP TABLE ${S}.${t}`),
]);
