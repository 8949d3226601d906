// Shared by the catalog test files: a running catalog with clients and tokens.
import { create } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CatalogService, CreateItemRequestSchema, type CreateItemRequest } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { money } from "../../lib/money.js";
import type { RunningService } from "../../lib/server.js";
import { bearer, startServices, tokenFor } from "../../../test/harness.js";
import { catalog } from "../src/main.js";

export interface CatalogUnderTest {
  running: RunningService;
  client: Client<typeof CatalogService>;
  admin: { headers: { authorization: string } };
  customer: { headers: { authorization: string } };
  stop(): Promise<void>;
}

export async function startCatalog(env: Record<string, string> = {}): Promise<CatalogUnderTest> {
  const mesh = await startServices([catalog], { env });
  const running = mesh.services.catalog;
  return {
    running,
    client: createClient(CatalogService, createGrpcTransport({ baseUrl: running.url })),
    admin: bearer(await tokenFor("admin")),
    customer: bearer(await tokenFor("customer")),
    stop: () => mesh.stop(),
  };
}

let n = 0;
/** A valid CreateItem request; a unique SKU per call. TVs ("abcat0101000") unless told otherwise. */
export function newItem(overrides: Partial<CreateItemRequest> = {}): CreateItemRequest {
  n += 1;
  return create(CreateItemRequestSchema, {
    sku: `TEST-${process.pid}-${Date.now().toString(36)}-${n}`,
    name: `Test Television ${n}`,
    description: "A television used by the tests.",
    brand: "Insignia",
    categoryId: "abcat0101000",
    price: money(19999n),
    imageUrl: "https://images.shop-mesh.dev/items/test.jpg",
    attributes: { screen_size: "55 in" },
    ...overrides,
  });
}
