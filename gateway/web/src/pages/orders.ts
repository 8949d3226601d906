// My orders, and one order with each shipment's status updating live (OrderService.WatchOrder, a server
// stream through the gateway), and cancelling while nothing has shipped.
import { Code } from "@connectrpc/connect";
import { OrderStatus, ShipmentStatus, type Order } from "../../../../gen/shop/order/v1/order_pb.js";
import { api, friendly, isCode } from "../api.js";
import { busy, h, notice, pageTitle, replace, spinner } from "../dom.js";
import { enumLabels, formatDate, formatMoney, plural } from "../format.js";
import type { PageContext } from "../router.js";
import { announce, guard, pagedList } from "../ui.js";

export const ORDER_STATUS = enumLabels<OrderStatus>(OrderStatus);

const SHIPMENT_STATUS = enumLabels<ShipmentStatus>(ShipmentStatus, { [ShipmentStatus.ASSIGNED]: "Preparing" });

const STEPS = [OrderStatus.PLACED, OrderStatus.PROCESSING, OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED];

function statusBadge(status: OrderStatus): HTMLElement {
  return h("span", { class: `status status-${ORDER_STATUS[status].toLowerCase()}`, "data-status": OrderStatus[status] }, ORDER_STATUS[status]);
}

export async function ordersPage({ main, signal }: PageContext): Promise<void> {
  if (!guard(main, "Your orders", ["customer"], "see your orders")) return;
  main.append(pageTitle("Your orders"));
  const list = h("ul", { class: "order-list" });
  const status = h("div", { "aria-live": "polite" });
  const { more, load } = pagedList("Show more orders", status, signal, async (token) => {
    const res = await api.order.getMyOrders({ pageSize: 10, pageToken: token }, { signal });
    if (!token && !res.orders.length) {
      replace(status, h("p", { class: "empty" }, "You haven't ordered anything yet. ", h("a", { href: "/" }, "Start shopping"), "."));
    }
    list.append(...res.orders.map((o) => h("li", { class: "order-row" },
      h("a", { href: `/orders/${o.id}` }, `Order of ${formatDate(o.createTime)}`),
      statusBadge(o.status),
      h("span", null, plural(o.lines.reduce((n, l) => n + l.quantity, 0), "item")),
      h("span", { class: "price" }, formatMoney(o.total)),
      h("span", { class: "hint" }, o.lines.map((l) => l.name).slice(0, 3).join(", ")))));
    return res.nextPageToken;
  });
  main.append(status, list, more);
  await load();
}

export async function orderPage({ main, params, query, signal }: PageContext): Promise<void> {
  if (!guard(main, "Your order", ["customer"], "see your order")) return;
  const [orderId] = params;
  if (query.get("placed")) {
    main.append(notice("success", h("strong", null, "Thank you! Your order is placed."), " We'll update this page as it ships."));
  }
  main.append(pageTitle("Your order"));
  const body = h("div", { class: "order" });
  const live = h("p", { class: "live-note hint", "aria-live": "off" });
  main.append(body, live);
  body.append(spinner());

  let last: Order | undefined;
  const show = (order: Order) => {
    if (last && last.status !== order.status) announce(`Your order is now ${ORDER_STATUS[order.status]}.`);
    last = order;
    replace(body, renderOrder(order, () => cancel(order)));
  };
  const cancel = async (order: Order) => {
    try {
      const res = await api.order.cancelOrder({ orderId: order.id, reason: "cancelled by the customer" });
      show(res.order!);
      announce("Your order is cancelled. Your payment has been voided.");
    } catch (err) {
      body.prepend(notice("error", friendly(err)));
    }
  };

  try {
    const { order } = await api.order.getOrder({ orderId }, { signal });
    show(order!);
  } catch (err) {
    if (signal.aborted) return;
    replace(body, notice("error", isCode(err, Code.NotFound) || isCode(err, Code.InvalidArgument) ? "We couldn't find this order." : friendly(err)));
    return;
  }
  void watch(orderId, signal, show, live);
}

/** Follows the order's stream; reconnects after the gateway ends it or the network drops, until the page is left. */
async function watch(orderId: string, signal: AbortSignal, show: (o: Order) => void, note: HTMLElement): Promise<void> {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      for await (const res of api.order.watchOrder({ orderId }, { signal, timeoutMs: 0 })) {
        delay = 1000;
        note.textContent = "This page updates by itself.";
        if (res.order) show(res.order);
      }
    } catch (err) {
      if (signal.aborted) return;
      if (isCode(err, Code.Unimplemented)) {
        note.textContent = "Live updates aren't available yet; this page refreshes every few seconds.";
        return poll(orderId, signal, show);
      }
      if (isCode(err, Code.NotFound) || isCode(err, Code.PermissionDenied) || isCode(err, Code.Unauthenticated)) return;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}

async function poll(orderId: string, signal: AbortSignal, show: (o: Order) => void): Promise<void> {
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 5000));
    if (signal.aborted) return;
    try {
      const { order } = await api.order.getOrder({ orderId }, { signal });
      show(order!);
    } catch { /* try again next round */ }
  }
}

function renderOrder(order: Order, onCancel: () => Promise<void>): HTMLElement {
  const cancelled = order.status === OrderStatus.CANCELLED;
  const shipped = order.shipments.some((s) => s.status === ShipmentStatus.SHIPPED || s.status === ShipmentStatus.DELIVERED);
  const cancellable = !cancelled && !shipped && order.status !== OrderStatus.SHIPPED && order.status !== OrderStatus.DELIVERED;
  const stepIndex = STEPS.indexOf(order.status);
  const addr = order.shippingAddress;

  let cancelArea: HTMLElement | null = null;
  if (cancellable) {
    const ask = h("button", { type: "button", class: "button danger" }, "Cancel order");
    cancelArea = h("div", { class: "cancel-area" }, ask);
    ask.addEventListener("click", () => {
      const yes = h("button", { type: "button", class: "button danger" }, "Yes, cancel my order");
      const no = h("button", { type: "button", class: "button" }, "Keep my order");
      replace(cancelArea!, h("p", { role: "alert" }, "Cancel this order? Your payment will be voided and nothing will be sent."), yes, " ", no);
      yes.addEventListener("click", () => busy(yes, onCancel, "Cancelling…"));
      no.addEventListener("click", () => replace(cancelArea!, ask));
      yes.focus();
    });
  }

  return h("div", null,
    h("div", { class: "order-head" },
      h("p", null, "Order ", h("code", null, order.id.slice(0, 8)), ` · placed ${formatDate(order.createTime)}`),
      h("p", { class: "order-status", "aria-live": "polite" }, "Status: ", statusBadge(order.status))),
    cancelled ? notice("info", "This order was cancelled. Your payment was voided.") : h("ol", { class: "steps", "aria-label": "Progress" },
      ...STEPS.map((s, i) => h("li", { class: i <= stepIndex ? "done" : "", "aria-current": i === stepIndex ? "step" : null }, ORDER_STATUS[s]))),
    h("section", { "aria-labelledby": "ship-title" },
      h("h2", { id: "ship-title" }, "Shipments"),
      order.shipments.length
        ? h("ul", { class: "shipments" }, ...order.shipments.map((s, i) => h("li", { class: "shipment" },
          h("p", null, h("strong", null, `Shipment ${i + 1}`), ` from warehouse ${s.warehouseCode}: `,
            h("span", { class: `status status-${SHIPMENT_STATUS[s.status].toLowerCase()}`, "data-shipment-status": ShipmentStatus[s.status] }, SHIPMENT_STATUS[s.status])),
          s.trackingNumber ? h("p", null, `${s.carrier} tracking number `, h("code", null, s.trackingNumber)) : null,
          h("p", { class: "hint" }, plural(s.lines.reduce((n, l) => n + l.quantity, 0), "item")))))
        : h("p", { class: "hint" }, cancelled ? "Nothing will be shipped." : "We're choosing the warehouse closest to you.")),
    h("section", { "aria-labelledby": "items-title" },
      h("h2", { id: "items-title" }, "Items"),
      h("ul", { class: "summary-lines" }, ...order.lines.map((l) => h("li", null,
        h("a", { href: `/item/${l.itemId}` }, `${l.quantity} × ${l.name}`), h("span", { class: "price" }, formatMoney(l.lineTotal))))),
      h("p", { class: "summary-total" }, h("span", null, "Total"), h("strong", { class: "price" }, formatMoney(order.total))),
      order.payment ? h("p", { class: "hint" }, `Paid with card ending ${order.payment.cardLast4}`) : null),
    addr ? h("section", { "aria-labelledby": "addr-title" },
      h("h2", { id: "addr-title" }, "Shipping to"),
      h("address", null, addr.recipient, h("br"), addr.line1, addr.line2 ? [h("br"), addr.line2] : null, h("br"),
        `${addr.city}, ${addr.region} ${addr.postalCode}`, h("br"), addr.countryCode)) : null,
    cancelArea);
}
