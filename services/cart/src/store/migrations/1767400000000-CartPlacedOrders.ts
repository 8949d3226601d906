// Orders whose bought lines the cart has removed (orders.placed): one row per order id, so an order empties
// its lines from the cart once, whatever the stream redelivers.
import { sqlMigration } from "../../../../lib/db.js";

export const CartPlacedOrders1767400000000 = sqlMigration("CartPlacedOrders1767400000000", [
  `CREATE TABLE cart.placed_orders (
    order_id uuid PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
], [
  `DROP TABLE cart.placed_orders`,
]);
