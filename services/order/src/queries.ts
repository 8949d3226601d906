// Orders as the shopper sees them: the order row with its shipments, read together.
import type { Order } from "../../../gen/shop/order/v1/order_pb.js";
import * as orders from "./store/orders.js";
import { shipmentsOf } from "./store/shipments.js";
import type { Db } from "../../lib/sql.js";
import { orderView } from "./views.js";

/** One of the user's orders with its shipments; undefined for another user's or an unknown order. */
export async function orderForUser(q: Db, id: string, userId: string): Promise<Order | undefined> {
  const row = await orders.findForUser(q, id, userId);
  if (!row) return undefined;
  return orderView(row, (await shipmentsOf(q, [row.id])).get(row.id));
}

/** Orders (already read) with their shipments, in one query. */
export async function withShipments(q: Db, rows: orders.OrderRow[]): Promise<Order[]> {
  const shipments = await shipmentsOf(q, rows.map((r) => r.id));
  return rows.map((r) => orderView(r, shipments.get(r.id)));
}
