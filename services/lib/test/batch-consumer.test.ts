// The batch consumer runtime against the suite's NATS and Postgres: events a consumer's state does not depend on
// (its `relevant` says no) are acknowledged without a transaction, and the others are applied once each.
import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import type { DataSource, MigrationInterface, QueryRunner } from "typeorm";
import { StockChangedSchema } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { eventually, freshDatabase, isolatedConsumers, testInfra } from "../../../test/harness.js";
import { runBatchConsumer } from "../batch-consumer.js";
import type { RunningConsumer } from "../consumers.js";
import { openDatabase } from "../db.js";
import { EVENTS } from "../events.js";
import { createLogger } from "../log.js";
import { connectNats, ensureStreams, eventHeaders, type Nats } from "../nats.js";
import { eventTablesSql } from "../outbox.js";

const SCHEMA = "cart";

class Tables implements MigrationInterface {
  name = "BatchConsumerTables1700000000000";
  async up(q: QueryRunner): Promise<void> {
    for (const sql of eventTablesSql(SCHEMA).up) await q.query(sql);
    await q.query(`CREATE TABLE "${SCHEMA}".applied (item_id uuid NOT NULL, available int NOT NULL)`);
  }
  async down(): Promise<void> {}
}

describe("batch consumers skip the events their state does not depend on", () => {
  let nats: Nats;
  let ds: DataSource;
  let consumer: RunningConsumer;
  const env = isolatedConsumers();
  const durable = "batch-relevance";

  before(async () => {
    nats = await connectNats(testInfra().natsUrl, "batch-consumer-test");
    await ensureStreams(nats);
    ds = await openDatabase(await freshDatabase("batch"), { schema: SCHEMA, migrations: [Tables] }, 2, "batch-consumer-test");
    consumer = await runBatchConsumer(nats, ds, SCHEMA, {
      event: EVENTS.inventoryStockChanged, durable, batch: 10,
      relevant: (e) => !e.onlyWarehousesChanged,
      handleBatch: async (events, tx) => {
        for (const e of events) await tx.query(`INSERT INTO "${SCHEMA}".applied VALUES ($1, $2)`, [e.itemId, e.available]);
      },
    }, createLogger("batch-consumer-test", "silent"), env);
  });

  after(async () => {
    await consumer?.stop();
    await ds?.destroy();
    await nats?.nc.close();
  });

  it("acknowledges an allocation's event without writing it and applies the stock changes around it", async () => {
    const itemId = randomUUID();
    const sent = [
      { available: 5, onlyWarehousesChanged: false },
      { available: 5, onlyWarehousesChanged: true },
      { available: 4, onlyWarehousesChanged: false },
    ].map((e, i) => create(StockChangedSchema, { eventId: randomUUID(), itemId, sequence: BigInt(i + 1), ...e }));
    for (const e of sent) {
      await nats.js.publish(EVENTS.inventoryStockChanged.subject, toBinary(StockChangedSchema, e), { msgID: e.eventId, headers: eventHeaders(e.eventId) });
    }
    const info = await eventually(async () => {
      const i = await nats.jsm.consumers.info(EVENTS.inventoryStockChanged.stream, durable + env.EVENT_CONSUMER_SUFFIX);
      return i.num_pending === 0 && i.num_ack_pending === 0 && i.delivered.consumer_seq >= 3 && i;
    }, 10_000, "every event acknowledged");
    expect(info.num_redelivered).to.equal(0);
    const applied: { available: number }[] = await ds.query(`SELECT available FROM "${SCHEMA}".applied WHERE item_id = $1 ORDER BY available DESC`, [itemId]);
    expect(applied.map((r) => r.available)).to.deep.equal([5, 4]);
    const recorded: { event_id: string }[] = await ds.query(`SELECT event_id FROM "${SCHEMA}".processed_events ORDER BY event_id`);
    expect(recorded.map((r) => r.event_id)).to.have.members([sent[0].eventId, sent[2].eventId]);
    expect(consumer.stats).to.include({ applied: 2, failed: 0 });
  });
});
