// Orders whose bought lines the cart has removed (orders.placed): one row per order id, so an order empties
// its lines from the cart once, whatever the stream redelivers.
import type { MigrationInterface, QueryRunner } from "typeorm";

export class CartPlacedOrders1767400000000 implements MigrationInterface {
  name = "CartPlacedOrders1767400000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cart.placed_orders (
      order_id uuid PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cart.placed_orders`);
  }
}
