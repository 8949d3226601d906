// What the ordering benchmarks (bench:checkout, bench:chaos) share: their buyers' flags, the test card and
// address, the items they create with plenty of stock, and how a virtual buyer picks a cart.
import { randomUUID } from "node:crypto";
import type { Client } from "@connectrpc/connect";
import type { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import type { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import type { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import type { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { money } from "../../services/lib/money.js";
import { pool } from "./stack.js";

export const CARD = { number: "4242424242424242", expiryMonth: 12, expiryYear: new Date().getFullYear() + 3, cvc: "123", holderName: "Bench Buyer" };
export const ADDRESS = { recipient: "Bench Buyer", line1: "1 Main St", city: "Minneapolis", region: "MN", postalCode: "55401", countryCode: "US" };

type CallOptions = { headers: Record<string, string> };

/** The flags saying how many buyers order at once, as how many customers, over how many items. */
export function buyerFlags(defaults: { users: number; items: number; concurrency: number }) {
  return {
    users: { type: "int", default: defaults.users, min: 1, help: "customer accounts the buyers use" },
    items: { type: "int", default: defaults.items, min: 3, help: "items created for the run" },
    concurrency: { type: "int", default: defaults.concurrency, min: 1, help: "buyers at once" },
  } as const;
}

/**
 * Creates `count` items with a million units each: each at one warehouse, a third of them at a second one too,
 * so multi-line orders are split across warehouses as often as a real catalog would split them. Returns their ids.
 */
export async function stockedItems(
  catalog: Client<typeof CatalogService>, inventory: Client<typeof InventoryService>, admin: CallOptions, count: number,
  log: (m: string) => void,
): Promise<string[]> {
  const { warehouses } = await inventory.listWarehouses({}, admin);
  if (warehouses.length === 0) throw new Error("the stack has no warehouses");
  const categories = await catalog.listCategories({});
  const category = categories.categories.find((c) => c.depth > 0) ?? categories.categories[0];
  log(`creating ${count} items across ${warehouses.length} warehouses ...`);
  const itemIds: string[] = [];
  const runTag = Date.now().toString(36);
  await pool(count, 16, async (i) => {
    const { item } = await catalog.createItem({
      sku: `BENCH-${runTag}-${i}`, name: `Bench item ${i}`, brand: "Bench", categoryId: category.id, price: money(500 + 37 * i),
      description: "An item of the ordering benchmarks.",
    }, admin);
    itemIds[i] = item!.id;
    const homes = i % 3 === 0 ? [i % warehouses.length, (i + 1) % warehouses.length] : [i % warehouses.length];
    for (const h of new Set(homes)) {
      await inventory.receiveStock({ warehouseId: warehouses[h].id, itemId: item!.id, quantity: 1_000_000, reference: `bench-${randomUUID()}` }, admin);
    }
  });
  return itemIds;
}

/** A cart as shoppers fill it: 55% one line, 30% two, 15% three, of distinct items; 1-2 units each. */
export function randomCart(itemIds: string[]): { itemId: string; quantity: number }[] {
  const lines = Math.random() < 0.55 ? 1 : Math.random() < 0.67 ? 2 : 3;
  const chosen = new Set<string>();
  while (chosen.size < Math.min(lines, itemIds.length)) chosen.add(itemIds[Math.floor(Math.random() * itemIds.length)]);
  return [...chosen].map((itemId) => ({ itemId, quantity: 1 + Math.floor(Math.random() * 2) }));
}

/**
 * Ordinary purchases (fill a cart, begin checkout, submit) by `concurrency` buyers for `seconds`, as a store serves
 * before a sale opens: the processes' hot paths are compiled by then (V8 is still compiling them for the first
 * ~30 s of load), as they are in a deployment that has been running. Returns the orders placed and the failures.
 */
export async function openForBusiness(
  clients: { cart: Client<typeof CartService>; order: Client<typeof OrderService> }, itemIds: string[], buyers: CallOptions[],
  seconds: number, concurrency: number,
): Promise<{ orders: number; errors: number }> {
  const end = performance.now() + seconds * 1000;
  let orders = 0, errors = 0;
  const loops = Math.min(concurrency, buyers.length);
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    // Each loop owns the buyers loop, loop + loops, ...: one buyer never has two checkouts in flight.
    const mine = buyers.filter((_, i) => i % loops === loop);
    for (let k = 0; performance.now() < end; k++) {
      const as = mine[k % mine.length];
      try {
        for (const line of randomCart(itemIds)) await clients.cart.updateCartItemQuantity(line, as);
        const { checkout } = await clients.order.beginCheckout({}, as);
        if (!checkout) throw new Error("no checkout for a cart of items in stock");
        await clients.order.submitOrder({ checkoutId: checkout.id, idempotencyKey: randomUUID(), card: CARD, shippingAddress: ADDRESS }, as);
        orders++;
      } catch {
        errors++;
        await clients.cart.clearCart({}, as).catch(() => {});
      }
    }
  }));
  return { orders, errors };
}
