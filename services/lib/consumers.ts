// Durable event consumers, declared by a service module (ConsumerDecl) and run by the shared runtime. Every event
// is applied at most once: its id is recorded in `<schema>.processed_events` in the same transaction as the
// effect, and the message is acknowledged only after that transaction commits, so a redelivery (crash before
// ack, NATS replay) finds the id and changes nothing. An event that no retry can apply is rejected loudly and
// acknowledged, so it cannot block the ones behind it.
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { AckPolicy, ConsumerEvents, DeliverPolicy, type Consumer, type ConsumerInfo, type ConsumerMessages, type JsMsg } from "nats";
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "./db.js";
import type { EventType } from "./events.js";
import type { Logger } from "./log.js";
import { eventHandlerFailures, recordDelivery } from "./metrics.js";
import { natsRetry, type Nats } from "./nats.js";
import { TaskStatus } from "./task-status.js";
import { contextOfTraceparent, inSpan, SpanKind } from "./tracing.js";

/** Where an event came from, for handlers that record or log it. */
export interface EventMeta {
  eventId: string;
  subject: string;
  msg: JsMsg;
}

/** Thrown by a handler for an event that can never be applied (whatever happens elsewhere): it is rejected, not retried. */
export class UnusableEvent extends Error {}

/** One event per transaction. */
export interface ConsumerDecl<D extends DescMessage = DescMessage> {
  event: EventType<D>;
  /** Durable name: the consumer's identity across restarts. */
  durable: string;
  /** Events handled at once (each holds a DB connection). Default 8. */
  concurrency?: number;
  /** How long an unacknowledged delivery waits before redelivery (default 30 s). */
  ackWaitMs?: number;
  /** Quiet time after which the server is asked whether events wait undelivered (consumeUntilStopped; STALL_MS). */
  stallMs?: number;
  /** Applies the event in the given transaction. Throwing redelivers it later; UnusableEvent rejects it. */
  handle(event: MessageShape<D>, tx: EntityManager, meta: EventMeta): Promise<void>;
  /** Keeps a rejected event (in the transaction that acknowledges it). Without it, rejected events are only logged. */
  reject?(tx: EntityManager, meta: EventMeta, reason: string): Promise<void>;
}

/** Many events per transaction: whatever has arrived, up to `batch` (bulk streams such as a catalog seed). */
export interface BatchConsumerDecl<D extends DescMessage = DescMessage> {
  event: EventType<D>;
  durable: string;
  /** Most events per transaction. */
  batch: number;
  /** Applies the events not seen before (undecodable ones are already rejected). Throwing redelivers all. */
  handleBatch(events: MessageShape<D>[], tx: EntityManager): Promise<unknown>;
  /**
   * The events this consumer's state depends on; the others are acknowledged without a transaction (applying
   * one would change nothing, so neither would applying it twice). Default: every event.
   */
  relevant?(event: MessageShape<D>): boolean;
}

export type AnyConsumerDecl = ConsumerDecl<any> | BatchConsumerDecl<any>;

/** Counters a running consumer keeps; health reports them. */
export interface ConsumerStats {
  applied: number;
  rejected: number;
  failed: number;
}

export interface RunningConsumer {
  readonly durable: string;
  readonly stats: ConsumerStats;
  stop(): Promise<void>;
}

/**
 * Where a durable consumer starts, from the service's environment. Production: the configured durable name,
 * from the first message. Tests that share one NATS across many fresh databases set EVENT_CONSUMER_SUFFIX
 * (a durable of their own) and EVENT_CONSUMER_START=new (skip events other tests published).
 */
export function consumerPlacement(env: Record<string, string | undefined>): { durableSuffix: string; startNew: boolean } {
  return { durableSuffix: env.EVENT_CONSUMER_SUFFIX ?? "", startNew: env.EVENT_CONSUMER_START === "new" };
}

/** Creates (or binds to) a durable pull consumer of the event with explicit acks, placed as consumerPlacement(env) says. */
export async function durableConsumer(
  nats: Nats, spec: { event: EventType; durable: string; ackWaitMs?: number; maxAckPending: number },
  env: Record<string, string | undefined>,
): Promise<Consumer> {
  const placement = consumerPlacement(env);
  const durable = spec.durable + placement.durableSuffix;
  const stream = spec.event.stream;
  // Retried while a cluster elects leaders (a node was lost) or the node reached is cut off (JetStream answers
  // 503): a starting replica waits instead of crashing. The binding (a consumer info) is retried the same way.
  await natsRetry(`consumer ${durable}`, () => nats.jsm.consumers.add(stream, {
    durable_name: durable,
    filter_subject: spec.event.subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: placement.startNew ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: (spec.ackWaitMs ?? 30_000) * 1e6,
    max_ack_pending: spec.maxAckPending,
  }).catch(async (err) => {
    // Already exists with the same config: fine. Anything else is real.
    await nats.jsm.consumers.info(stream, durable).catch(() => { throw err; });
  }));
  return natsRetry(`consumer ${durable}`, () => nats.js.consumers.get(stream, durable));
}

/** The event's id: the publisher's Nats-Msg-Id (the outbox row id), else the stream position. */
export function eventIdOf(stream: string, msg: JsMsg): string {
  return msg.headers?.get("Nats-Msg-Id") || `${stream}:${msg.seq}`;
}

/** Decodes a message as the declared event; undefined with the reason when it is not one. */
export function decodeEvent<D extends DescMessage>(type: EventType<D>, msg: JsMsg): { event?: MessageShape<D>; reason?: string } {
  try {
    return { event: fromBinary(type.message, msg.data) };
  } catch (err) {
    return { reason: `not a ${type.message.typeName}: ${(err as Error).message}` };
  }
}

/** Logs a rejected event at error level: someone must look at it. */
export function logRejected(log: Logger, durable: string, meta: EventMeta, reason: string): void {
  log.error({ durable, eventId: meta.eventId, subject: meta.subject, reason }, "unusable event rejected (acknowledged, not applied)");
}

/** Redelivery delay after a failure: doubling from 0.5 s up to 30 s. */
export function redeliveryDelayMs(msg: JsMsg): number {
  return Math.min(30_000, 500 * 2 ** Math.min(msg.info.redeliveryCount, 6));
}

/**
 * Runs a declared consumer, one event per transaction, up to `concurrency` at once (the guarantees at the top).
 * `status` hears of each event handled and each failure (task-status.ts).
 */
export async function runConsumer<D extends DescMessage>(
  nats: Nats, ds: DataSource, schema: string, spec: ConsumerDecl<D>, log: Logger, env: Record<string, string | undefined> = {},
  status = new TaskStatus("consumer", spec.durable),
): Promise<RunningConsumer> {
  const bind = () => durableConsumer(nats, { ...spec, maxAckPending: 1000 }, env);
  const consumer = await bind();
  const concurrency = spec.concurrency ?? 8;
  const inFlight = new Set<Promise<void>>();
  const stats: ConsumerStats = { applied: 0, rejected: 0, failed: 0 };

  // Each delivery continues the trace its publisher put in the headers (outbox.ts).
  const handleOne = (msg: JsMsg) => inSpan(`${msg.subject} process`, {
    kind: SpanKind.CONSUMER, parent: contextOfTraceparent(msg.headers?.get("traceparent")),
    attributes: { "messaging.system": "nats", "messaging.destination.name": msg.subject, "messaging.consumer.group.name": spec.durable },
  }, async () => {
    const meta: EventMeta = { eventId: eventIdOf(spec.event.stream, msg), subject: msg.subject, msg };
    recordDelivery(spec.durable, msg.info);
    try {
      const outcome = await inTransaction(ds, async (tx) => {
        const fresh = await tx.query(
          `INSERT INTO "${schema}".processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
          [spec.durable, meta.eventId],
        );
        if (fresh.length === 0) return "seen"; // seen before: the effect is already committed
        const { event, reason } = decodeEvent(spec.event, msg);
        let unusable = reason;
        if (event) {
          try {
            await spec.handle(event, tx, meta);
            return "applied";
          } catch (err) {
            if (!(err instanceof UnusableEvent)) throw err;
            unusable = err.message;
          }
        }
        logRejected(log, spec.durable, meta, unusable!);
        await spec.reject?.(tx, meta, unusable!);
        return "rejected";
      });
      msg.ack();
      status.succeeded();
      if (outcome === "applied") stats.applied++;
      if (outcome === "rejected") stats.rejected++;
    } catch (err) {
      stats.failed++;
      status.failed(err);
      eventHandlerFailures.inc({ durable: spec.durable });
      const delayMs = redeliveryDelayMs(msg);
      log.warn({ err, eventId: meta.eventId, subject: msg.subject, delayMs }, "event handling failed; will be redelivered");
      msg.nak(delayMs);
    }
  });

  const running = consumeUntilStopped({
    consumer, rebind: bind, maxMessages: concurrency * 2, log, durable: spec.durable, status, stallMs: spec.stallMs,
    async handle(messages, stopping, progress) {
      for await (const msg of messages) {
        progress();
        const p = handleOne(msg).finally(() => { inFlight.delete(p); progress(); });
        inFlight.add(p);
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
        if (stopping()) break;
      }
    },
    drain: () => Promise.allSettled([...inFlight]),
  });
  return { durable: spec.durable, stats, stop: running.stop };
}

/** How long a consumer may receive nothing while its durable has messages waiting before it pulls afresh. */
export const STALL_MS = 10_000;

/**
 * Whether a consumer that received nothing for `idleMs` is stalled rather than idle, by the server's count:
 * messages wait undelivered, or deliveries stay unacknowledged past their ack wait (due for redelivery) while
 * nothing reaches us, and the consumer is not at its max_ack_pending (where the server rightly holds back).
 */
export function looksStalled(info: ConsumerInfo, idleMs: number, stallMs = STALL_MS): boolean {
  if (info.config.max_ack_pending && info.num_ack_pending >= info.config.max_ack_pending) return false;
  const ackWaitMs = (info.config.ack_wait ?? 30e9) / 1e6;
  return info.num_pending > 0 || (info.num_ack_pending > 0 && idleMs > ackWaitMs + stallMs);
}

/** What a consume() iterator reports that means no events reach the consumer. */
const TROUBLE: string[] = [
  ConsumerEvents.HeartbeatsMissed, ConsumerEvents.ConsumerNotFound, ConsumerEvents.StreamNotFound,
  ConsumerEvents.ConsumerDeleted, ConsumerEvents.NoResponders,
];

export interface ConsumeLoop {
  /** The durable at start; after an interruption `rebind` is asked again (it re-creates a durable that was lost). */
  consumer: Consumer;
  rebind(): Promise<Consumer>;
  maxMessages: number;
  log: Logger;
  durable: string;
  /** Hears of each interruption (task-status.ts). */
  status: TaskStatus;
  /** Quiet time after which the server is asked whether messages wait (STALL_MS). */
  stallMs?: number;
  /** Takes messages until they end or stopping() says so; calls progress() for each message taken and each finished. */
  handle(messages: ConsumerMessages, stopping: () => boolean, progress: () => void): Promise<void>;
  /** Waits for the work already started. */
  drain(): Promise<unknown>;
}

/**
 * Feeds `consume()` batches to `handle` until stopped, resuming after an interruption (NATS restarted, the
 * consumer was reset), and tells `status` of the interruptions. Stopping ends the batch in hand, then waits for
 * `drain` (work already started).
 *
 * A pull can also go quiet without ending: the pull requests lived on a consumer leader that died or was cut
 * off, and the client's own recovery (idle heartbeats) is switched off by a disconnect and not always switched
 * back on. Nothing would then arrive again, on every replica alike, while the durable's messages wait. So when
 * nothing has arrived for `stallMs`, the server is asked (consumer info); if messages wait (looksStalled), this
 * pull is stopped and a fresh one started; at once when the server says the consumer's leader changed. Acks are
 * explicit: whatever the stopped pull held is redelivered.
 */
export function consumeUntilStopped(o: ConsumeLoop): { stop(): Promise<void> } {
  const stallMs = o.stallMs ?? STALL_MS;
  let stopping = false;
  let stopHook: () => void = () => {};
  const loop = (async () => {
    let consumer: Consumer | undefined = o.consumer;
    while (!stopping) {
      let watchdog: NodeJS.Timeout | undefined;
      try {
        consumer ??= await o.rebind();
        const messages = await consumer.consume({ max_messages: o.maxMessages });
        stopHook = () => messages.stop();
        let last = Date.now();
        let asking = false;
        const current = consumer;
        watchdog = setInterval(() => {
          if (asking || stopping || Date.now() - last < stallMs) return;
          asking = true;
          current.info().then((info) => {
            const idleMs = Date.now() - last;
            if (idleMs < stallMs || !looksStalled(info, idleMs, stallMs)) return;
            o.log.warn({ durable: o.durable, idleMs, pending: info.num_pending, ackPending: info.num_ack_pending },
              "consumer received nothing while messages wait; pulling afresh");
            o.status.failed(`received nothing for ${idleMs} ms while ${info.num_pending} events wait`);
            messages.stop();
          }, (err: Error) => {
            // The consumer itself is gone (not only unreachable): start over, re-creating it.
            if (!/consumer not found/i.test(err.message)) return;
            o.log.warn({ durable: o.durable, err: err.message }, "consumer lost; creating it again");
            consumer = undefined;
            messages.stop();
          }).finally(() => { asking = false; });
        }, Math.max(250, stallMs / 2));
        // The consumer's leader changed: the pull requests died with its leadership (the server says so, and the
        // client would wait for missed heartbeats, up to 45 s). Pull afresh from the new leader at once.
        void messages.status().then(async (events) => {
          for await (const e of events) {
            if (TROUBLE.includes(e.type)) o.status.failed(`${e.type}: ${JSON.stringify(e.data)}`);
            if (!/leadership change/i.test(String(e.data))) continue;
            o.log.info({ durable: o.durable }, "consumer leader changed; pulling afresh");
            messages.stop();
          }
        }).catch(() => {});
        await o.handle(messages, () => stopping, () => { last = Date.now(); });
      } catch (err) {
        consumer = undefined;
        if (stopping) break;
        o.status.failed(err);
        o.log.warn({ err, durable: o.durable }, "consumer interrupted; resuming");
      } finally {
        clearInterval(watchdog);
      }
      if (!stopping) await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      stopping = true;
      stopHook();
      await o.drain();
      await Promise.race([loop, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}


/**
 * A consumer's concurrency, capped so its events in flight (each holds a connection) never take more than
 * `1/share` of the DB pool: requests always find connections. Says so in the log when the cap applies.
 */
export function poolCappedConcurrency(wanted: number, dbPoolSize: number, share: number, log: Logger): number {
  const concurrency = Math.max(1, Math.min(wanted, Math.floor(dbPoolSize / share)));
  if (concurrency < wanted) log.warn({ wanted, concurrency, dbPoolSize }, `consumer concurrency capped at 1/${share} of the DB pool`);
  return concurrency;
}
