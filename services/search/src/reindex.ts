// `npm run search:reindex`: rebuilds Search's read model from Catalog, for when it is lost, suspect, or was
// never fed (a database restored without the event history). Pages through Catalog's ListItems (archived
// items included) and writes every item unless the read model holds a newer version, so it can run while
// events keep flowing: nothing goes backwards, and a damaged row at the current version is rewritten. Items the read model holds
// but Catalog no longer lists are removed. Then every running Search process is told (core NATS
// `search.reindexed`) to rebuild its in-memory index from the new read model.
//
// Stock is not part of it: Inventory's events carry a per-item sequence that BatchGetAvailability does not, so
// stock stays as its events left it (replaying the INVENTORY stream rebuilds it).
//
// Settings: DATABASE_URL, NATS_URL, CATALOG_ADDR (as for the service); --page-size 200.
import { createClient } from "@connectrpc/connect";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { ServiceCredentials } from "../../lib/auth.js";
import { cliFlags } from "../../lib/cli.js";
import { loadConfig } from "../../lib/config.js";
import { openDatabase } from "../../lib/db.js";
import { createLogger } from "../../lib/log.js";
import { connectNats } from "../../lib/nats.js";
import { itemDocOf } from "./domain/events.js";
import type { ItemDoc } from "./index/documents.js";
import { REINDEXED_SUBJECT, searchDatabase } from "./main.js";
import { upsertItems } from "./store/read-model.js";
import { meshTransport } from "../../lib/transport.js";

async function main(): Promise<void> {
  const { "page-size": pageSize } = cliFlags({
    usage: "npm run search:reindex --",
    summary: "Rebuilds Search's read model from Catalog (archived items included; never goes backwards, so events may "
      + "keep flowing), then tells every running Search process to rebuild its index. Settings: DATABASE_URL, "
      + "NATS_URL, CATALOG_ADDR.",
    flags: { "page-size": { type: "int", default: 200, min: 1, max: 200, help: "items per ListItems page" } },
  });
  const config = loadConfig("search");
  const log = createLogger("search-reindex", config.logLevel);

  const ds = await openDatabase(config.databaseUrl, searchDatabase, 2, "search-reindex");
  const runner = ds.createQueryRunner();
  await runner.connect();
  const nats = await connectNats(config.natsUrl, "search-reindex");
  const credentials = ServiceCredentials.fromConfig("search", config);
  const catalog = createClient(CatalogService, meshTransport(config.addrs.catalog, 30_000));
  const call = { headers: await credentials.headers() };
  try {
    const [{ started }] = await runner.query(`SELECT now() AS started`);
    // Ids seen in Catalog, to find what the read model holds that Catalog no longer has (session-local table).
    await runner.query(`CREATE TEMP TABLE reindex_seen (item_id uuid PRIMARY KEY) ON COMMIT PRESERVE ROWS`);
    const t0 = Date.now();
    let listed = 0;
    let changed = 0;
    let lastLog = 0;
    let page = catalog.listItems({ pageSize, includeArchived: true }, call);
    for (;;) {
      const res = await page;
      // Ask for the next page while this one is written.
      if (res.nextPageToken) page = catalog.listItems({ pageSize, includeArchived: true, pageToken: res.nextPageToken }, call);
      const docs = res.items.map((item) => itemDocOf(item)).filter((d): d is ItemDoc => d !== undefined);
      changed += (await upsertItems(runner, docs, true)).length;
      await runner.query(`INSERT INTO reindex_seen SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`, [docs.map((d) => d.itemId)]);
      listed += docs.length;
      if (Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        log.info({ listed, changed, itemsPerSecond: Math.round(listed / ((Date.now() - t0) / 1000)) }, "reindexing");
      }
      if (!res.nextPageToken) break;
    }
    const removed: unknown[] = await runner.query(
      `DELETE FROM search.items i WHERE i.applied_at < $1 AND NOT EXISTS (SELECT 1 FROM reindex_seen s WHERE s.item_id = i.item_id)
       RETURNING 1`,
      [started],
    );
    nats.nc.publish(REINDEXED_SUBJECT);
    await nats.nc.flush();
    log.info({ listed, changed, removed: removed.length, seconds: Math.round((Date.now() - t0) / 100) / 10 }, "read model rebuilt; Search processes told to rebuild their index");
  } finally {
    await runner.release();
    await ds.destroy();
    await nats.nc.drain().catch(() => nats.nc.close());
  }
}

main().catch((err) => {
  createLogger("search-reindex").fatal({ err }, "reindex failed");
  process.exit(1);
});
