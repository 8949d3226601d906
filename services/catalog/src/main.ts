// Catalog service wiring: schema, handlers, the outbox (catalog.items.changed), and the category tree
// loaded at start when missing (categories are reference data the service cannot work without).
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import type { DatabaseSpec } from "../../lib/db.js";
import { runIfEntry } from "../../lib/main.js";
import { outboxCleanupIndex, outboxTraceContext } from "../../lib/outbox.js";
import type { ServiceModule } from "../../lib/server.js";
import { catalogHandlers } from "./service.js";
import { CatalogSchema1732200000000 } from "./store/migrations/1732200000000-CatalogSchema.js";
import { seedCategories } from "./store/seed.js";

export const catalogDatabase: DatabaseSpec = {
  schema: "catalog",
  migrations: [CatalogSchema1732200000000, outboxCleanupIndex("catalog"), outboxTraceContext("catalog")],
};

export const catalog: ServiceModule = {
  name: "catalog",
  database: catalogDatabase,
  outbox: true,
  async build(ctx) {
    // CATALOG_LOAD_CATEGORIES=false skips it (a deployment that manages its own tree).
    if ((ctx.config.env.CATALOG_LOAD_CATEGORIES ?? "true") !== "false") {
      const n = await seedCategories(ctx.db);
      ctx.log.debug({ categories: n }, "category tree present");
    }
    return {
      routes: (router) => {
        router.service(CatalogService, catalogHandlers(ctx.db));
      },
    };
  },
};

runIfEntry(import.meta.url, catalog);
