// OrderService handlers: authenticate, validate, delegate to the checkout and submission flows. CancelOrder and
// WatchOrder come with the warehouse flow; until then they answer Unimplemented.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  BeginCheckoutResponseSchema, GetMyOrdersResponseSchema, OrderService,
} from "../../../gen/shop/order/v1/order_pb.js";
import { requireCustomer } from "../../lib/auth.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { decodePageToken, encodePageToken, pageSize, uuid } from "../../lib/validate.js";
import type { CheckoutFlow } from "./checkout.js";
import type { OrderDeps } from "./deps.js";
import * as orders from "./store/orders.js";
import type { SubmissionFlow } from "./submission.js";
import { orderView } from "./views.js";

export function orderService(
  d: OrderDeps, checkouts: CheckoutFlow, submissions: SubmissionFlow,
): Partial<ServiceImpl<typeof OrderService>> {
  return {
    async beginCheckout(_req, ctx) {
      const p = requireCustomer(ctx);
      return create(BeginCheckoutResponseSchema, await checkouts.begin(p));
    },

    async cancelCheckout(req, ctx) {
      const p = requireCustomer(ctx);
      return { checkout: await checkouts.cancel(p, req.checkoutId) };
    },

    async getCheckout(req, ctx) {
      const p = requireCustomer(ctx);
      return { checkout: await checkouts.get(p, req.checkoutId) };
    },

    async submitOrder(req, ctx) {
      const p = requireCustomer(ctx);
      return { order: await submissions.submit(p, req) };
    },

    async getOrder(req, ctx) {
      const p = requireCustomer(ctx);
      const id = uuid(req.orderId, "order_id");
      const row = await orders.findForUser(d.ds, id, p.subject);
      if (!row) throw notFound("order", id);
      return { order: orderView(row) };
    },

    async getMyOrders(req, ctx) {
      const p = requireCustomer(ctx);
      const size = pageSize(req.pageSize, "page_size", 20, 100);
      const cursor = decodePageToken<{ before: string }>(req.pageToken, "page_token", { before: "string" });
      if (cursor && !/^\d{1,19}$/.test(cursor.before)) throw invalidArgument("page_token", "is not a token this service issued");
      const rows = await orders.listForUser(d.ds, p.subject, size + 1, cursor ? BigInt(cursor.before) : undefined);
      const page = rows.slice(0, size);
      return create(GetMyOrdersResponseSchema, {
        orders: page.map(orderView),
        nextPageToken: rows.length > size ? encodePageToken({ before: page[page.length - 1].seq.toString() }) : "",
      });
    },
  };
}
