// runConsumer's guarantees (consumers.ts: event ids recorded in the effect's transaction, ack after commit, a
// redelivery changes nothing) for many events per transaction: whatever has arrived, up to `batch`. For streams
// that carry an event per row after a bulk load (Search's read model), where a transaction per event cannot
// keep up with the outbox relays. Small when traffic is light: a lone event is applied at once, not after a wait.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { JsMsg } from "nats";
import type { DataSource } from "typeorm";
import {
  consumeUntilStopped, decodeEvent, durableConsumer, eventIdOf, logRejected, redeliveryDelayMs,
  type BatchConsumerDecl, type ConsumerStats, type RunningConsumer,
} from "./consumers.js";
import { inTransaction } from "./db.js";
import type { Logger } from "./log.js";
import { eventHandlerFailures, recordDelivery } from "./metrics.js";
import type { Nats } from "./nats.js";
import { TaskStatus } from "./task-status.js";

export async function runBatchConsumer<D extends DescMessage>(
  nats: Nats, ds: DataSource, schema: string, spec: BatchConsumerDecl<D>, log: Logger, env: Record<string, string | undefined> = {},
  status = new TaskStatus("consumer", spec.durable),
): Promise<RunningConsumer> {
  const bind = () => durableConsumer(nats, { ...spec, maxAckPending: spec.batch * 4 }, env);
  const consumer = await bind();
  const stats: ConsumerStats = { applied: 0, rejected: 0, failed: 0 };
  let current: Promise<void> = Promise.resolve();

  const apply = async (msgs: JsMsg[]) => {
    for (const m of msgs) recordDelivery(spec.durable, m.info);
    try {
      const ids = msgs.map((m) => eventIdOf(spec.event.stream, m));
      const decoded = msgs.map((m) => decodeEvent(spec.event, m));
      // Events the consumer's state does not depend on are acknowledged with the batch but never written.
      const kept = msgs.flatMap((_, i) => (decoded[i].event && spec.relevant?.(decoded[i].event!) === false ? [] : [i]));
      const counts = kept.length === 0 ? { applied: 0, rejected: 0 } : await inTransaction(ds, async (tx) => {
        const fresh: { event_id: string }[] = await tx.query(
          `INSERT INTO "${schema}".processed_events (consumer, event_id) SELECT $1, unnest($2::text[])
           ON CONFLICT DO NOTHING RETURNING event_id`,
          [spec.durable, kept.map((i) => ids[i])],
        );
        const isFresh = new Set(fresh.map((r) => r.event_id));
        const events: MessageShape<D>[] = [];
        let rejected = 0;
        for (const i of kept) {
          if (!isFresh.delete(ids[i])) continue; // seen before, or a duplicate within the batch
          const { event, reason } = decoded[i];
          if (event) events.push(event);
          else {
            rejected++;
            logRejected(log, spec.durable, { eventId: ids[i], subject: msgs[i].subject, msg: msgs[i] }, reason!);
          }
        }
        if (events.length) await spec.handleBatch(events, tx);
        return { applied: events.length, rejected };
      });
      for (const m of msgs) m.ack();
      status.succeeded();
      stats.applied += counts.applied;
      stats.rejected += counts.rejected;
    } catch (err) {
      stats.failed += msgs.length;
      status.failed(err);
      eventHandlerFailures.inc({ durable: spec.durable }, msgs.length);
      const delayMs = redeliveryDelayMs(msgs[0]);
      log.warn({ err, durable: spec.durable, events: msgs.length, delayMs }, "event batch failed; will be redelivered");
      for (const m of msgs) m.nak(delayMs);
    }
  };

  const running = consumeUntilStopped({
    consumer, rebind: bind, maxMessages: spec.batch * 2, log, durable: spec.durable, status,
    async handle(messages, stopping, progress) {
      let buffer: JsMsg[] = [];
      for await (const msg of messages) {
        progress();
        buffer.push(msg);
        // Apply when the batch is full or nothing else has arrived yet (pending counts the message in hand).
        if (buffer.length >= spec.batch || messages.getPending() <= 1) {
          const batch = buffer;
          buffer = [];
          current = apply(batch);
          await current;
          progress();
        }
        if (stopping()) break;
      }
      if (buffer.length) await apply(buffer);
    },
    drain: () => current.catch(() => {}),
  });
  return { durable: spec.durable, stats, stop: running.stop };
}
