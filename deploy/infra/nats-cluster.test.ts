// A 3-node JetStream cluster (NATS_NODES=3): streams get 3 replicas and the configured limits, the event
// pipeline (outbox -> relay -> JetStream -> durable consumer) loses and doubles nothing while one node is
// killed with SIGKILL mid-stream, and a durable consumer keeps consuming when its pull requests die on the server:
// its leader moves to another node (the server answers the pull "409 Leadership Change"), or the durable is
// replaced under it (the pull is dropped). The nats client alone waits for missed heartbeats (30-45 s) and, after
// a disconnect, not always even then; runConsumer pulls afresh (consumers.ts consumeUntilStopped).
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { AckPolicy, DeliverPolicy, StorageType } from "nats";
import type { DataSource, MigrationInterface, QueryRunner } from "typeorm";
import { OrderCancelledSchema } from "../../gen/shop/order/v1/order_pb.js";
import { inTransaction, openDatabase } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { runConsumer, type RunningConsumer } from "../../services/lib/consumers.js";
import { EVENTS } from "../../services/lib/events.js";
import { connectNats, ensureStreams, eventHeaders, streamSettings, type Nats } from "../../services/lib/nats.js";
import { enqueueEvent, eventTablesSql, OutboxRelay } from "../../services/lib/outbox.js";
import { eventually, freshDatabase, testInfra } from "../../test/harness.js";
import { startInfra, type Infra } from "../infra.js";

// The outbox of the event's producer (the event catalog says order writes orders.cancelled), in a fresh database.
const SCHEMA = EVENTS.ordersCancelled.producer;
const log = createLogger("nats-cluster-test", process.env.TEST_LOG_LEVEL ?? "silent");

class EventTables implements MigrationInterface {
  name = "EventTables1700000000000";
  async up(q: QueryRunner): Promise<void> {
    for (const sql of eventTablesSql(SCHEMA).up) await q.query(sql);
    // the consumer's effect: one row per handling, no unique key, so a doubled effect shows as a second row
    await q.query(`CREATE TABLE "${SCHEMA}".received (event_id uuid NOT NULL)`);
  }
  async down(): Promise<void> {}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("NATS cluster (3 JetStream nodes)", function () {
  this.timeout(240_000);
  let dataDir: string;
  let infra: Infra;
  let nats: Nats;
  let ds: DataSource;
  const stops: (() => Promise<unknown>)[] = [];

  before(async function () {
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "nats-cluster-test-"));
    const { databaseUrl, redisUrl } = testInfra();
    infra = await startInfra({ dataDir, ephemeral: true, natsNodes: 3, databaseUrl, redisUrl, log: () => {} });
    nats = await connectNats(infra.natsUrl, "cluster-test");
  });

  after(async function () {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await nats?.nc.close().catch(() => {});
    await infra?.stop();
    await fsp.rm(dataDir, { recursive: true, force: true });
  });

  /** Stream info once the stream has a leader and two followers (a grown stream or a restarted node catches up). */
  async function streamSettled(name: string) {
    let info = await nats.jsm.streams.info(name);
    for (let t = 0; t < 120 && !(info.cluster?.leader && info.cluster.replicas?.length === 2); t++) {
      await sleep(250);
      info = await nats.jsm.streams.info(name).catch(() => info);
    }
    return info;
  }

  it("lists every node in NATS_URL and creates streams with 3 replicas and the configured limits, updating an existing one", async function () {
    expect(infra.natsUrl.split(",")).to.have.length(3);
    expect(infra.natsNodes.map((n) => n.url)).to.deep.equal(infra.natsUrl.split(","));
    // a stream created earlier with one replica and no limits (as before the cluster) is brought to the settings
    await nats.jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], storage: StorageType.File, num_replicas: 1 });
    await ensureStreams(nats, streamSettings({ EVENTS_MAX_AGE: "2d", EVENTS_MAX_BYTES: "256MiB" }), log);
    for (const name of ["CATALOG", "INVENTORY", "ORDERS", "WAREHOUSE"]) {
      const info = await streamSettled(name);
      expect(info.config.num_replicas, name).to.equal(3);
      expect(info.config.max_age, name).to.equal(2 * 86_400 * 1e9);
      expect(info.config.max_bytes, name).to.equal(256 * 1024 ** 2);
      expect(info.cluster?.leader, name).to.be.a("string");
      expect(info.cluster?.replicas, name).to.have.length(2); // the leader plus two followers
    }
  });

  it("delivers every event exactly once to a durable consumer while one node is killed with SIGKILL", async function () {
    const N = 400;
    const databaseUrl = await freshDatabase("cluster");
    ds = await openDatabase(databaseUrl, { schema: SCHEMA, migrations: [EventTables] }, 6, "cluster-test");
    stops.push(() => ds.destroy());
    const relay = new OutboxRelay(ds, nats, databaseUrl, log, { schema: SCHEMA, pollMs: 100 });
    await relay.start();
    stops.push(() => relay.stop());
    const consumerNats = await connectNats(infra.natsUrl, "cluster-test-consumer");
    stops.push(() => consumerNats.nc.close());
    const consumer: RunningConsumer = await runConsumer(consumerNats, ds, SCHEMA, {
      event: EVENTS.ordersCancelled, durable: "cluster-test", ackWaitMs: 5000,
      handle: async (_event, tx, meta) => {
        await tx.query(`INSERT INTO "${SCHEMA}".received (event_id) VALUES ($1)`, [meta.eventId]);
      },
    }, log);
    stops.push(() => consumer.stop());

    // the node that leads ORDERS is the one whose loss hurts most: kill it a third of the way through
    const leaderName = (await nats.jsm.streams.info("ORDERS")).cluster!.leader!;
    const victim = infra.natsNodes.find((n) => n.serverName === leaderName)!;
    expect(victim, `leader ${leaderName} is one of ours`).to.not.equal(undefined);
    for (let i = 0; i < N; i++) {
      if (i === Math.floor(N / 3)) await victim.kill();
      if (i === Math.floor((2 * N) / 3)) expect(victim.running()).to.equal(false);
      await inTransaction(ds, (tx) => enqueueEvent(tx, EVENTS.ordersCancelled,
        create(OrderCancelledSchema, { eventId: randomUUID(), orderId: randomUUID(), reason: `event ${i}` })));
      await sleep(10);
    }

    const deadline = Date.now() + 120_000;
    let received = 0;
    while (Date.now() < deadline) {
      [{ received }] = await ds.query(`SELECT count(*)::int AS received FROM "${SCHEMA}".received`);
      if (received >= N) break;
      await sleep(250);
    }
    await sleep(1000); // a late redelivery would show up now
    const [counts] = await ds.query(
      `SELECT (SELECT count(*)::int FROM "${SCHEMA}".received) AS received,
              (SELECT count(DISTINCT event_id)::int FROM "${SCHEMA}".received) AS distinct_events,
              (SELECT count(*)::int FROM "${SCHEMA}".outbox WHERE published_at IS NULL) AS unpublished`,
    );
    expect(counts).to.deep.equal({ received: N, distinct_events: N, unpublished: 0 });

    // the stream kept its replicas: a new leader among the survivors, the killed node back as a follower
    await victim.start();
    const info = await streamSettled("ORDERS");
    expect(info.config.num_replicas, JSON.stringify(info.cluster)).to.equal(3);
    expect(info.cluster?.replicas?.map((r) => r.name)).to.include(victim.serverName);
    expect(info.state.messages).to.equal(N);
  });

  describe("a durable consumer whose pull dies on the server", function () {
    const DURABLE = "resume-test";
    let resumeDs: DataSource;

    before(async function () {
      resumeDs = await openDatabase(await freshDatabase("resume"), { schema: SCHEMA, migrations: [EventTables] }, 4, "resume-test");
      stops.push(() => resumeDs.destroy());
      const consumerNats = await connectNats(infra.natsUrl, "resume-test-consumer");
      stops.push(() => consumerNats.nc.close());
      const consumer: RunningConsumer = await runConsumer(consumerNats, resumeDs, SCHEMA, {
        event: EVENTS.ordersCancelled, durable: DURABLE, ackWaitMs: 60_000, stallMs: 2000,
        handle: async (_event, tx, meta) => {
          await tx.query(`INSERT INTO "${SCHEMA}".received (event_id) VALUES ($1)`, [meta.eventId]);
        },
      }, log);
      stops.push(() => consumer.stop());
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
        const rows: unknown[] = await resumeDs.query(`SELECT 1 FROM "${SCHEMA}".received WHERE event_id = $1`, [eventId]);
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
        // The cluster refuses a step-down while no other replica is current (the node killed above may still be
        // catching up), and an election may give the old leader back: ask again until another node leads.
        const after = await eventually(async () => {
          const r = await nats.nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.${DURABLE}`, undefined, { timeout: 10_000 });
          if (!new TextDecoder().decode(r.data).includes('"success":true')) return false;
          // The consumer's info names the old leader until the election is over.
          for (let t = 0; t < 40; t++) {
            const l = await consumerLeader();
            if (l && l !== before) return l;
            await sleep(250);
          }
          return false;
        }, 90_000, "a new consumer leader");
        expect(after, "a new leader").to.be.a("string").and.not.equal(before);
        expect(await appliedWithin(await publish(), 15_000), `event after leader change ${round + 1}`).to.be.a("number");
      }
    });

    it("applies events published after its durable was replaced under it", async function () {
      // JetStream API calls time out while the cluster moves leaders after the step-downs above: retried.
      const info = await eventually(() => nats.jsm.consumers.info("ORDERS", DURABLE), 60_000, "the durable's info");
      await eventually(() => nats.jsm.consumers.delete("ORDERS", DURABLE), 60_000, "the durable deleted");
      await eventually(() => nats.jsm.consumers.add("ORDERS", {
        durable_name: DURABLE, filter_subject: info.config.filter_subject, ack_policy: AckPolicy.Explicit,
        ack_wait: info.config.ack_wait, max_ack_pending: info.config.max_ack_pending,
        deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: info.delivered.stream_seq + 1,
      }), 60_000, "the durable created again");
      expect(await appliedWithin(await publish(), 15_000), "event after the durable was replaced").to.be.a("number");
    });
  });
});
