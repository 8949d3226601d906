// Search service wiring. Its RPCs answer Unimplemented until its issue lands; health still reports its real
// dependencies.
import { SearchService } from "../../../gen/shop/search/v1/search_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";

export const search: ServiceModule = {
  name: "search",
  redis: true,
  nats: true,
  async build() {
    return { routes: (router) => router.service(SearchService, {}) };
  },
};

runIfEntry(import.meta.url, search);
