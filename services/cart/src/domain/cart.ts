// The cart's rules, free of I/O: what a shopper may put in a cart, and how a stored cart is shown with the
// catalog's current prices and Inventory's current stock.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CartLineSchema, CartSchema, type Cart, type CartLine } from "../../../../gen/shop/cart/v1/cart_pb.js";
import { ItemStatus, type Item } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import { failedPrecondition, invalidArgument } from "../../../lib/errors.js";
import { money, STORE_CURRENCY } from "../../../lib/money.js";

/** Most units of one item a cart line may hold (the proto's per-line cap). */
export const MAX_QUANTITY_PER_LINE = 99;
/** Default most distinct items per cart (CART_MAX_LINES). */
export const DEFAULT_MAX_LINES = 100;

/** A line as the cart stores it: what the shopper chose and the price they saw then. */
export interface StoredLine {
  itemId: string;
  quantity: number;
  priceWhenAddedMinor: bigint;
  currency: string;
  addedAt: Date;
}

export interface StoredCart {
  /** Unset when the user has never had a cart. */
  updateTime?: Date;
  lines: StoredLine[];
}

/** UpdateCartItemQuantity.quantity: 0 (remove) to the per-line cap. */
export function validateQuantity(quantity: number): number {
  if (!Number.isInteger(quantity)) throw invalidArgument("quantity", "must be a whole number");
  if (quantity < 0) throw invalidArgument("quantity", "must not be negative (0 removes the line)");
  if (quantity > MAX_QUANTITY_PER_LINE) {
    throw invalidArgument("quantity", `must be at most ${MAX_QUANTITY_PER_LINE} (the most of one item a cart holds)`);
  }
  return quantity;
}

/**
 * May `quantity` units of `item` be in a cart, given the units shoppers can still buy? Advisory only: the
 * cart holds no stock; BeginCheckout reserves it for real. Throws FailedPrecondition saying why not.
 */
export function checkCanHold(item: Item, stockLeft: number, quantity: number): void {
  const id = JSON.stringify(item.id);
  if (item.status !== ItemStatus.ACTIVE) throw failedPrecondition("ITEM_ARCHIVED", `item ${id} is archived (no longer sold)`);
  const currency = item.price?.currencyCode ?? "";
  // The store charges in one currency; an item priced otherwise could never be checked out.
  if (currency !== STORE_CURRENCY) throw failedPrecondition("WRONG_CURRENCY", `item ${id} is not priced in ${STORE_CURRENCY}`);
  if (stockLeft <= 0) throw failedPrecondition("OUT_OF_STOCK", `item ${id} is out of stock`, { itemId: item.id });
  if (quantity > stockLeft) throw failedPrecondition("NOT_ENOUGH_STOCK", `only ${stockLeft} left of item ${id}`, { itemId: item.id, available: String(stockLeft) });
}

export function cartFullMessage(maxLines: number): string {
  return `a cart holds at most ${maxLines} different items; remove one first`;
}

/**
 * The cart as the shopper sees it: current name and price from the catalog, stock left from Inventory.
 * A line is available when the item is on sale in the store currency and enough units are left; an item
 * the catalog no longer knows keeps its price_when_added as unit price and is unavailable.
 */
export function presentCart(
  userId: string,
  stored: StoredCart,
  items: ReadonlyMap<string, Item>,
  stockLeft: ReadonlyMap<string, number>,
): Cart {
  let subtotal = 0n;
  const lines: CartLine[] = stored.lines.map((line) => {
    const item = items.get(line.itemId);
    const left = Math.max(0, stockLeft.get(line.itemId) ?? 0);
    const priceWhenAdded = money(line.priceWhenAddedMinor, line.currency);
    const unitPrice = item?.price ?? priceWhenAdded;
    const available = item !== undefined
      && item.status === ItemStatus.ACTIVE
      && unitPrice.currencyCode === STORE_CURRENCY
      && left >= line.quantity;
    if (unitPrice.currencyCode === STORE_CURRENCY) subtotal += unitPrice.minorUnits * BigInt(line.quantity);
    return create(CartLineSchema, {
      itemId: line.itemId,
      name: item?.name ?? "",
      quantity: line.quantity,
      unitPrice,
      priceWhenAdded,
      available,
      stockLeft: left,
      imageUrl: item?.imageUrl ?? "",
    });
  });
  return create(CartSchema, {
    userId,
    lines,
    subtotal: money(subtotal, STORE_CURRENCY),
    updateTime: stored.updateTime ? timestampFromDate(stored.updateTime) : undefined,
  });
}

/**
 * The cart's lines as stored (GetCart with lines_only): item, quantity and the price when added, nothing live.
 * With `viewed` (lines_only and priced): each known item's name, price, version and whether it is on sale too,
 * and the stock left where the view holds it.
 */
export function bareCart(userId: string, stored: StoredCart, viewed?: { items: ReadonlyMap<string, Item>; stock: ReadonlyMap<string, number> }): Cart {
  return create(CartSchema, {
    userId,
    lines: stored.lines.map((line) => {
      const item = viewed?.items.get(line.itemId);
      const left = viewed?.stock.get(line.itemId);
      return create(CartLineSchema, {
        itemId: line.itemId,
        quantity: line.quantity,
        priceWhenAdded: money(line.priceWhenAddedMinor, line.currency),
        ...(item && { name: item.name, unitPrice: item.price, itemVersion: item.version, onSale: item.status === ItemStatus.ACTIVE }),
        ...(left !== undefined && { stockLeft: Math.max(0, left), stockKnown: true }),
      });
    }),
    updateTime: stored.updateTime ? timestampFromDate(stored.updateTime) : undefined,
  });
}
