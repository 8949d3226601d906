// SQL for orders and their lines: written by SubmitOrder, advanced by the shipment events, cancelled by CancelOrder.
import type { OrderPlacedSchema } from "../../../../gen/shop/order/v1/order_pb.js";
import type { StoredAddress } from "../../../lib/address.js";
import { EVENTS, type EventMessage } from "../../../lib/events.js";
import { outboxCte } from "../../../lib/outbox.js";
import type { PricedLine } from "../domain/pricing.js";
import { one, rows, type Db } from "../../../lib/sql.js";
import { IllegalTransition } from "../../../lib/state-machine.js";
import { CHECKOUT_STATES } from "../domain/checkout.js";
import { ORDER_STATES, type DbOrderStatus } from "../domain/shipments.js";
import { SUBMISSION_STATES } from "../domain/submission.js";

export type { DbOrderStatus };

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
  /** The order's split into warehouse orders is known (orders.assigned). */
  assigned: boolean;
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
  assigned: boolean;
  created_at: Date;
  updated_at: Date;
  lines: { item_id: string; name: string; quantity: number; unit_price_minor: string }[];
}

const O = `"order".orders`;
const L = `"order".order_lines`;

function toOrder(r: RawOrder, lines?: PricedLine[]): OrderRow {
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
    assigned: r.assigned,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lines: lines ?? r.lines.map((l) => ({ itemId: l.item_id, name: l.name, quantity: l.quantity, unitPriceMinor: BigInt(l.unit_price_minor) })),
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
  /** The submission placing it: marked PLACED in the same statement. */
  submissionId: string;
  currency: string;
  totalMinor: bigint;
  shippingAddress: StoredAddress;
  paymentProvider: string;
  chargeId: string;
  cardLast4: string;
  lines: PricedLine[];
}

/**
 * Step 4 of SubmitOrder in one statement (the caller holds the submission's and the checkout's locks): the PLACED
 * order with its lines, its checkout COMPLETED, its submission PLACED, and its OrderPlaced event in the outbox.
 * Returns the order; undefined (and nothing changed) if it exists already.
 */
export async function insertPlaced(q: Db, o: NewOrder, placed: EventMessage<typeof OrderPlacedSchema>): Promise<OrderRow | undefined> {
  // The edges this statement takes (its WHERE clauses say the same): the caller has checked both rows' states.
  CHECKOUT_STATES.check("ACTIVE", "COMPLETED");
  SUBMISSION_STATES.check("PAID", "PLACED");
  const event = outboxCte(EVENTS.ordersPlaced, placed, "e", "o", 15);
  const inserted = await rows<Omit<RawOrder, "lines">>(
    q,
    `WITH o AS (
       INSERT INTO ${O} (id, user_id, checkout_id, status, currency, total_minor, shipping_address, payment_provider, charge_id,
         payment_status, card_last4)
       VALUES ($1, $2, $3, 'PLACED', $4, $5, $6, $7, $8, 'CAPTURED', $9)
       ON CONFLICT (id) DO NOTHING RETURNING *
     ), l AS (
       INSERT INTO ${L} (order_id, line_no, item_id, name, quantity, unit_price_minor, currency)
       SELECT o.id, ord, item_id, name, quantity, unit_price_minor, o.currency
       FROM o, unnest($10::uuid[], $11::text[], $12::int[], $13::bigint[]) WITH ORDINALITY AS l(item_id, name, quantity, unit_price_minor, ord)
     ), c AS (
       UPDATE "order".checkouts SET status = 'COMPLETED', order_id = o.id, release_pending = false, updated_at = now()
       FROM o WHERE checkouts.id = o.checkout_id AND checkouts.status = 'ACTIVE'
     ), s AS (
       UPDATE "order".submissions SET state = 'PLACED', error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = now()
       FROM o WHERE submissions.id = $14 AND submissions.state = 'PAID'
     ), ${event.cte}
     SELECT o.*, ${event.notify} AS notified FROM o`,
    [o.id, o.userId, o.checkoutId, o.currency, o.totalMinor.toString(), JSON.stringify(o.shippingAddress), o.paymentProvider,
      o.chargeId, o.cardLast4, o.lines.map((l) => l.itemId), o.lines.map((l) => l.name), o.lines.map((l) => l.quantity),
      o.lines.map((l) => l.unitPriceMinor.toString()), o.submissionId, ...event.params],
  );
  if (!inserted.length) return undefined;
  return toOrder({ ...inserted[0], lines: [] }, o.lines);
}

export async function findForUser(q: Db, id: string, userId: string): Promise<OrderRow | undefined> {
  const r = await one<RawOrder>(q, `${SELECT_ORDER} WHERE o.id = $1 AND o.user_id = $2`, [id, userId]);
  return r && toOrder(r);
}

/** Newest first; `beforeSeq` is the keyset cursor (exclusive). */
export async function listForUser(q: Db, userId: string, limit: number, beforeSeq?: bigint): Promise<OrderRow[]> {
  const found = await rows<RawOrder>(
    q,
    `${SELECT_ORDER} WHERE o.user_id = $1 AND ($2::bigint IS NULL OR o.seq < $2::bigint) ORDER BY o.seq DESC LIMIT $3`,
    [userId, beforeSeq === undefined ? null : beforeSeq.toString(), limit],
  );
  return found.map((r) => toOrder(r));
}

/** Locks an order for a change (shipment event, cancellation): only what deciding the change needs. */
export async function lockProgress(q: Db, id: string): Promise<{ userId: string; status: DbOrderStatus; assigned: boolean } | undefined> {
  return one(q, `SELECT user_id AS "userId", status, assigned FROM ${O} WHERE id = $1 FOR UPDATE`, [id]);
}

/**
 * The order's status and split-known flag after an event; updated_at moves with every visible change. With
 * `notify`, the NOTIFY telling its watchers (see watch.ts) goes in the same round trip.
 */
export async function setProgress(
  q: Db, id: string, from: DbOrderStatus, status: DbOrderStatus, assigned: boolean, notify?: string,
): Promise<void> {
  const moved = await rows(q,
    `WITH u AS (UPDATE ${O} SET status = $2, assigned = $3, updated_at = now() WHERE id = $1 AND status = ANY($5::text[]) RETURNING id)
     SELECT u.id, CASE WHEN $4::text IS NOT NULL THEN pg_notify($4, u.id::text) END FROM u`,
    [id, status, assigned, notify ?? null, ORDER_STATES.check(from, status)],
  );
  if (!moved.length) throw new IllegalTransition(`order ${id} is no longer ${from}: not moved to ${status}`);
}

/** The last step of CancelOrder: the order is cancelled and its payment voided. */
export async function markCancelled(q: Db, id: string): Promise<void> {
  const moved = await rows(q,
    `UPDATE ${O} SET status = 'CANCELLED', payment_status = 'VOIDED', updated_at = now() WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
    [id, ORDER_STATES.sourcesOf("CANCELLED")]);
  if (!moved.length) throw new IllegalTransition(`order ${id}: only ${ORDER_STATES.sourcesOf("CANCELLED").join(", ")} may become CANCELLED`);
}
