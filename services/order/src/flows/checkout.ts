// Checkouts: BeginCheckout prices the cart at Catalog's prices as of a recorded item version (the cart's price
// view, fed by catalog.items.changed; Catalog itself for items the view has not heard of) and holds its stock in
// Inventory; CancelCheckout and a later BeginCheckout give the stock back. How each step survives a crash:
// - the checkout row is written (RESERVING) before Inventory.Reserve, so a reservation never exists without a row;
//   recovery cancels rows stuck in RESERVING and returns whatever they may hold;
// - cancelling (or replacing) a checkout marks it release_pending in the same transaction that changes its status;
//   the flag is cleared once Inventory confirmed the release, and recovery retries until it does;
// - a shopper has at most one ACTIVE checkout (unique index); checkout changes of one shopper are serialized by a
//   transaction-scoped advisory lock, never held across a remote call.
// A checkout an order is being placed from (a submission in flight holds it) cannot be cancelled or replaced.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { DurationSchema, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { ItemStatus } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import { ItemQuantitySchema } from "../../../../gen/shop/common/v1/common_pb.js";
import type { ReserveResponse } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { StockAlertSchema, type Checkout, type StockAlert } from "../../../../gen/shop/order/v1/order_pb.js";
import { onBehalfOf, type Principal } from "../../../lib/auth.js";
import { inTransaction } from "../../../lib/db.js";
import { aborted, failedPrecondition, notFound, unavailable } from "../../../lib/errors.js";
import { STORE_CURRENCY } from "../../../lib/money.js";
import { optionalUuid } from "../../../lib/validate.js";
import type { OrderDeps } from "../deps.js";
import { callDependency, isCode } from "../../../lib/dependency.js";
import { mergeLines, priceLines, type CatalogPrice, type PricedCheckout } from "../domain/pricing.js";
import { IN_FLIGHT } from "../domain/submission.js";
import * as checkouts from "../store/checkouts.js";
import type { Db } from "../../../lib/sql.js";
import type { CheckoutRow } from "../store/checkouts.js";
import * as submissions from "../store/submissions.js";
import { checkoutView } from "../views.js";

/** Inventory.Reserve takes at most 100 lines. */
export const MAX_CHECKOUT_LINES = 100;
/** A RESERVING row older than this belongs to a BeginCheckout that died; well above any remote call's deadline. */
const ABANDON_RESERVING_AFTER_SECONDS = 60;

export interface BeginResult {
  checkout?: Checkout;
  alerts: StockAlert[];
}

export class CheckoutFlow {
  constructor(private readonly d: OrderDeps) {}

  async begin(p: Principal): Promise<BeginResult> {
    const { log } = this.d;
    const userId = p.subject;
    const cart = await callDependency(log, "cart", () => this.d.cart().getCart({ linesOnly: true, priced: true }, { headers: onBehalfOf(p) }),
      [Code.Unauthenticated]);
    const cartLines = (cart.cart?.lines ?? []).filter((l) => l.quantity > 0);
    const wanted = mergeLines(cartLines.map((l) => ({ itemId: l.itemId.toLowerCase(), quantity: l.quantity, name: l.name })));
    if (wanted.length === 0) throw failedPrecondition("CART_EMPTY", "the cart is empty");
    if (wanted.length > MAX_CHECKOUT_LINES) {
      throw failedPrecondition("TOO_MANY_LINES", `a checkout takes at most ${MAX_CHECKOUT_LINES} different items; remove some from the cart`,
        { max: String(MAX_CHECKOUT_LINES) });
    }

    // Sold out as the cart's view says (Inventory's events, about a second stale): answered without a checkout
    // row or a reservation round trip, which is what the many who come too late to a flash sale would cost.
    // Inventory alone judges every other line. Not for a shopper with an active checkout: the stock it holds
    // counts as gone in the view and goes back before reserving again (below).
    const hasActive = await checkouts.hasActive(this.d.ds, userId);
    if (!hasActive) {
      const soldOut = new Set(cartLines.filter((l) => l.stockKnown && l.stockLeft === 0).map((l) => l.itemId.toLowerCase()));
      const alerts = wanted.filter((w) => soldOut.has(w.itemId))
        .map((w) => create(StockAlertSchema, { itemId: w.itemId, name: w.name, requested: w.quantity, available: 0 }));
      if (alerts.length) return { alerts };
    }

    // Prices are Catalog's, never the client's: as of the item version the cart's view holds, else asked of Catalog.
    const prices = new Map<string, CatalogPrice>();
    for (const l of cartLines) {
      if (l.itemVersion <= 0n) continue;
      const id = l.itemId.toLowerCase();
      prices.set(id, {
        id, name: l.name, onSale: l.onSale, currency: l.unitPrice?.currencyCode ?? "", minorUnits: l.unitPrice?.minorUnits ?? -1n, version: l.itemVersion,
      });
    }
    const headers = await this.d.serviceHeaders();
    const unpriced = wanted.filter((w) => !prices.has(w.itemId)).map((w) => w.itemId);
    if (unpriced.length) {
      const found = await callDependency(log, "catalog", () => this.d.catalog().batchGetItems({ itemIds: unpriced }, { headers }));
      for (const i of found.items) {
        const id = i.id.toLowerCase();
        prices.set(id, {
          id, name: i.name, onSale: i.status === ItemStatus.ACTIVE, currency: i.price?.currencyCode ?? "", minorUnits: i.price?.minorUnits ?? -1n, version: i.version,
        });
      }
    }
    const priced = priceLines(wanted, prices, STORE_CURRENCY);
    if (priced.unsellable.length) return { alerts: await this.alertsForUnsellable(priced, headers) };

    // Replace the shopper's active checkout: its stock goes back before the new one is reserved, so a shopper
    // who begins again with the last unit in the cart gets it again. Most shoppers have none: the plain read above
    // skips the locked transaction then (one that appears meanwhile is ended under the lock when activating, below).
    if (hasActive) {
      const replaced = await inTransaction(this.d.ds, async (tx) => {
        await checkouts.lockShopper(tx, userId);
        return this.endActive(tx, userId);
      });
      await Promise.all(replaced.map((id) => this.release(id)));
    }

    const id = randomUUID();
    await checkouts.insertReserving(this.d.ds, { id, userId, lines: priced.lines, currency: STORE_CURRENCY, totalMinor: priced.totalMinor });
    let reserved: ReserveResponse;
    try {
      reserved = await callDependency(log, "inventory", () => this.d.inventory().reserve({
        checkoutId: id,
        lines: priced.lines.map((l) => create(ItemQuantitySchema, { itemId: l.itemId, quantity: l.quantity })),
        ttl: create(DurationSchema, { seconds: BigInt(this.d.settings.checkoutTtlSeconds) }),
      }, { headers }));
    } catch (err) {
      // Whether Inventory holds anything is unknown: cancel the row so whatever it holds is returned.
      await this.abandon(id);
      throw err;
    }
    if (!reserved.reservation || reserved.shortages.length) {
      await checkouts.deleteReserving(this.d.ds, id); // nothing is held
      const names = new Map(priced.lines.map((l) => [l.itemId, l.name]));
      return {
        alerts: reserved.shortages.map((s) => create(StockAlertSchema, {
          itemId: s.itemId, name: names.get(s.itemId.toLowerCase()) ?? "", requested: s.requested, available: s.available,
        })),
      };
    }

    const expiresAt = reserved.reservation.expireTime
      ? timestampDate(reserved.reservation.expireTime)
      : new Date(Date.now() + this.d.settings.checkoutTtlSeconds * 1000);
    let activated: { row?: CheckoutRow; replaced: string[] };
    try {
      // Nearly always no other checkout of the shopper is active now: one statement activates this one.
      const alone = await checkouts.activateIfAlone(this.d.ds, id, expiresAt);
      activated = alone !== "another-active" ? { row: alone, replaced: [] } : await this.activateReplacing(userId, id, expiresAt);
    } catch (err) {
      await this.abandon(id);
      throw err;
    }
    await Promise.all(activated.replaced.map((r) => this.release(r)));
    if (!activated.row) throw unavailable("IN_PROGRESS", "the checkout could not be started in time; try again"); // recovery abandoned it
    return { checkout: checkoutView(activated.row), alerts: [] };
  }

  async cancel(p: Principal, checkoutId: string): Promise<Checkout> {
    const id = optionalUuid(checkoutId, "checkout_id");
    const userId = p.subject;
    const target = id ? await checkouts.findForUser(this.d.ds, id, userId) : await checkouts.latestForUser(this.d.ds, userId);
    if (!target) throw id ? notFound("checkout", id) : notFound("active checkout", "");
    if (!id && target.status === "COMPLETED") throw notFound("active checkout", "");

    const toRelease = await inTransaction(this.d.ds, async (tx) => {
      const c = (await checkouts.lock(tx, target.id))!;
      if (c.status === "COMPLETED") throw failedPrecondition("CHECKOUT_ORDERED", `checkout ${c.id} already became order ${c.orderId}; cancel the order instead`);
      if (c.status !== "ACTIVE") return c.releasePending; // cancelled or expired already: idempotent
      if (await this.orderInProgress(tx, c)) throw failedPrecondition("ORDER_IN_PROGRESS", `an order is being placed from checkout ${c.id}`);
      await checkouts.markForRelease(tx, c.id, this.isExpired(c) ? "EXPIRED" : "CANCELLED");
      return true;
    });
    if (toRelease) await this.release(target.id);
    return checkoutView((await checkouts.findForUser(this.d.ds, target.id, userId))!);
  }

  async get(p: Principal, checkoutId: string): Promise<Checkout> {
    const id = optionalUuid(checkoutId, "checkout_id");
    const row = id ? await checkouts.findForUser(this.d.ds, id, p.subject) : await checkouts.latestForUser(this.d.ds, p.subject);
    if (!row) throw id ? notFound("checkout", id) : notFound("checkout", "");
    return checkoutView(row);
  }

  /**
   * Returns a checkout's stock to Inventory and clears its release_pending flag. Idempotent; false when
   * Inventory could not be reached (the flag stays and recovery retries).
   */
  async release(id: string): Promise<boolean> {
    try {
      const headers = await this.d.serviceHeaders();
      await callDependency(this.d.log, "inventory", () => this.d.inventory().release({ checkoutId: id }, { headers }),
        [Code.FailedPrecondition, Code.NotFound]);
    } catch (err) {
      if (isCode(err, Code.NotFound)) {
        // Inventory never held anything for it (Reserve did not get through).
      } else if (isCode(err, Code.FailedPrecondition)) {
        // Committed to an order: there is nothing to give back, and retrying will not change that.
        this.d.log.error({ checkoutId: id, err: (err as Error).message }, "release refused for a cancelled checkout");
      } else {
        this.d.log.warn({ checkoutId: id, err: (err as Error).message }, "release failed; recovery will retry");
        return false;
      }
    }
    await checkouts.releaseConfirmed(this.d.ds, id);
    return true;
  }

  /** Recovery: releases whatever cancelled checkouts still hold; returns how many were released. */
  async releasePending(limit = 50): Promise<number> {
    await checkouts.abandonStaleReserving(this.d.ds, ABANDON_RESERVING_AFTER_SECONDS);
    let released = 0;
    for (const id of await checkouts.pendingReleases(this.d.ds, limit)) {
      if (await this.release(id)) released++;
    }
    return released;
  }

  private isExpired(c: CheckoutRow): boolean {
    return !!c.expiresAt && c.expiresAt.getTime() <= Date.now();
  }

  private async orderInProgress(q: Db, c: CheckoutRow): Promise<boolean> {
    if (!c.submissionId) return false;
    const state = (await submissions.states(q, [c.submissionId])).get(c.submissionId);
    return !!state && IN_FLIGHT.includes(state);
  }

  /**
   * A concurrent BeginCheckout of the same shopper activated one meanwhile: the newest wins. Under the shopper's
   * lock the active one ends and this one activates. The others activate on their own without the lock, so one may
   * win again in between (the unique index refuses this one then): the locked step is taken again, a few times.
   */
  private async activateReplacing(userId: string, id: string, expiresAt: Date): Promise<{ row?: CheckoutRow; replaced: string[] }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.d.ds, async (tx) => {
          await checkouts.lockShopper(tx, userId);
          const replaced = await this.endActive(tx, userId);
          return { row: await checkouts.activate(tx, id, expiresAt), replaced };
        });
      } catch (err) {
        if (!checkouts.anotherActive(err)) throw err;
        if (attempt >= 5) throw aborted("CONCURRENT_CHANGE", "another checkout of yours was started at the same moment; try again");
      }
    }
  }

  /** Ends the shopper's active checkouts (in the caller's transaction); returns the ids whose stock to release. */
  private async endActive(tx: Db, userId: string): Promise<string[]> {
    const active = await checkouts.lockActiveForUser(tx, userId);
    for (const c of active) {
      if (await this.orderInProgress(tx, c)) {
        throw failedPrecondition("ORDER_IN_PROGRESS", "an order is being placed from your current checkout; try again in a moment");
      }
    }
    for (const c of active) await checkouts.markForRelease(tx, c.id, this.isExpired(c) ? "EXPIRED" : "CANCELLED");
    return active.map((c) => c.id);
  }

  /** A checkout that will not become active: cancelled, and whatever Inventory may hold for it returned. */
  private async abandon(id: string): Promise<void> {
    try {
      await checkouts.markForRelease(this.d.ds, id, "CANCELLED");
      await this.release(id);
    } catch (err) {
      this.d.log.warn({ checkoutId: id, err: (err as Error).message }, "abandoning a checkout failed; recovery will finish it");
    }
  }

  /** Alerts when some lines cannot be bought at all; the other lines are reported too if they are short now. */
  private async alertsForUnsellable(priced: PricedCheckout, headers: Record<string, string>): Promise<StockAlert[]> {
    const alerts = priced.unsellable.map((u) => create(StockAlertSchema, { itemId: u.itemId, name: u.name, requested: u.requested, available: 0 }));
    if (!priced.lines.length) return alerts;
    try {
      const stock = await this.d.inventory().batchGetAvailability({ itemIds: priced.lines.map((l) => l.itemId) }, { headers });
      const available = new Map(stock.availabilities.map((a) => [a.itemId.toLowerCase(), a.available]));
      for (const l of priced.lines) {
        const left = available.get(l.itemId) ?? 0;
        if (left < l.quantity) alerts.push(create(StockAlertSchema, { itemId: l.itemId, name: l.name, requested: l.quantity, available: left }));
      }
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, "availability for stock alerts unavailable");
    }
    return alerts;
  }
}
