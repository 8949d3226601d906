// Catalog service wiring (placeholder until its handlers land: every RPC answers Unimplemented).
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";

export const catalog: ServiceModule = {
  name: "catalog",
  nats: true,
  async build() {
    return { routes: (router) => router.service(CatalogService, {}) };
  },
};

runIfEntry(import.meta.url, catalog);
