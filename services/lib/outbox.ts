// Transactional outbox (docs/design.md "Failure handling"): a business change and the event announcing it are written in
// one transaction; a relay publishes unpublished rows to JetStream with Nats-Msg-Id = event id, so a crash
// anywhere loses nothing and a re-publish is deduplicated by JetStream.
import { toBinary, type DescMessage } from "@bufbuild/protobuf";
import pg from "pg";
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from "typeorm";
import type { Logger } from "./log.js";
import { rows, type Db } from "./sql.js";
import type { EventMessage, EventType, Producer } from "./events.js";
import { eventPublishFailures, eventsPublished, outboxOldestAge, outboxWaiting } from "./metrics.js";
import { eventHeaders, type Nats } from "./nats.js";
import { TaskStatus } from "./task-status.js";
import { contextOfTraceparent, currentTraceparent, inSpan, SpanKind } from "./tracing.js";

/**
 * DDL for a service's outbox and processed-event tables; used by each service's first migration. The index the
 * relay's cleanup reads came later: outboxCleanupIndex, a migration of its own in each service with an outbox.
 */
export function eventTablesSql(schema: string): { up: string[]; down: string[] } {
  return {
    up: [
      `CREATE TABLE "${schema}".outbox (
        event_id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        subject text NOT NULL,
        message_type text NOT NULL,
        payload bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        traceparent text
      )`,
      `CREATE INDEX outbox_unpublished ON "${schema}".outbox (seq) WHERE published_at IS NULL`,
      `CREATE TABLE "${schema}".processed_events (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`,
    ],
    down: [`DROP TABLE "${schema}".processed_events`, `DROP TABLE "${schema}".outbox`],
  };
}

/**
 * Migration adding the index the relay's cleanup needs: published rows are kept a day (OutboxRelay retainMs) and
 * the relay deletes expired ones every minute. Without it each cleanup reads the whole table, which after a bulk
 * seed stalls everything sharing the database every minute.
 */
export function outboxCleanupIndex(schema: string): new () => MigrationInterface {
  const index = `"${schema}".outbox_published`;
  return class OutboxCleanupIndex implements MigrationInterface {
    name = "OutboxCleanupIndex1769000000000";

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE INDEX IF NOT EXISTS outbox_published ON "${schema}".outbox (published_at) WHERE published_at IS NOT NULL`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
  };
}

/**
 * Migration keeping, beside each outbox row, the trace context of the transaction that wrote it, so the event's
 * publish and its consumers continue that trace (services/lib/tracing.ts).
 */
export function outboxTraceContext(schema: string): new () => MigrationInterface {
  return class OutboxTraceContext implements MigrationInterface {
    name = "OutboxTraceContext1769100000000";

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}".outbox ADD COLUMN IF NOT EXISTS traceparent text`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}".outbox DROP COLUMN IF EXISTS traceparent`);
    }
  };
}

/** An outbox row: the event's subject and message type as its declaration says, the payload in protobuf binary. */
export interface OutboxRow {
  eventId: string;
  subject: string;
  messageType: string;
  payload: Buffer;
}

/** The row an event becomes; the declaration ties subject and message, so a mismatched pair does not compile. */
export function outboxRow<D extends DescMessage>(type: EventType<D>, event: EventMessage<D>): OutboxRow {
  return { eventId: event.eventId, subject: type.subject, messageType: type.message.typeName, payload: Buffer.from(toBinary(type.message, event)) };
}

/** Writes an event in the caller's transaction, into its producer's outbox; it is published after commit. */
export async function enqueueEvent<D extends DescMessage>(tx: EntityManager, type: EventType<D>, event: EventMessage<D>): Promise<void> {
  const row = outboxRow(type, event);
  // The NOTIFY (delivered at commit) wakes the relay at once instead of at its next poll; one round trip for both.
  await tx.query(
    `WITH e AS (INSERT INTO "${type.producer}".outbox (event_id, subject, message_type, payload, traceparent) VALUES ($1, $2, $3, $4, $6) RETURNING 1)
     SELECT pg_notify($5, '') FROM e`,
    [row.eventId, row.subject, row.messageType, row.payload, notifyChannel(type.producer), currentTraceparent() ?? null],
  );
}

/**
 * An event a caller's own statement writes, so the change and its event are one round trip: `cte` (named `name`)
 * inserts the row for each row the statement's CTE `source` yields (so only when that change happened), and
 * `notify` is a scalar expression for the statement's SELECT list that wakes the relay. Parameters are numbered
 * from `$first`; append `params` to the statement's.
 */
export function outboxCte<D extends DescMessage>(
  type: EventType<D>, event: EventMessage<D>, name: string, source: string, first: number,
): { cte: string; notify: string; params: unknown[] } {
  const row = outboxRow(type, event);
  const p = (i: number) => `$${first + i}`;
  return {
    cte: `${name} AS (INSERT INTO "${type.producer}".outbox (event_id, subject, message_type, payload, traceparent)
      SELECT ${p(0)}::uuid, ${p(1)}::text, ${p(2)}::text, ${p(3)}::bytea, ${p(4)}::text FROM ${source} RETURNING 1)`,
    notify: `(SELECT pg_notify(${p(5)}, '') FROM ${name} LIMIT 1)`,
    params: [row.eventId, row.subject, row.messageType, row.payload, currentTraceparent() ?? null, notifyChannel(type.producer)],
  };
}

/**
 * Writes many events of one producer in the caller's transaction with one statement (stock changes, seeds, an
 * order's warehouse orders), each with the trace context of the caller.
 */
export async function enqueueRows(db: Db, schema: Producer, events: OutboxRow[]): Promise<void> {
  if (events.length === 0) return;
  await rows(db,
    `WITH ins AS (
       INSERT INTO "${schema}".outbox (event_id, subject, message_type, payload, traceparent)
       SELECT *, $6::text FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[])
     )
     SELECT pg_notify($5, '')`,
    [...outboxArrays(events), notifyChannel(schema), currentTraceparent() ?? null],
  );
}

/** Columns of outbox rows as parallel arrays, for `unnest($a::uuid[], $b::text[], $c::text[], $d::bytea[])` in a caller's own statement. */
export function outboxArrays(events: OutboxRow[]): [string[], string[], string[], Buffer[]] {
  return [events.map((e) => e.eventId), events.map((e) => e.subject), events.map((e) => e.messageType), events.map((e) => e.payload)];
}

function notifyChannel(schema: string) {
  return `${schema}_outbox`;
}

export interface OutboxRelayOptions {
  schema: string;
  batchSize?: number;
  /** Poll even without notifications (a missed NOTIFY, rows left by a crash). */
  pollMs?: number;
  /** Published rows are kept this long for inspection, then deleted. */
  retainMs?: number;
  /** Told of each pass: one that ended well (even with nothing to publish) or one that failed. */
  status?: TaskStatus;
}

/**
 * Publishes outbox rows in order of writing. Several relays (replicas) may run: rows are claimed with
 * FOR UPDATE SKIP LOCKED. NATS down: rows stay unpublished and are retried with backoff.
 */
export class OutboxRelay {
  private stopped = false;
  private wake: () => void = () => {};
  /** A commit notified us since the current pass began: its rows may have missed that pass. */
  private notified = false;
  private listener?: pg.Client;
  private loopDone?: Promise<void>;
  private unregisterGauges: (() => void)[] = [];
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly retainMs: number;

  constructor(
    private readonly ds: DataSource,
    private readonly nats: Nats,
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly opts: OutboxRelayOptions,
  ) {
    this.batchSize = opts.batchSize ?? 200;
    this.pollMs = opts.pollMs ?? 500;
    this.retainMs = opts.retainMs ?? 24 * 3600_000;
  }

  async start(): Promise<void> {
    const { schema } = this.opts;
    this.unregisterGauges = [
      outboxWaiting.add(schema, async () => Number((await this.ds.query(
        `SELECT count(*) AS n FROM "${schema}".outbox WHERE published_at IS NULL`))[0].n)),
      outboxOldestAge.add(schema, async () => Number((await this.ds.query(
        `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age FROM "${schema}".outbox WHERE published_at IS NULL`))[0].age)),
    ];
    await this.listen().catch((err) => this.log.warn({ err }, "outbox LISTEN unavailable; polling only"));
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unregister of this.unregisterGauges) unregister();
    this.wake();
    await this.loopDone;
    await this.listener?.end().catch(() => {});
  }

  /**
   * Publishes what is pending now; returns how many rows were published. Exposed for tests. Throws after
   * committing when some publishes failed, so the failures' attempts and last_error are kept for inspection.
   */
  async publishPending(): Promise<number> {
    const outcome = await this.ds.transaction(async (tx) => {
      const rows: { event_id: string; subject: string; payload: Buffer; traceparent: string | null }[] = await tx.query(
        `SELECT event_id, subject, payload, traceparent FROM "${this.opts.schema}".outbox
         WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return { published: 0, failed: 0, reason: undefined };
      const results = await Promise.allSettled(
        rows.map((r) => {
          const headers = eventHeaders(r.event_id);
          return inSpan(`${r.subject} publish`, {
            kind: SpanKind.PRODUCER, parent: contextOfTraceparent(r.traceparent), carrier: headers,
            attributes: { "messaging.system": "nats", "messaging.destination.name": r.subject, "messaging.message.id": r.event_id },
          }, () => this.nats.js.publish(r.subject, r.payload, { msgID: r.event_id, headers }));
        }),
      );
      rows.forEach((r, i) => (results[i].status === "fulfilled" ? eventsPublished : eventPublishFailures)
        .inc({ service: this.opts.schema, subject: r.subject }));
      const done = rows.filter((_, i) => results[i].status === "fulfilled").map((r) => r.event_id);
      const failed = rows.filter((_, i) => results[i].status === "rejected").map((r) => r.event_id);
      if (done.length) {
        await tx.query(`UPDATE "${this.opts.schema}".outbox SET published_at = now() WHERE event_id = ANY($1)`, [done]);
      }
      let reason: string | undefined;
      if (failed.length) {
        const err = (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
        reason = String(err?.message ?? err).slice(0, 500);
        await tx.query(
          `UPDATE "${this.opts.schema}".outbox SET attempts = attempts + 1, last_error = $2 WHERE event_id = ANY($1)`,
          [failed, reason],
        );
      }
      return { published: done.length, failed: failed.length, reason };
    });
    if (outcome.failed) throw new Error(`publishing ${outcome.failed} events failed: ${outcome.reason}`);
    return outcome.published;
  }

  /**
   * Deletes published rows past their retention, a batch per statement (through outbox_published), so a day's
   * worth expiring at once never holds one long transaction.
   */
  async deleteExpired(): Promise<number> {
    const batch = 5000;
    let deleted = 0;
    for (;;) {
      const [, count] = (await this.ds.query(
        `DELETE FROM "${this.opts.schema}".outbox WHERE event_id IN (
           SELECT event_id FROM "${this.opts.schema}".outbox
           WHERE published_at IS NOT NULL AND published_at < now() - $1::interval LIMIT ${batch})`,
        [`${Math.floor(this.retainMs / 1000)} seconds`],
      )) as [unknown, number];
      deleted += count;
      if (count < batch || this.stopped) return deleted;
    }
  }

  private async loop(): Promise<void> {
    let backoffMs = 0;
    let lastCleanup = 0;
    while (!this.stopped) {
      let published = 0;
      this.notified = false;
      try {
        published = await this.publishPending();
        backoffMs = 0;
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await this.deleteExpired();
        }
        this.opts.status?.succeeded();
      } catch (err) {
        this.opts.status?.failed(err);
        backoffMs = Math.min(5000, backoffMs ? backoffMs * 2 : 100);
        this.log.warn({ err: (err as Error).message, retryInMs: backoffMs }, "outbox publish failed; retrying");
      }
      if (this.stopped) break;
      // More waiting, or rows committed while this pass ran: go again now rather than at the next poll.
      if ((published === this.batchSize || this.notified) && backoffMs === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs || this.pollMs);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `${this.opts.schema}-outbox` });
    client.on("error", (err) => this.log.warn({ err: err.message }, "outbox listener connection lost"));
    client.on("notification", () => {
      this.notified = true;
      this.wake();
    });
    await client.connect();
    await client.query(`LISTEN "${notifyChannel(this.opts.schema)}"`);
    this.listener = client;
  }
}
