// Warehouse: the orders assigned to the user's warehouse (an admin picks a warehouse), advanced step by step
// to shipped. New orders appear by themselves (the list refreshes every few seconds).
import { WarehouseOrderStatus, type WarehouseOrder } from "../../../../gen/shop/assignment/v1/assignment_pb.js";
import type { Warehouse } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { api, fieldProblem, friendly } from "../api.js";
import { busy, field, h, notice, pageTitle, replace, spinner } from "../dom.js";
import { enumLabels, formatDate } from "../format.js";
import type { PageContext } from "../router.js";
import { announce, guard, toast } from "../ui.js";

const LABEL = enumLabels<WarehouseOrderStatus>(WarehouseOrderStatus, { [WarehouseOrderStatus.ASSIGNED]: "To pick" });

const NEXT: Partial<Record<WarehouseOrderStatus, [WarehouseOrderStatus, string]>> = {
  [WarehouseOrderStatus.ASSIGNED]: [WarehouseOrderStatus.PICKED, "Mark picked"],
  [WarehouseOrderStatus.PICKED]: [WarehouseOrderStatus.PACKED, "Mark packed"],
  [WarehouseOrderStatus.PACKED]: [WarehouseOrderStatus.SHIPPED, "Mark shipped"],
  [WarehouseOrderStatus.SHIPPED]: [WarehouseOrderStatus.DELIVERED, "Mark delivered"],
};

const OPEN = new Set([WarehouseOrderStatus.ASSIGNED, WarehouseOrderStatus.PICKED, WarehouseOrderStatus.PACKED]);

export async function warehousePage({ main, query, signal }: PageContext): Promise<void> {
  const s = guard(main, "Warehouse", ["warehouse", "admin"], "see warehouse orders");
  if (!s) return;
  main.append(pageTitle("Warehouse orders"));
  let warehouses: Warehouse[];
  try {
    warehouses = (await api.inventory.listWarehouses({}, { signal })).warehouses;
  } catch (err) {
    if (!signal.aborted) main.append(notice("error", friendly(err)));
    return;
  }
  const mine = s.user.role === "warehouse" ? s.user.warehouseId : query.get("warehouse") ?? warehouses[0]?.id ?? "";
  const current = warehouses.find((w) => w.id === mine);
  if (s.user.role === "admin") {
    const pick = h("select", { id: "wh-pick" }, ...warehouses.map((w) => h("option", { value: w.id, selected: w.id === mine }, `${w.name} (${w.code})`)));
    pick.addEventListener("change", () => { location.search = `?warehouse=${pick.value}`; });
    main.append(h("p", null, h("label", { for: "wh-pick" }, "Warehouse "), pick));
  } else {
    main.append(h("p", { class: "hint" }, current ? `${current.name} (${current.code})` : "Your warehouse"));
  }
  const showAll = h("input", { type: "checkbox", id: "show-all" });
  const refreshButton = h("button", { type: "button", class: "button" }, "Refresh");
  const status = h("div", { "aria-live": "polite" });
  const list = h("ul", { class: "wh-orders" });
  main.append(h("div", { class: "toolbar" }, h("label", { class: "check" }, showAll, " Show shipped, delivered and cancelled"), refreshButton), status, list);
  list.append(spinner());
  const names = new Map<string, string>();
  let seen = new Set<string>();
  let editing = false;

  const load = async () => {
    if (editing) return; // never re-render under someone typing a tracking number
    try {
      const res = await api.assignment.listWarehouseOrders({ warehouseId: mine, pageSize: 200 }, { signal });
      const orders = res.warehouseOrders.filter((o) => showAll.checked || OPEN.has(o.status)).reverse();
      const unknown = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.itemId)))].filter((i) => !names.has(i));
      if (unknown.length) {
        const items = await api.catalog.batchGetItems({ itemIds: unknown.slice(0, 500) }, { signal });
        for (const i of items.items) names.set(i.id, i.name);
      }
      const fresh = orders.filter((o) => !seen.has(o.id));
      if (seen.size && fresh.length) announce(`${fresh.length} new order${fresh.length > 1 ? "s" : ""} to pick.`);
      seen = new Set(res.warehouseOrders.map((o) => o.id));
      status.replaceChildren();
      if (!orders.length) replace(list, h("li", { class: "empty" }, showAll.checked ? "No orders yet." : "Nothing to do right now. New orders appear here by themselves."));
      else replace(list, ...orders.map((o) => orderCard(o, names, load, (on) => { editing = on; })));
    } catch (err) {
      if (!signal.aborted) status.replaceChildren(notice("error", friendly(err)));
    }
  };
  showAll.addEventListener("change", () => void load());
  refreshButton.addEventListener("click", () => busy(refreshButton, load));
  const interval = setInterval(() => void load(), 5000);
  signal.addEventListener("abort", () => clearInterval(interval));
  await load();
}

function orderCard(o: WarehouseOrder, names: Map<string, string>, reload: () => Promise<void>, setEditing: (on: boolean) => void): HTMLLIElement {
  const a = o.shippingAddress;
  const next = NEXT[o.status];
  const errors = h("div", { "aria-live": "assertive" });
  const actions = h("div", { class: "actions" });
  if (next) {
    const [to, label] = next;
    const button = h("button", { type: to === WarehouseOrderStatus.SHIPPED ? "submit" : "button", class: "button primary" }, label);
    const advance = (carrier = "", trackingNumber = "") => busy(button, async () => {
      try {
        await api.assignment.updateWarehouseOrderStatus({ warehouseOrderId: o.id, status: to, carrier, trackingNumber });
        setEditing(false);
        toast(`Order ${o.id.slice(0, 8)}: ${LABEL[to].toLowerCase()}.`);
        await reload();
      } catch (err) {
        errors.replaceChildren(notice("error", fieldProblem(err)?.message ?? friendly(err)));
      }
    });
    if (to === WarehouseOrderStatus.SHIPPED) {
      const carrier = h("select", { name: "carrier" }, ...["UPS", "FedEx", "USPS", "DHL"].map((c) => h("option", { value: c }, c)));
      const tracking = h("input", { type: "text", name: "tracking_number", required: true, maxlength: 100, autocomplete: "off" });
      tracking.addEventListener("focus", () => setEditing(true));
      tracking.addEventListener("blur", () => { if (!tracking.value.trim()) setEditing(false); });
      const form = h("form", { class: "ship-form", novalidate: true, "aria-label": `Ship order ${o.id.slice(0, 8)}` },
        h("div", { class: "row" }, field("Carrier", carrier), field("Tracking number", tracking)), button);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        if (!tracking.value.trim()) {
          errors.replaceChildren(notice("error", "Please enter the tracking number from the shipping label."));
          tracking.focus();
          return;
        }
        void advance(carrier.value, tracking.value.trim());
      });
      actions.append(form);
    } else {
      button.addEventListener("click", () => void advance());
      actions.append(button);
    }
  }
  return h("li", { class: "wh-order", "data-order-id": o.orderId },
    h("div", { class: "wh-order-head" },
      h("h2", null, `Order ${o.id.slice(0, 8)}`),
      h("span", { class: `status status-${LABEL[o.status].toLowerCase().replace(/\s+/g, "-")}` }, LABEL[o.status]),
      h("span", { class: "hint" }, formatDate(o.createTime))),
    h("ul", { class: "wh-lines" }, ...o.lines.map((l) => h("li", null, `${l.quantity} × ${names.get(l.itemId) ?? l.itemId}`))),
    a ? h("p", { class: "hint" }, `Ship to ${a.recipient}, ${a.city}, ${a.region} ${a.postalCode}`) : null,
    o.trackingNumber ? h("p", { class: "hint" }, `${o.carrier} ${o.trackingNumber}`) : null,
    errors, actions);
}
