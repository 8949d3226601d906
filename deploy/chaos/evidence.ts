// Where a lost order stopped, read from the stack before it is torn down: Order's outbox row for its
// orders.placed, whether ORDERS holds that event, Assignment's processed_events, assignment and warehouse orders
// and its outbox rows, whether WAREHOUSE holds their announcements, and the JetStream state of both streams and
// their durables. bench:chaos counts the stages (lost_detail) and writes the rows to evidence.json.
import { fromBinary } from "@bufbuild/protobuf";
import type { JetStreamClient, JetStreamManager } from "nats";
import pg from "pg";
import { WarehouseOrderAssignedSchema } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { OrderPlacedSchema } from "../../gen/shop/order/v1/order_pb.js";

/** The first stage a lost order did not get past, in the order an order travels. */
export const LOST_STAGES = [
  "stuck_in_order_outbox", // orders.placed written, never published
  "not_in_orders_stream", // marked published, yet ORDERS does not hold it
  "not_assigned", // in ORDERS, Assignment never applied it
  "stuck_in_assignment_outbox", // assigned, an announcement never published
  "not_in_warehouse_stream", // announcement marked published, yet WAREHOUSE does not hold it
  "missed_by_listener", // WAREHOUSE holds it, the run's listener never saw it
  "announced", // announced after all (only GetOrder failed)
] as const;
export type LostStage = (typeof LOST_STAGES)[number];

export interface LostOrderEvidence {
  orderId: string;
  stage: LostStage;
  order?: unknown;
  orderOutbox: unknown[];
  inOrdersStream: Record<string, number | undefined>;
  processedEvents: unknown[];
  assignment?: unknown;
  warehouseOrders: unknown[];
  assignmentOutbox: unknown[];
  inWarehouseStream: Record<string, number | undefined>;
}

export interface Evidence {
  counts: Record<LostStage, number>;
  orders: LostOrderEvidence[];
  jetstream: Record<string, unknown>;
}

const ASSIGNMENT_DURABLE = "assignment-orders-placed";

/** Every message of a stream's subject, read by an ordered consumer from the first: Nats-Msg-Id -> stream seq. */
async function streamIds(js: JetStreamClient, stream: string, subject: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const consumer = await js.consumers.get(stream, { filterSubjects: subject });
  if ((await consumer.info(true)).num_pending === 0) return ids;
  const messages = await consumer.consume();
  const timer = setTimeout(() => messages.stop(), 60_000);
  for await (const m of messages) {
    ids.set(m.headers?.get("Nats-Msg-Id") ?? `seq:${m.seq}`, m.seq);
    if (m.info.pending === 0) break;
  }
  clearTimeout(timer);
  messages.stop();
  return ids;
}

async function jetstreamState(jsm: JetStreamManager): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const stream of ["ORDERS", "WAREHOUSE"]) {
    try {
      const info = await jsm.streams.info(stream);
      const consumers: unknown[] = [];
      for await (const c of jsm.consumers.list(stream)) {
        consumers.push({
          name: c.name, durable: c.config.durable_name, filter: c.config.filter_subject, num_pending: c.num_pending,
          num_ack_pending: c.num_ack_pending, num_redelivered: c.num_redelivered, num_waiting: c.num_waiting,
          delivered: c.delivered, ack_floor: c.ack_floor, leader: c.cluster?.leader, replicas: c.cluster?.replicas,
        });
      }
      out[stream] = { state: info.state, leader: info.cluster?.leader, replicas: info.cluster?.replicas, consumers };
    } catch (err) {
      out[stream] = { error: (err as Error).message };
    }
  }
  return out;
}

export async function lostOrderEvidence(
  databaseUrl: string, nats: { js: JetStreamClient; jsm: JetStreamManager }, lost: string[], announced: Set<string>,
): Promise<Evidence> {
  const counts = Object.fromEntries(LOST_STAGES.map((s) => [s, 0])) as Record<LostStage, number>;
  const jetstream = await jetstreamState(nats.jsm);
  if (lost.length === 0) return { counts, orders: [], jetstream };
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const q = async (sql: string, args: unknown[] = []) => (await db.query(sql, args)).rows;
    // Outbox payloads are protobuf: decode every row of the two subjects once, keyed by order id.
    const placedRows = new Map<string, Record<string, unknown>[]>();
    for (const r of await q(`SELECT event_id, seq, created_at, published_at, attempts, last_error, payload FROM "order".outbox WHERE subject = 'orders.placed'`)) {
      const orderId = fromBinary(OrderPlacedSchema, r.payload).orderId;
      delete r.payload;
      placedRows.set(orderId, [...(placedRows.get(orderId) ?? []), r]);
    }
    const assignedRows = new Map<string, Record<string, unknown>[]>();
    for (const r of await q(`SELECT event_id, seq, subject, created_at, published_at, attempts, last_error, payload FROM assignment.outbox WHERE subject LIKE 'warehouse.%.orders.assigned'`)) {
      const orderId = fromBinary(WarehouseOrderAssignedSchema, r.payload).warehouseOrder?.orderId ?? "";
      delete r.payload;
      assignedRows.set(orderId, [...(assignedRows.get(orderId) ?? []), r]);
    }
    const inOrders = await streamIds(nats.js, "ORDERS", "orders.placed");
    const inWarehouse = await streamIds(nats.js, "WAREHOUSE", "warehouse.*.orders.assigned");
    const orders: LostOrderEvidence[] = [];
    for (const orderId of lost) {
      const orderOutbox = placedRows.get(orderId) ?? [];
      const eventIds = orderOutbox.map((r) => String(r.event_id));
      const processedEvents = await q(`SELECT consumer, event_id, processed_at FROM assignment.processed_events WHERE consumer = $1 AND event_id = ANY($2)`, [ASSIGNMENT_DURABLE, eventIds]);
      const assignmentOutbox = assignedRows.get(orderId) ?? [];
      const e: LostOrderEvidence = {
        orderId, stage: "announced",
        order: (await q(`SELECT id, status, created_at FROM "order".orders WHERE id = $1`, [orderId]))[0],
        orderOutbox,
        inOrdersStream: Object.fromEntries(eventIds.map((id) => [id, inOrders.get(id)])),
        processedEvents,
        assignment: (await q(`SELECT status, attempts, created_at, updated_at FROM assignment.order_assignments WHERE order_id = $1`, [orderId]))[0],
        warehouseOrders: await q(`SELECT id, warehouse_code, status, created_at FROM assignment.warehouse_orders WHERE order_id = $1`, [orderId]),
        assignmentOutbox,
        inWarehouseStream: Object.fromEntries(assignmentOutbox.map((r) => [String(r.event_id), inWarehouse.get(String(r.event_id))])),
      };
      e.stage = announced.has(orderId) ? "announced"
        : orderOutbox.length === 0 || orderOutbox.every((r) => !r.published_at) ? "stuck_in_order_outbox"
        : eventIds.every((id) => !inOrders.has(id)) ? "not_in_orders_stream"
        : processedEvents.length === 0 || assignmentOutbox.length === 0 ? "not_assigned"
        : assignmentOutbox.some((r) => !r.published_at) ? "stuck_in_assignment_outbox"
        : assignmentOutbox.some((r) => !inWarehouse.has(String(r.event_id))) ? "not_in_warehouse_stream"
        : "missed_by_listener";
      counts[e.stage]++;
      orders.push(e);
    }
    return { counts, orders, jetstream };
  } finally {
    await db.end();
  }
}
