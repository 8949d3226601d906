// The cart's tables: one cart row per user (its lock serializes that user's line writes, see CartStore)
// and one row per item in it. The CHECKs hold the per-line rules even if a code path forgets them.
import { sqlMigration } from "../../../../lib/db.js";

export const CartSchema1767225600000 = sqlMigration("CartSchema1767225600000", [
  `CREATE TABLE cart.carts (
    user_id uuid PRIMARY KEY,
    update_time timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE cart.cart_lines (
    user_id uuid NOT NULL REFERENCES cart.carts (user_id) ON DELETE CASCADE,
    item_id uuid NOT NULL,
    quantity int NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    price_when_added_minor bigint NOT NULL CHECK (price_when_added_minor >= 0),
    currency char(3) NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, item_id)
  )`,
], [
  `DROP TABLE cart.cart_lines`,
  `DROP TABLE cart.carts`,
]);
