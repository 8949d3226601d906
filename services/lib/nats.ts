// NATS JetStream: the streams the mesh owns, connection, and idempotent durable consumers.
// Payloads are protobuf binary of messages in proto/; the Nats-Msg-Id header is the event id.
import {
  AckPolicy, DeliverPolicy, StorageType, connect, headers as natsHeaders,
  type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection,
} from "nats";
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "./db.js";
import type { Logger } from "./log.js";
import { eventHandlerFailures, recordDelivery } from "./metrics.js";
import { contextOfTraceparent, inSpan, SpanKind } from "./tracing.js";

/** Every subject the mesh publishes (README "Events" documents payload types and publishers). */
export const SUBJECTS = {
  catalogItemChanged: "catalog.items.changed",
  inventoryStockChanged: "inventory.stock.changed",
  inventoryStockLow: "inventory.stock.low",
  ordersPlaced: "orders.placed",
  ordersAssigned: "orders.assigned",
  ordersCancelled: "orders.cancelled",
  ordersShipmentUpdated: "orders.shipments.updated",
  warehouseOrderAssigned: (warehouseCode: string) => `warehouse.${warehouseCode}.orders.assigned`,
  warehouseOrderCancelled: (warehouseCode: string) => `warehouse.${warehouseCode}.orders.cancelled`,
} as const;

/** JetStream streams, one per subject family (docs/design.md "Events"), file storage. */
export const STREAMS = [
  { name: "CATALOG", subjects: ["catalog.>"] },
  { name: "INVENTORY", subjects: ["inventory.>"] },
  { name: "ORDERS", subjects: ["orders.>"] },
  { name: "WAREHOUSE", subjects: ["warehouse.>"] },
] as const;

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * Connects and keeps reconnecting forever: a NATS outage must delay events (they wait in outboxes),
 * never crash a service.
 */
export async function connectNats(url: string, name: string): Promise<Nats> {
  const nc = await connect({
    servers: url,
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5000,
  });
  const jsm = await nc.jetstreamManager({ timeout: 5000 });
  return { nc, js: nc.jetstream({ timeout: 5000 }), jsm };
}

/** Creates the mesh's streams if missing (idempotent; safe from every process at start-up). */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const s of STREAMS) {
    try {
      await jsm.streams.info(s.name);
    } catch {
      await jsm.streams.add({ name: s.name, subjects: [...s.subjects], storage: StorageType.File, duplicate_window: 120e9 });
    }
  }
}

/** Round trip to the server: a real health check, failing while disconnected. */
export async function pingNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) throw new Error("NATS connection closed");
  await withTimeout(nc.flush(), 1500, "NATS ping");
}

export function eventHeaders(eventId: string, traceparent?: string) {
  const h = natsHeaders();
  h.set("Nats-Msg-Id", eventId);
  if (traceparent) h.set("traceparent", traceparent);
  return h;
}

export interface ConsumerSpec {
  stream: string;
  /** Durable name: the consumer's identity across restarts. */
  durable: string;
  filterSubject: string;
  /** Processed event ids are recorded in `<schema>.processed_events` in the handler's transaction. */
  schema: string;
  /** Messages handled at once. */
  concurrency?: number;
  /** Applies the event's effect in the given transaction. Throwing redelivers it later. */
  handle: (msg: JsMsg, tx: EntityManager) => Promise<void>;
  /** How long an unacknowledged delivery waits before redelivery (default 30 s). */
  ackWaitMs?: number;
}

/**
 * Where a durable consumer starts, from the service's environment. Production: the configured durable name,
 * from the first message. Tests that share one NATS across many fresh databases set EVENT_CONSUMER_SUFFIX
 * (a durable of their own) and EVENT_CONSUMER_START=new (skip events other tests published).
 */
export function consumerPlacement(env: Record<string, string | undefined>): { durableSuffix: string; startNew: boolean } {
  return { durableSuffix: env.EVENT_CONSUMER_SUFFIX ?? "", startNew: env.EVENT_CONSUMER_START === "new" };
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

/**
 * Runs a durable pull consumer whose every event is applied at most once: the event id is recorded in the
 * same transaction as the effect, and the message is acknowledged only after that transaction commits.
 * A redelivery (crash before ack, NATS replay) finds the id and changes nothing.
 */
/**
 * Creates (or binds to) a durable pull consumer with explicit acks, placed as consumerPlacement(env) says.
 * Shared by runConsumer and batch consumers so every consumer of the mesh is set up the same way.
 */
export async function durableConsumer(
  nats: Nats,
  spec: { stream: string; durable: string; filterSubject: string; ackWaitMs?: number; maxAckPending: number },
  env: Record<string, string | undefined>,
): Promise<Consumer> {
  const placement = consumerPlacement(env);
  const durable = spec.durable + placement.durableSuffix;
  await nats.jsm.consumers.add(spec.stream, {
    durable_name: durable,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: placement.startNew ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: (spec.ackWaitMs ?? 30_000) * 1e6,
    max_ack_pending: spec.maxAckPending,
  }).catch(async (err) => {
    // Already exists with the same config: fine. Anything else is real.
    await nats.jsm.consumers.info(spec.stream, durable).catch(() => { throw err; });
  });
  return nats.js.consumers.get(spec.stream, durable);
}

export async function runConsumer(
  nats: Nats, ds: DataSource, spec: ConsumerSpec, log: Logger, env: Record<string, string | undefined> = {},
): Promise<RunningConsumer> {
  const consumer = await durableConsumer(nats, { ...spec, maxAckPending: 1000 }, env);
  const concurrency = spec.concurrency ?? 8;
  const inFlight = new Set<Promise<void>>();

  const handleOne = (msg: JsMsg) => inSpan(`${msg.subject} process`, {
    kind: SpanKind.CONSUMER, parent: contextOfTraceparent(msg.headers?.get("traceparent")),
    attributes: { "messaging.system": "nats", "messaging.destination.name": msg.subject, "messaging.consumer.group.name": spec.durable },
  }, async () => {
    const eventId = eventIdOf(spec.stream, msg);
    recordDelivery(spec.durable, msg.info);
    try {
      await inTransaction(ds, async (tx) => {
        const fresh = await tx.query(
          `INSERT INTO "${spec.schema}".processed_events (consumer, event_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [spec.durable, eventId],
        );
        if (fresh.length === 0) return; // seen before: the effect is already committed
        await spec.handle(msg, tx);
      });
      msg.ack();
    } catch (err) {
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(msg.info.redeliveryCount, 6));
      eventHandlerFailures.inc({ durable: spec.durable });
      log.warn({ err, eventId, subject: msg.subject, delayMs }, "event handling failed; will be redelivered");
      msg.nak(delayMs);
    }
  });

  return consumeUntilStopped(consumer, concurrency * 2, log, spec.durable, async (messages, stopping) => {
    for await (const msg of messages) {
      const p = handleOne(msg).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (stopping()) break;
    }
  }, () => Promise.allSettled([...inFlight]));
}

/** The event's id: the publisher's Nats-Msg-Id (the outbox row id), else the stream position. */
export function eventIdOf(stream: string, msg: JsMsg): string {
  return msg.headers?.get("Nats-Msg-Id") || `${stream}:${msg.seq}`;
}

/**
 * Feeds `consume()` batches to `handle` until stopped, resuming after an interruption (NATS restarted, the
 * consumer was reset). Stopping ends the batch in hand, then waits for `drain` (work already started).
 */
export function consumeUntilStopped(
  consumer: Consumer, maxMessages: number, log: Logger, durable: string,
  handle: (messages: ConsumerMessages, stopping: () => boolean) => Promise<void>,
  drain: () => Promise<unknown>,
): RunningConsumer {
  let stopping = false;
  let stopHook: () => void = () => {};
  const loop = (async () => {
    while (!stopping) {
      try {
        const messages = await consumer.consume({ max_messages: maxMessages });
        stopHook = () => messages.stop();
        await handle(messages, () => stopping);
      } catch (err) {
        if (!stopping) log.warn({ err, durable }, "consumer interrupted; resuming");
      }
      if (!stopping) await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      stopping = true;
      stopHook();
      await drain();
      await Promise.race([loop, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}
