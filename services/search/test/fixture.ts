// Shared set-up for the search service tests: Catalog, Inventory and Search running for real on a fresh
// database (own durable consumers, starting at new events), a small catalog created through Catalog's
// CreateItem, clients and direct SQL.
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { CatalogService, CreateItemRequestSchema, type Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { SearchService, type GetItemCatalogRequestSchema, type GetItemCatalogResponse } from "../../../gen/shop/search/v1/search_pb.js";

export type CatalogQuery = MessageInitShape<typeof GetItemCatalogRequestSchema>;
import { money } from "../../lib/money.js";
import type { RunningService } from "../../lib/server.js";
import { bearer, eventually, isolatedConsumers, startServices, tokenFor } from "../../../test/harness.js";
import { catalog } from "../../catalog/src/main.js";
import { inventory } from "../../inventory/src/main.js";
import { search } from "../src/main.js";

export const CATEGORIES = {
  tvAndHomeTheater: "abcat0100000",
  tvs: "abcat0101000",
  tvMounts: "abcat0106004",
  headphones: "abcat0204000",
  laptops: "abcat0502000",
  phoneCases: "abcat0811006",
  appliances: "abcat0900000",
  refrigerators: "abcat0901000",
} as const;

type Draft = Omit<MessageInitShape<typeof CreateItemRequestSchema>, "price"> & { name: string; brand: string; categoryId: string; dollars: number };

/** The small catalog the relevance and filter tests are written against. Keys name the items in assertions. */
export const FIXTURE_ITEMS: Record<string, Draft> = {
  samsungQled: { name: 'Samsung 65" Class QLED 4K Smart TV', brand: "Samsung", categoryId: CATEGORIES.tvs, dollars: 1299.99, description: "Quantum dot color and a bright 4K picture." },
  samsungCrystal: { name: 'Samsung 55" Class Crystal UHD Smart TV', brand: "Samsung", categoryId: CATEGORIES.tvs, dollars: 479.99, description: "Crystal clear 4K for everyday viewing." },
  lgOled: { name: 'LG 65" Class OLED evo 4K Smart TV', brand: "LG", categoryId: CATEGORIES.tvs, dollars: 1799.99, description: "Perfect blacks with self-lit pixels." },
  sonyBravia: { name: 'Sony 55" BRAVIA XR 4K Google TV', brand: "Sony", categoryId: CATEGORIES.tvs, dollars: 999.99, description: "Cognitive processor for lifelike pictures." },
  sanusMount: { name: "Sanus Full-Motion TV Mount for Samsung TVs", brand: "Sanus", categoryId: CATEGORIES.tvMounts, dollars: 149.99, description: "Fits Samsung and LG televisions from 42 to 90 inches." },
  sonyHeadphones: { name: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones", brand: "Sony", categoryId: CATEGORIES.headphones, dollars: 399.99, description: "Industry-leading noise cancellation." },
  boseEarbuds: { name: "QuietComfort Ultra Earbuds", brand: "Bose", categoryId: CATEGORIES.headphones, dollars: 299.99, description: "Immersive audio with world-class quiet." },
  budgetEarbuds: { name: "Soundcore Life Earbuds", brand: "Anker", categoryId: CATEGORIES.headphones, dollars: 49.99, description: "A budget alternative to Bose earbuds with long battery life." },
  airpodsMax: { name: "Apple AirPods Max", brand: "Apple", categoryId: CATEGORIES.headphones, dollars: 549.99, description: "Over-ear headphones with computational audio." },
  macbookAir: { name: 'Apple MacBook Air 13" Laptop', brand: "Apple", categoryId: CATEGORIES.laptops, dollars: 999.99, description: "Thin and light with all-day battery." },
  dellXps: { name: "Dell XPS 13 Laptop", brand: "Dell", categoryId: CATEGORIES.laptops, dollars: 1199.99, description: "InfinityEdge display in a compact body." },
  otterboxCase: { name: "OtterBox Defender Case for iPhone 15", brand: "OtterBox", categoryId: CATEGORIES.phoneCases, dollars: 59.99, description: "Rugged protection against drops." },
  galaxyCase: { name: "Samsung Galaxy S24 Silicone Case", brand: "Samsung", categoryId: CATEGORIES.phoneCases, dollars: 29.99, description: "Soft-touch silicone in six colors." },
  whirlpoolFrenchDoor: { name: "Whirlpool 25 Cu. Ft. French Door", brand: "Whirlpool", categoryId: CATEGORIES.refrigerators, dollars: 2199.99, description: "Spacious fresh-food storage with an ice maker." },
  iceMakerKit: { name: "Bosch Ice Maker Kit", brand: "Bosch", categoryId: CATEGORIES.appliances, dollars: 89.99, description: "Fits most refrigerator models with a water line." },
  echoDot: { name: "Echo Dot", brand: "Amazon", categoryId: CATEGORIES.headphones, dollars: 49.99, description: "Smart speaker with Alexa." },
  echoDotCase: { name: "Echo Dot Kids Edition Case Cover", brand: "Generic", categoryId: CATEGORIES.phoneCases, dollars: 14.99, description: "A playful cover for your Echo Dot smart speaker." },
  phoneHolder: { name: "Anker Phone Holder", brand: "Anker", categoryId: CATEGORIES.phoneCases, dollars: 19.99, description: "Keeps your phone steady." },
  carMount: { name: "Belkin Car Vent Mount", brand: "Belkin", categoryId: CATEGORIES.phoneCases, dollars: 24.99, description: "A sturdy holder for phones while you drive." },
};

export type FixtureKey = keyof typeof FIXTURE_ITEMS;

export interface SearchFixture {
  search: Client<typeof SearchService>;
  catalog: Client<typeof CatalogService>;
  inventory: Client<typeof InventoryService>;
  admin: { headers: { authorization: string } };
  running: Record<string, RunningService>;
  databaseUrl: string;
  /** The environment the services were started with (a second Search replica reuses it). */
  env: Record<string, string>;
  sql: pg.Pool;
  /** Items created by createFixtureItems, by key. */
  items: Record<string, Item>;
  stop(): Promise<void>;
  createItem(draft: Draft): Promise<Item>;
  /** Creates every fixture item and waits until Search has them all. */
  createFixtureItems(): Promise<void>;
  /** Receives units of an item at the fixture's warehouse (created on first use). */
  receive(itemId: string, units: number): Promise<void>;
  /** Item ids of a query's first page. */
  ids(req: CatalogQuery): Promise<string[]>;
  query(req: CatalogQuery): Promise<GetItemCatalogResponse>;
  keyOf(itemId: string): string | undefined;
}

export async function startSearchFixture(env: Record<string, string> = {}): Promise<SearchFixture> {
  // The fixture catalog is tiny: cache every query, so the cache is exercised.
  const fullEnv = { ...isolatedConsumers(), CATALOG_LOAD_CATEGORIES: "true", SEARCH_CACHE_MIN_CANDIDATES: "0", ...env };
  const mesh = await startServices([catalog, inventory, search], { env: fullEnv });
  const transport = (name: string) => createGrpcTransport({ baseUrl: mesh.services[name].url });
  const searchClient = createClient(SearchService, transport("search"));
  const catalogClient = createClient(CatalogService, transport("catalog"));
  const inventoryClient = createClient(InventoryService, transport("inventory"));
  const admin = bearer(await tokenFor("admin"));
  const sql = new pg.Pool({ connectionString: mesh.databaseUrl, max: 3 });
  const items: Record<string, Item> = {};
  let warehouseId: string | undefined;
  const f: SearchFixture = {
    search: searchClient, catalog: catalogClient, inventory: inventoryClient, admin, running: mesh.services,
    databaseUrl: mesh.databaseUrl, env: fullEnv, sql, items,
    async stop() {
      await sql.end();
      await mesh.stop();
    },
    async createItem(d) {
      const req = create(CreateItemRequestSchema, {
        sku: d.sku ?? `S-${randomUUID().slice(0, 13)}`, name: d.name, brand: d.brand, categoryId: d.categoryId,
        description: d.description ?? "", imageUrl: d.imageUrl ?? "https://images.shop-mesh.dev/items/test.jpg",
        attributes: d.attributes ?? {}, price: money(BigInt(Math.round(d.dollars * 100))),
      });
      return (await catalogClient.createItem(req, admin)).item!;
    },
    async createFixtureItems() {
      for (const [key, draft] of Object.entries(FIXTURE_ITEMS)) items[key] = await f.createItem(draft);
      const want = Object.keys(FIXTURE_ITEMS).length;
      await eventually(async () => (await f.query({ pageSize: 100 })).totalSize === BigInt(want), 10_000, "search has the fixture items");
    },
    async receive(itemId, units) {
      warehouseId ??= (await inventoryClient.createWarehouse({
        code: `SRCH-${randomUUID().slice(0, 6)}`, name: "Search test warehouse", location: { lat: 44.97, lon: -93.26 }, priority: 1,
        address: { recipient: "Dock", line1: "1 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "US" },
      }, admin)).warehouse!.id;
      await inventoryClient.receiveStock({ warehouseId, itemId, quantity: units, reference: "search test" }, admin);
    },
    async query(req) {
      return searchClient.getItemCatalog(req);
    },
    async ids(req) {
      return (await searchClient.getItemCatalog(req)).items.map((i) => i.itemId);
    },
    keyOf(itemId) {
      return Object.keys(items).find((k) => items[k].id === itemId);
    },
  };
  return f;
}
