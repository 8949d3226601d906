// The durable consumers that keep the read model in Postgres: catalog.items.changed and
// inventory.stock.changed. Each batch of events is applied in the transaction that records their ids, and an
// item or stock row only when newer than what is stored (item version, stock sequence): replaying a whole
// stream converges to the same rows.
import { fromBinary } from "@bufbuild/protobuf";
import type { JsMsg } from "nats";
import type { DataSource } from "typeorm";
import { ItemChangedSchema } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { StockChangedSchema } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import type { Logger } from "../../lib/log.js";
import { consumerPlacement, SUBJECTS, type Nats, type RunningConsumer } from "../../lib/nats.js";
import { runBatchConsumer } from "./batch-consumer.js";
import { itemDocOf, stockDocOf } from "./domain/events.js";
import type { StreamFollow } from "./feed.js";
import type { ItemDoc, StockDoc } from "./index/documents.js";
import { upsertItems, upsertStock } from "./store/read-model.js";

export const DURABLES = { catalog: "search-catalog", stock: "search-stock" } as const;

/** The streams Search follows, with the durable names this process's environment gives them. */
export function follows(env: Record<string, string | undefined>): StreamFollow[] {
  const { durableSuffix } = consumerPlacement(env);
  return [
    { stream: "CATALOG", subject: SUBJECTS.catalogItemChanged, durable: DURABLES.catalog + durableSuffix, kind: "item" },
    { stream: "INVENTORY", subject: SUBJECTS.inventoryStockChanged, durable: DURABLES.stock + durableSuffix, kind: "stock" },
  ];
}

export async function startReadModelConsumers(
  nats: Nats, ds: DataSource, log: Logger, env: Record<string, string | undefined>, batch: number,
): Promise<RunningConsumer[]> {
  const decodeAll = <T>(msgs: JsMsg[], read: (m: JsMsg) => T | undefined): T[] => msgs.flatMap((m) => {
    try {
      const doc = read(m);
      return doc ? [doc] : [];
    } catch (err) {
      // A payload that is not the announced message is recorded as processed and skipped, not retried forever.
      log.warn({ err, subject: m.subject, seq: m.seq }, "undecodable event skipped");
      return [];
    }
  });
  const catalog = await runBatchConsumer(nats, ds, {
    stream: "CATALOG", durable: DURABLES.catalog, filterSubject: SUBJECTS.catalogItemChanged, schema: "search", batch,
    handle: async (msgs, tx) => {
      await upsertItems(tx, decodeAll<ItemDoc>(msgs, (m) => itemDocOf(fromBinary(ItemChangedSchema, m.data).item)));
    },
  }, log, env);
  const stock = await runBatchConsumer(nats, ds, {
    stream: "INVENTORY", durable: DURABLES.stock, filterSubject: SUBJECTS.inventoryStockChanged, schema: "search", batch,
    handle: async (msgs, tx) => {
      await upsertStock(tx, decodeAll<StockDoc>(msgs, (m) => stockDocOf(fromBinary(StockChangedSchema, m.data))));
    },
  }, log, env);
  return [catalog, stock];
}
