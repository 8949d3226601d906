// The mesh's event catalog: every event is declared here once, with its stream, subject, protobuf message and
// the service that produces it. Producers (enqueueEvent) and consumers (ConsumerDecl) take a declaration, so a
// subject can only be written with its own message type; the JetStream streams are derived from it, and a test
// checks README's events table against it. Adding an event = one entry in EVENTS.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  OrderAssignedSchema, WarehouseOrderAssignedSchema, WarehouseOrderCancelledSchema, WarehouseOrderStatusChangedSchema,
} from "../../gen/shop/assignment/v1/assignment_pb.js";
import { ItemChangedSchema } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { LowStockSchema, StockChangedSchema } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderCancelledSchema, OrderPlacedSchema } from "../../gen/shop/order/v1/order_pb.js";

/** JetStream streams, one per subject family. */
export const STREAM_SUBJECTS = {
  CATALOG: "catalog.>",
  INVENTORY: "inventory.>",
  ORDERS: "orders.>",
  WAREHOUSE: "warehouse.>",
} as const;
export type StreamName = keyof typeof STREAM_SUBJECTS;

/** Services that write events (their schema holds the outbox). */
export type Producer = "catalog" | "inventory" | "order" | "assignment";

/** One event on one subject: what enqueueEvent writes and a consumer filters on. */
export interface EventType<D extends DescMessage = DescMessage> {
  readonly stream: StreamName;
  readonly subject: string;
  readonly message: D;
  readonly producer: Producer;
}

/**
 * Events on a subject per warehouse (`warehouse.<code>.orders.assigned`): `at(code)` is the event of one
 * warehouse; `subject` is the wildcard filter a consumer of every warehouse uses; `pattern` is how docs write it.
 */
export interface EventFamily<D extends DescMessage = DescMessage> extends EventType<D> {
  readonly pattern: string;
  at(code: string): EventType<D>;
}

/** What every event message carries: its id (the outbox row id, the Nats-Msg-Id). */
export type EventMessage<D extends DescMessage> = MessageShape<D> & { eventId: string };

function event<D extends DescMessage>(stream: StreamName, subject: string, message: D, producer: Producer): EventType<D> {
  if (!subject.startsWith(STREAM_SUBJECTS[stream].slice(0, -1))) throw new Error(`${subject} is not a subject of stream ${stream}`);
  return Object.freeze({ stream, subject, message, producer });
}

function perWarehouse<D extends DescMessage>(stream: StreamName, pattern: string, message: D, producer: Producer): EventFamily<D> {
  const subjectOf = (code: string) => pattern.replace("<code>", code);
  return Object.freeze({ ...event(stream, subjectOf("*"), message, producer), pattern, at: (code: string) => event(stream, subjectOf(code), message, producer) });
}

export const EVENTS = {
  /** Every item change (create, update, status), carrying the whole item as of a version. Consumed by Search and Cart. */
  catalogItemChanged: event("CATALOG", "catalog.items.changed", ItemChangedSchema, "catalog"),
  /** An item's aggregated stock changed. Consumed by Search and Cart (and by Assignment, per warehouse). */
  inventoryStockChanged: event("INVENTORY", "inventory.stock.changed", StockChangedSchema, "inventory"),
  /** An item's stock fell under the low-stock threshold. */
  inventoryStockLow: event("INVENTORY", "inventory.stock.low", LowStockSchema, "inventory"),
  /** An order was placed (paid, stock reserved). Consumed by Assignment and Cart. */
  ordersPlaced: event("ORDERS", "orders.placed", OrderPlacedSchema, "order"),
  /** CancelOrder completed (stock returned, payment voided). */
  ordersCancelled: event("ORDERS", "orders.cancelled", OrderCancelledSchema, "order"),
  /** An order was split into warehouse orders. Consumed by Order. */
  ordersAssigned: event("ORDERS", "orders.assigned", OrderAssignedSchema, "assignment"),
  /** A warehouse order changed status. Consumed by Order. */
  ordersShipmentUpdated: event("ORDERS", "orders.shipments.updated", WarehouseOrderStatusChangedSchema, "assignment"),
  /** One per warehouse order: what a warehouse system subscribes to. */
  warehouseOrderAssigned: perWarehouse("WAREHOUSE", "warehouse.<code>.orders.assigned", WarehouseOrderAssignedSchema, "assignment"),
  /** CancelOrder cancelled a warehouse order. */
  warehouseOrderCancelled: perWarehouse("WAREHOUSE", "warehouse.<code>.orders.cancelled", WarehouseOrderCancelledSchema, "assignment"),
} as const;

/** The streams the mesh owns, as ensureStreams creates them. */
export const STREAMS = (Object.keys(STREAM_SUBJECTS) as StreamName[]).map((name) => ({ name, subjects: [STREAM_SUBJECTS[name]] }));

/** How docs write an event's subject: the exact subject, or the pattern of a per-warehouse family. */
export function documentedSubject(e: EventType): string {
  return "pattern" in e ? (e as EventFamily).pattern : e.subject;
}
