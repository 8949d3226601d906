// SQL for orders and their lines (what SubmitOrder wrote; shipments come with the warehouse flow).
import type { StoredAddress } from "../domain/address.js";
import type { PricedLine } from "../domain/pricing.js";
import { one, rows, type Queryable } from "./sql.js";

export type DbOrderStatus = "PLACED" | "PROCESSING" | "PACKED" | "SHIPPED" | "DELIVERED" | "CANCELLED";

export interface OrderRow {
  id: string;
  seq: bigint;
  userId: string;
  checkoutId: string;
  status: DbOrderStatus;
  currency: string;
  totalMinor: bigint;
  shippingAddress: StoredAddress;
  paymentProvider: string;
  chargeId: string;
  paymentStatus: "CAPTURED" | "VOIDED";
  cardLast4: string;
  createdAt: Date;
  updatedAt: Date;
  lines: PricedLine[];
}

interface RawOrder {
  id: string;
  seq: string;
  user_id: string;
  checkout_id: string;
  status: DbOrderStatus;
  currency: string;
  total_minor: string;
  shipping_address: StoredAddress;
  payment_provider: string;
  charge_id: string;
  payment_status: "CAPTURED" | "VOIDED";
  card_last4: string;
  created_at: Date;
  updated_at: Date;
  lines: { item_id: string; name: string; quantity: number; unit_price_minor: string }[];
}

const O = `"order".orders`;
const L = `"order".order_lines`;

function toOrder(r: RawOrder): OrderRow {
  return {
    id: r.id,
    seq: BigInt(r.seq),
    userId: r.user_id,
    checkoutId: r.checkout_id,
    status: r.status,
    currency: r.currency,
    totalMinor: BigInt(r.total_minor),
    shippingAddress: r.shipping_address,
    paymentProvider: r.payment_provider,
    chargeId: r.charge_id,
    paymentStatus: r.payment_status,
    cardLast4: r.card_last4,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lines: r.lines.map((l) => ({ itemId: l.item_id, name: l.name, quantity: l.quantity, unitPriceMinor: BigInt(l.unit_price_minor) })),
  };
}

// Lines come along as JSON (unit prices as text: bigint-safe), in line order.
const SELECT_ORDER = `SELECT o.*, COALESCE((
    SELECT json_agg(json_build_object('item_id', l.item_id, 'name', l.name, 'quantity', l.quantity,
                                      'unit_price_minor', l.unit_price_minor::text) ORDER BY l.line_no)
    FROM ${L} l WHERE l.order_id = o.id), '[]'::json) AS lines
  FROM ${O} o`;

export interface NewOrder {
  id: string;
  userId: string;
  checkoutId: string;
  currency: string;
  totalMinor: bigint;
  shippingAddress: StoredAddress;
  paymentProvider: string;
  chargeId: string;
  cardLast4: string;
  lines: PricedLine[];
}

/** Writes a PLACED order with its lines; false if the order exists already (a repeat of the same submission). */
export async function insertPlaced(q: Queryable, o: NewOrder): Promise<boolean> {
  const inserted = await rows(
    q,
    `INSERT INTO ${O} (id, user_id, checkout_id, status, currency, total_minor, shipping_address, payment_provider, charge_id,
       payment_status, card_last4)
     VALUES ($1, $2, $3, 'PLACED', $4, $5, $6, $7, $8, 'CAPTURED', $9)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [o.id, o.userId, o.checkoutId, o.currency, o.totalMinor.toString(), JSON.stringify(o.shippingAddress), o.paymentProvider,
      o.chargeId, o.cardLast4],
  );
  if (!inserted.length) return false;
  await q.query(
    `INSERT INTO ${L} (order_id, line_no, item_id, name, quantity, unit_price_minor, currency)
     SELECT $1, ord, item_id, name, quantity, unit_price_minor, $2
     FROM unnest($3::uuid[], $4::text[], $5::int[], $6::bigint[]) WITH ORDINALITY AS l(item_id, name, quantity, unit_price_minor, ord)`,
    [o.id, o.currency, o.lines.map((l) => l.itemId), o.lines.map((l) => l.name), o.lines.map((l) => l.quantity),
      o.lines.map((l) => l.unitPriceMinor.toString())],
  );
  return true;
}

export async function findForUser(q: Queryable, id: string, userId: string): Promise<OrderRow | undefined> {
  const r = await one<RawOrder>(q, `${SELECT_ORDER} WHERE o.id = $1 AND o.user_id = $2`, [id, userId]);
  return r && toOrder(r);
}

/** Newest first; `beforeSeq` is the keyset cursor (exclusive). */
export async function listForUser(q: Queryable, userId: string, limit: number, beforeSeq?: bigint): Promise<OrderRow[]> {
  const found = await rows<RawOrder>(
    q,
    `${SELECT_ORDER} WHERE o.user_id = $1 AND ($2::bigint IS NULL OR o.seq < $2::bigint) ORDER BY o.seq DESC LIMIT $3`,
    [userId, beforeSeq === undefined ? null : beforeSeq.toString(), limit],
  );
  return found.map(toOrder);
}
