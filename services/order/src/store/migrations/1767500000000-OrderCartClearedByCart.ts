// Cart empties a bought cart itself when it consumes orders.placed, so Order no longer keeps which submissions'
// carts are still to clear: the partial index of those rows (every placed order would stay in it) goes. The
// cart_cleared column stays until no replica of the earlier code can be running (a rolling update still has
// some writing it); nothing reads it.
import { sqlMigration } from "../../../../lib/db.js";

export const OrderCartClearedByCart1767500000000 = sqlMigration("OrderCartClearedByCart1767500000000", [
  `DROP INDEX IF EXISTS "order".submissions_cart_to_clear`,
], [
  `CREATE INDEX submissions_cart_to_clear ON "order".submissions (updated_at) WHERE state = 'PLACED' AND NOT cart_cleared`,
]);
