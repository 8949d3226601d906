// Setting a cart line as one statement: the cart row's lock (which queues one user's writers, keeping the line cap
// exact) and the line's write, each with a snapshot of its own as in a transaction of two statements, without
// the round trips of START and COMMIT. Returns whether the line was saved (false: the cart already holds
// p_max_lines other items). The contract: CartStore.setLine.
import { sqlMigration } from "../../../../lib/db.js";

export const CartSetLine1767600000000 = sqlMigration("CartSetLine1767600000000", [
  `CREATE FUNCTION cart.set_line(p_user uuid, p_item uuid, p_quantity int, p_price bigint, p_currency text, p_max_lines int)
   RETURNS boolean LANGUAGE plpgsql VOLATILE AS $fn$
   BEGIN
     INSERT INTO cart.carts (user_id, update_time) VALUES (p_user, clock_timestamp())
     ON CONFLICT (user_id) DO UPDATE SET update_time = clock_timestamp();
     INSERT INTO cart.cart_lines AS l (user_id, item_id, quantity, price_when_added_minor, currency, added_at, updated_at)
     SELECT p_user, p_item, p_quantity, p_price, p_currency, now(), now()
      WHERE EXISTS (SELECT 1 FROM cart.cart_lines WHERE user_id = p_user AND item_id = p_item)
         OR (SELECT count(*) FROM cart.cart_lines WHERE user_id = p_user) < p_max_lines
     ON CONFLICT (user_id, item_id) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now();
     RETURN FOUND;
   END
   $fn$`,
], [
  `DROP FUNCTION cart.set_line(uuid, uuid, int, bigint, text, int)`,
]);
