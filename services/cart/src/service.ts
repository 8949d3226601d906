// CartService handlers. The cart is always the caller's own: the user id comes from the verified token;
// only ClearCart lets a service token (Order, after an order) name the user.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CartService, ClearCartResponseSchema, GetCartResponseSchema, UpdateCartItemQuantityResponseSchema, type Cart,
} from "../../../gen/shop/cart/v1/cart_pb.js";
import type { Item } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { requireCustomer, requireRole, type Principal } from "../../lib/auth.js";
import { failedPrecondition, invalidArgument, permissionDenied, unauthenticated } from "../../lib/errors.js";
import { isUuid, optionalUuid, uuid, uuidList } from "../../lib/validate.js";
import { bareCart, cartFullMessage, checkCanHold, presentCart, validateQuantity } from "./domain/cart.js";
import type { CartStore } from "./store/cart-store.js";
import type { ItemView } from "./item-view.js";

/** Most item ids one ClearCart may name (an order has at most as many lines as a cart). */
const MAX_CLEAR_ITEM_IDS = 500;

export function cartHandlers(store: CartStore, prices: ItemView): ServiceImpl<typeof CartService> {
  /**
   * The cart with prices and stock from the cart's view (item-view.ts), for the lines not already `known` (the
   * item an update just looked up).
   */
  async function view(userId: string, signal: AbortSignal, known?: { item: Item; stockLeft: number }): Promise<Cart> {
    const { stored, view: held } = await store.loadWithView(userId);
    const ids = stored.lines.map((l) => l.itemId).filter((id) => id !== known?.item.id);
    const { items, stock } = await prices.many(ids, signal, true, held);
    if (known) {
      items.set(known.item.id, known.item);
      stock.set(known.item.id, known.stockLeft);
    }
    return presentCart(userId, stored, items, stock);
  }

  return {
    async getCart(req, ctx) {
      const userId = customerId(ctx);
      if (req.linesOnly) {
        const { stored, view: held } = req.priced ? await store.loadWithView(userId) : { stored: await store.load(userId), view: undefined };
        const viewed = held && await prices.many(stored.lines.map((l) => l.itemId), ctx.signal, false, held);
        return create(GetCartResponseSchema, { cart: bareCart(userId, stored, viewed) });
      }
      return create(GetCartResponseSchema, { cart: await view(userId, ctx.signal) });
    },

    async updateCartItemQuantity(req, ctx) {
      const userId = customerId(ctx);
      const itemId = uuid(req.itemId, "item_id");
      const quantity = validateQuantity(req.quantity);
      if (quantity === 0) {
        await store.removeLine(userId, itemId);
        return create(UpdateCartItemQuantityResponseSchema, { cart: await view(userId, ctx.signal) });
      }
      const { item, stockLeft } = await prices.one(itemId, ctx.signal);
      checkCanHold(item, stockLeft, quantity);
      const price = item.price!; // checkCanHold verified its currency, so it is set
      const result = await store.setLine(userId, itemId, quantity, price.minorUnits, price.currencyCode);
      if (result === "cart-full") throw failedPrecondition("CART_FULL", cartFullMessage(store.maxLines));
      return create(UpdateCartItemQuantityResponseSchema, { cart: await view(userId, ctx.signal, { item, stockLeft }) });
    },

    async clearCart(req, ctx) {
      const caller = requireRole(ctx, "customer", "service");
      const named = optionalUuid(req.userId, "user_id");
      const itemIds = uuidList(req.itemIds, "item_ids", 0, MAX_CLEAR_ITEM_IDS);
      let userId: string;
      if (caller.role === "service") {
        if (named === "") throw invalidArgument("user_id", "is required with a service token");
        userId = named;
      } else {
        userId = userIdOf(caller);
        if (named !== "" && named !== userId) throw permissionDenied("NOT_YOUR_CART", "a customer can only clear their own cart");
      }
      await store.clear(userId, itemIds);
      return create(ClearCartResponseSchema, {});
    },
  };
}

function customerId(ctx: HandlerContext): string {
  return userIdOf(requireCustomer(ctx));
}

/** Customer subjects are user UUIDs; a token with anything else is not one our identity service issued. */
function userIdOf(p: Principal): string {
  if (!isUuid(p.subject)) throw unauthenticated("TOKEN_INVALID", "token subject is not a user id");
  return p.subject.toLowerCase();
}
