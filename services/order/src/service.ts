// OrderService handlers: authenticate, validate, delegate to the flows (checkout, submission, cancellation) or read
// the order with its shipments. WatchOrder streams the order now and after every change (see watch.ts).
import { create, equals } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  BeginCheckoutResponseSchema, GetMyOrdersResponseSchema, OrderSchema, OrderService, type WatchOrderResponse,
} from "../../../gen/shop/order/v1/order_pb.js";
import { requireCustomer } from "../../lib/auth.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { decodePageToken, encodePageToken, pageSize, uuid } from "../../lib/validate.js";
import type { CancellationFlow } from "./flows/cancellation.js";
import type { CheckoutFlow } from "./flows/checkout.js";
import type { OrderDeps } from "./deps.js";
import { orderForUser, withShipments } from "./queries.js";
import * as orders from "./store/orders.js";
import type { SubmissionFlow } from "./flows/submission.js";
import type { OrderWatchHub } from "./flows/watch.js";

export interface OrderFlows {
  checkouts: CheckoutFlow;
  submissions: SubmissionFlow;
  cancellations: CancellationFlow;
  watches: OrderWatchHub;
  /** Aborted when the service begins to shut down: open WatchOrder streams end then. */
  shutdownSignal: AbortSignal;
}

export function orderService(d: OrderDeps, f: OrderFlows): ServiceImpl<typeof OrderService> {
  return {
    async beginCheckout(_req, ctx) {
      const p = requireCustomer(ctx);
      return create(BeginCheckoutResponseSchema, await f.checkouts.begin(p));
    },

    async cancelCheckout(req, ctx) {
      const p = requireCustomer(ctx);
      return { checkout: await f.checkouts.cancel(p, req.checkoutId) };
    },

    async getCheckout(req, ctx) {
      const p = requireCustomer(ctx);
      return { checkout: await f.checkouts.get(p, req.checkoutId) };
    },

    async submitOrder(req, ctx) {
      const p = requireCustomer(ctx);
      return { order: await f.submissions.submit(p, req) };
    },

    async cancelOrder(req, ctx) {
      const p = requireCustomer(ctx);
      return { order: await f.cancellations.cancel(p, req) };
    },

    async getOrder(req, ctx) {
      const p = requireCustomer(ctx);
      const id = uuid(req.orderId, "order_id");
      const order = await orderForUser(d.ds, id, p.subject);
      if (!order) throw notFound("order", id);
      return { order };
    },

    async getMyOrders(req, ctx) {
      const p = requireCustomer(ctx);
      const size = pageSize(req.pageSize, "page_size", 20, 100);
      const cursor = decodePageToken<{ before: string }>(req.pageToken, "page_token", { before: "string" });
      if (cursor && !/^\d{1,19}$/.test(cursor.before)) throw invalidArgument("page_token", "is not a token this service issued");
      const rows = await orders.listForUser(d.ds, p.subject, size + 1, cursor ? BigInt(cursor.before) : undefined);
      const page = rows.slice(0, size);
      return create(GetMyOrdersResponseSchema, {
        orders: await withShipments(d.ds, page),
        nextPageToken: rows.length > size ? encodePageToken({ before: page[page.length - 1].seq.toString() }) : "",
      });
    },

    async *watchOrder(req, ctx): AsyncGenerator<WatchOrderResponse> {
      const p = requireCustomer(ctx);
      const id = uuid(req.orderId, "order_id");
      // Watch first, then read: a change committed in between still wakes us.
      const watch = f.watches.watch(id);
      const signal = AbortSignal.any([ctx.signal, f.shutdownSignal]);
      try {
        let last = await orderForUser(d.ds, id, p.subject);
        if (!last) throw notFound("order", id);
        yield { order: last } as WatchOrderResponse;
        while (await watch.changed(signal)) {
          const now = await orderForUser(d.ds, id, p.subject);
          if (!now || equals(OrderSchema, now, last)) continue; // a notification with nothing new for the shopper
          last = now;
          yield { order: now } as WatchOrderResponse;
        }
      } finally {
        watch.close();
      }
    },
  };
}
