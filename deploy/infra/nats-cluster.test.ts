// A 3-node JetStream cluster (NATS_NODES=3): streams get 3 replicas and the configured limits, and the event
// pipeline (outbox -> relay -> JetStream -> durable consumer) loses and doubles nothing while one node is
// killed with SIGKILL mid-stream.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { StorageType } from "nats";
import type { DataSource, MigrationInterface, QueryRunner } from "typeorm";
import { OrderCancelledSchema } from "../../gen/shop/order/v1/order_pb.js";
import { inTransaction, openDatabase } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { connectNats, ensureStreams, runConsumer, streamSettings, type Nats, type RunningConsumer } from "../../services/lib/nats.js";
import { enqueueEvent, eventTablesSql, OutboxRelay } from "../../services/lib/outbox.js";
import { freshDatabase, testInfra } from "../../test/harness.js";
import { startInfra, type Infra } from "../infra.js";

const SCHEMA = "cluster_test";
const SUBJECT = "orders.cancelled";
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
    const consumer: RunningConsumer = await runConsumer(consumerNats, ds, {
      stream: "ORDERS", durable: "cluster-test", filterSubject: SUBJECT, schema: SCHEMA, ackWaitMs: 5000,
      handle: async (msg, tx) => {
        await tx.query(`INSERT INTO "${SCHEMA}".received (event_id) VALUES ($1)`, [msg.headers!.get("Nats-Msg-Id")]);
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
      await inTransaction(ds, (tx) => enqueueEvent(tx, SCHEMA, SUBJECT, OrderCancelledSchema,
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
});
