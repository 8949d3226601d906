// Every item change reaches JetStream `catalog.items.changed` through the outbox, as protobuf ItemChanged with
// Nats-Msg-Id = event id.
import { fromBinary } from "@bufbuild/protobuf";
import { expect } from "chai";
import { connect, DeliverPolicy, type ConsumerMessages, type NatsConnection } from "nats";
import { ItemChangeType, ItemChangedSchema, ItemStatus, type ItemChanged } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { EVENTS } from "../../lib/events.js";
import { OutboxRelay } from "../../lib/outbox.js";
import { eventually, testInfra } from "../../../test/harness.js";
import { newItem, startCatalog, type CatalogUnderTest } from "./helpers.js";

describe("catalog outbox", function () {
  let c: CatalogUnderTest;
  let nc: NatsConnection;
  let messages: ConsumerMessages;
  const received: { event: ItemChanged; msgId: string | undefined }[] = [];

  before(async () => {
    c = await startCatalog();
    nc = await connect({ servers: testInfra().natsUrl });
    // Other test files publish on the same stream: start from now and match our own item ids.
    const consumer = await nc.jetstream().consumers.get("CATALOG", {
      filterSubjects: EVENTS.catalogItemChanged.subject, // a string: nats-server 2.9 knows filter_subject, not filter_subjects
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(Date.now() - 1000).toISOString(),
    });
    messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) {
        received.push({ event: fromBinary(ItemChangedSchema, m.data), msgId: m.headers?.get("Nats-Msg-Id") });
      }
    })();
  });

  after(async () => {
    await messages?.close();
    await nc?.close();
    await c?.stop();
  });

  const eventsFor = (itemId: string) => received.filter((r) => r.event.item?.id === itemId);

  it("publishes CREATED, UPDATED and ARCHIVED for an item's life, each with Nats-Msg-Id = event id", async () => {
    const started = Date.now();
    const { item } = await c.client.createItem(newItem(), c.admin);
    const created = await eventually(async () => eventsFor(item!.id)[0], 3000, "CREATED event");
    const latencyMs = Date.now() - started;
    expect(created.event.changeType).to.equal(ItemChangeType.CREATED);
    expect(created.event.item).to.deep.equal(item);
    expect(created.event.eventId).to.match(/^[0-9a-f-]{36}$/);
    expect(created.msgId).to.equal(created.event.eventId);
    expect(latencyMs).to.be.below(3000);

    await c.client.updateItem({ itemId: item!.id, expectedVersion: 1n, name: "Renamed" }, c.admin);
    await c.client.archiveItem({ itemId: item!.id }, c.admin);
    await c.client.archiveItem({ itemId: item!.id }, c.admin); // idempotent: no second ARCHIVED
    const events = await eventually(async () => (eventsFor(item!.id).length >= 3 ? eventsFor(item!.id) : undefined), 3000, "three events");
    expect(events.map((e) => e.event.changeType)).to.deep.equal([ItemChangeType.CREATED, ItemChangeType.UPDATED, ItemChangeType.ARCHIVED]);
    expect(events.map((e) => e.event.item!.version)).to.deep.equal([1n, 2n, 3n]);
    expect(events[1].event.item!.name).to.equal("Renamed");
    expect(events[2].event.item!.status).to.equal(ItemStatus.ARCHIVED);
    expect(new Set(events.map((e) => e.msgId)).size).to.equal(3);
  });

  it("publishes nothing for a refused write", async () => {
    const { item } = await c.client.createItem(newItem(), c.admin);
    await eventually(async () => eventsFor(item!.id)[0], 3000, "CREATED event");
    await c.client.updateItem({ itemId: item!.id, expectedVersion: 7n, name: "stale" }, c.admin).catch(() => undefined);
    await c.client.updateItem({ itemId: item!.id, expectedVersion: 1n, name: "" }, c.admin).catch(() => undefined);
    // A later accepted change arrives; nothing in between.
    await c.client.updateItem({ itemId: item!.id, expectedVersion: 1n, brand: "Later" }, c.admin);
    const events = await eventually(async () => (eventsFor(item!.id).length >= 2 ? eventsFor(item!.id) : undefined), 3000, "UPDATED event");
    expect(events).to.have.length(2);
    expect(events[1].event.item!.brand).to.equal("Later");
    // The relay marks a row published after JetStream acknowledged it, a moment after a subscriber may see it.
    await eventually(async () => {
      const [{ pending }] = await c.running.ctx.db.query(`SELECT count(*)::int AS pending FROM catalog.outbox WHERE published_at IS NULL`);
      return pending === 0;
    }, 3000, "no unpublished rows");
  });

  it("deletes published rows past their retention in batches, through an index, and keeps the rest", async () => {
    const { db, nats, config, log } = c.running.ctx;
    const row = `gen_random_uuid(), 'test.cleanup', 'test', '\\x00'::bytea`;
    await db.query(`INSERT INTO catalog.outbox (event_id, subject, message_type, payload, published_at)
                    SELECT ${row}, now() - interval '2 days' FROM generate_series(1, 12000)`);
    await db.query(`INSERT INTO catalog.outbox (event_id, subject, message_type, payload, published_at)
                    SELECT ${row}, now() - interval '1 hour' FROM generate_series(1, 10)`);
    await db.query(`INSERT INTO catalog.outbox (event_id, subject, message_type, payload, created_at)
                    SELECT ${row}, now() - interval '2 days' FROM generate_series(1, 3)`);
    const relay = new OutboxRelay(db, nats, config.databaseUrl, log, { schema: "catalog" });
    expect(await relay.deleteExpired()).to.equal(12000);
    const left = await db.query(`SELECT (published_at IS NULL) AS unpublished, count(*)::int AS n FROM catalog.outbox
                                 WHERE subject = 'test.cleanup' GROUP BY 1 ORDER BY 1`);
    expect(left).to.deep.equal([{ unpublished: false, n: 10 }, { unpublished: true, n: 3 }]);
    await db.query(`DELETE FROM catalog.outbox WHERE subject = 'test.cleanup'`);
    // The cleanup's lookup can use outbox_published (a seq scan read a million rows every minute).
    const plan = await db.transaction(async (m) => {
      await m.query(`SET LOCAL enable_seqscan = off`);
      return m.query(`EXPLAIN SELECT event_id FROM catalog.outbox WHERE published_at IS NOT NULL AND published_at < now() - interval '1 day' LIMIT 5000`);
    });
    expect(JSON.stringify(plan)).to.contain("outbox_published");
  });
});
