// runConsumer's guarantees (services/lib/nats.ts: event ids recorded in the effect's transaction, ack after
// commit, a redelivery changes nothing) for many events per transaction. The read model takes one event per
// item change and one per stock change, a million of each after a bulk seed: one transaction per event
// measured about 1,000 events/s here; a transaction per batch (whatever has arrived, up to `batch`) keeps up
// with the outbox relays. Small when traffic is light: a lone event is applied at once, not after a wait.
import type { JsMsg } from "nats";
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "../../lib/db.js";
import type { Logger } from "../../lib/log.js";
import { eventHandlerFailures, recordDelivery } from "../../lib/metrics.js";
import { consumeUntilStopped, durableConsumer, eventIdOf, type Nats, type RunningConsumer } from "../../lib/nats.js";

export interface BatchConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  /** Processed event ids are recorded in `<schema>.processed_events`. */
  schema: string;
  /** Most events per transaction. */
  batch: number;
  /** Applies the effects of the events not seen before, in the given transaction. Throwing redelivers all. */
  handle: (msgs: JsMsg[], tx: EntityManager) => Promise<void>;
}

export async function runBatchConsumer(
  nats: Nats, ds: DataSource, spec: BatchConsumerSpec, log: Logger, env: Record<string, string | undefined> = {},
): Promise<RunningConsumer> {
  const consumer = await durableConsumer(nats, { ...spec, maxAckPending: spec.batch * 4 }, env);
  let current: Promise<void> = Promise.resolve();

  const apply = async (msgs: JsMsg[]) => {
    for (const m of msgs) recordDelivery(spec.durable, m.info);
    try {
      await inTransaction(ds, async (tx) => {
        const ids = msgs.map((m) => eventIdOf(spec.stream, m));
        const fresh: { event_id: string }[] = await tx.query(
          `INSERT INTO "${spec.schema}".processed_events (consumer, event_id) SELECT $1, unnest($2::text[])
           ON CONFLICT DO NOTHING RETURNING event_id`,
          [spec.durable, ids],
        );
        const isFresh = new Set(fresh.map((r) => r.event_id));
        const todo = msgs.filter((_, i) => isFresh.delete(ids[i])); // a duplicate within the batch counts once
        if (todo.length) await spec.handle(todo, tx);
      });
      for (const m of msgs) m.ack();
    } catch (err) {
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(msgs[0].info.redeliveryCount, 6));
      eventHandlerFailures.inc({ durable: spec.durable }, msgs.length);
      log.warn({ err, durable: spec.durable, events: msgs.length, delayMs }, "event batch failed; will be redelivered");
      for (const m of msgs) m.nak(delayMs);
    }
  };

  return consumeUntilStopped(consumer, spec.batch * 2, log, spec.durable, async (messages, stopping) => {
    let buffer: JsMsg[] = [];
    for await (const msg of messages) {
      buffer.push(msg);
      // Apply when the batch is full or nothing else has arrived yet (pending counts the message in hand).
      if (buffer.length >= spec.batch || messages.getPending() <= 1) {
        const batch = buffer;
        buffer = [];
        current = apply(batch);
        await current;
      }
      if (stopping()) break;
    }
    if (buffer.length) await apply(buffer);
  }, () => current.catch(() => {}));
}
