// A durable consumer keeps consuming when its pull requests die on the server: its leader moves to another node
// of a 3-node cluster (the server answers the pull "409 Leadership Change"), or the durable is replaced under it
// (the pull is dropped). The nats client alone waits for missed heartbeats (30-45 s) and,
// after a disconnect, not always even then; runConsumer pulls afresh (consumers.ts consumeUntilStopped).
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { AckPolicy, DeliverPolicy } from "nats";
import type { DataSource, MigrationInterface, QueryRunner } from "typeorm";
import { OrderCancelledSchema } from "../../gen/shop/order/v1/order_pb.js";
import { openDatabase } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { runConsumer, type RunningConsumer } from "../../services/lib/consumers.js";
import { EVENTS } from "../../services/lib/events.js";
import { connectNats, ensureStreams, eventHeaders, streamSettings, type Nats } from "../../services/lib/nats.js";
import { eventTablesSql } from "../../services/lib/outbox.js";
import { freshDatabase, testInfra } from "../../test/harness.js";
import { startInfra, type Infra } from "../infra.js";

const SCHEMA = EVENTS.ordersCancelled.producer;
const DURABLE = "resume-test";
const log = createLogger("nats-consumer-resume-test", process.env.TEST_LOG_LEVEL ?? "silent");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class EventTables implements MigrationInterface {
  name = "EventTables1700000000000";
  async up(q: QueryRunner): Promise<void> {
    for (const sql of eventTablesSql(SCHEMA).up) await q.query(sql);
    await q.query(`CREATE TABLE "${SCHEMA}".received (event_id uuid NOT NULL)`);
  }
  async down(): Promise<void> {}
}

describe("a durable consumer whose pull dies on the server (3 JetStream nodes)", function () {
  this.timeout(240_000);
  let dataDir: string;
  let infra: Infra;
  let nats: Nats;
  let ds: DataSource;
  const stops: (() => Promise<unknown>)[] = [];

  before(async function () {
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "nats-consumer-resume-test-"));
    const { databaseUrl, redisUrl } = testInfra();
    infra = await startInfra({ dataDir, ephemeral: true, natsNodes: 3, databaseUrl, redisUrl, log: () => {} });
    nats = await connectNats(infra.natsUrl, "resume-test");
    await ensureStreams(nats, streamSettings({}), log);
    ds = await openDatabase(await freshDatabase("resume"), { schema: SCHEMA, migrations: [EventTables] }, 4, "resume-test");
    stops.push(() => ds.destroy());
    const consumerNats = await connectNats(infra.natsUrl, "resume-test-consumer");
    stops.push(() => consumerNats.nc.close());
    const consumer: RunningConsumer = await runConsumer(consumerNats, ds, SCHEMA, {
      event: EVENTS.ordersCancelled, durable: DURABLE, ackWaitMs: 60_000, stallMs: 2000,
      handle: async (_event, tx, meta) => {
        await tx.query(`INSERT INTO "${SCHEMA}".received (event_id) VALUES ($1)`, [meta.eventId]);
      },
    }, log);
    stops.push(() => consumer.stop());
  });

  after(async function () {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await nats?.nc.close().catch(() => {});
    await infra?.stop();
    await fsp.rm(dataDir, { recursive: true, force: true });
  });

  async function publish(): Promise<string> {
    const eventId = randomUUID();
    const event = create(OrderCancelledSchema, { eventId, orderId: randomUUID(), reason: "resume test" });
    await nats.js.publish(EVENTS.ordersCancelled.subject, toBinary(OrderCancelledSchema, event), { msgID: eventId, headers: eventHeaders(eventId) });
    return eventId;
  }

  /** Milliseconds until the event is applied, or undefined when it is not within `withinMs`. */
  async function appliedWithin(eventId: string, withinMs: number): Promise<number | undefined> {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      const rows: unknown[] = await ds.query(`SELECT 1 FROM "${SCHEMA}".received WHERE event_id = $1`, [eventId]);
      if (rows.length) return Date.now() - started;
      await sleep(200);
    }
    return undefined;
  }

  async function consumerLeader(): Promise<string | undefined> {
    for (let t = 0; t < 60; t++) {
      const leader = await nats.jsm.consumers.info("ORDERS", DURABLE).then((i) => i.cluster?.leader, () => undefined);
      if (leader) return leader;
      await sleep(250);
    }
    return undefined;
  }

  it("applies events published after its leader moved to another node within seconds", async function () {
    expect(await appliedWithin(await publish(), 30_000), "first event").to.be.a("number");
    for (let round = 0; round < 2; round++) {
      const before = await consumerLeader();
      const r = await nats.nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.${DURABLE}`, undefined, { timeout: 10_000 });
      expect(new TextDecoder().decode(r.data)).to.contain('"success":true');
      const after = await consumerLeader();
      expect(after, "a new leader").to.be.a("string").and.not.equal(before);
      expect(await appliedWithin(await publish(), 15_000), `event after leader change ${round + 1}`).to.be.a("number");
    }
  });

  it("applies events published after its durable was replaced under it", async function () {
    const info = await nats.jsm.consumers.info("ORDERS", DURABLE);
    await nats.jsm.consumers.delete("ORDERS", DURABLE);
    await nats.jsm.consumers.add("ORDERS", {
      durable_name: DURABLE, filter_subject: info.config.filter_subject, ack_policy: AckPolicy.Explicit,
      ack_wait: info.config.ack_wait, max_ack_pending: info.config.max_ack_pending,
      deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: info.delivered.stream_seq + 1,
    });
    expect(await appliedWithin(await publish(), 15_000), "event after the durable was replaced").to.be.a("number");
  });
});
