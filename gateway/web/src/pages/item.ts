// One item: picture, price, description, details, stock left, and adding it to the cart (never more than
// is left; nothing when it is out of stock).
import { ItemStatus } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import { api, friendly, isCode } from "../api.js";
import { busy, h, notice, pageTitle, spinner } from "../dom.js";
import { formatMoney } from "../format.js";
import { here, navigate, type PageContext } from "../router.js";
import { session } from "../session.js";
import { announce, itemPicture, setCartCount, stockBadge } from "../ui.js";
import { Code } from "@connectrpc/connect";

/** The cart's per-line cap (CartService: 0-99). */
const MAX_PER_LINE = 99;

export async function itemPage({ main, params, signal }: PageContext): Promise<void> {
  const [itemId] = params;
  const loading = spinner();
  main.append(loading);
  let item, availability;
  try {
    [{ item }, { availability }] = await Promise.all([
      api.catalog.getItem({ itemId }, { signal }),
      api.inventory.getAvailability({ itemId }, { signal }),
    ]);
  } catch (err) {
    loading.remove();
    if (signal.aborted) return;
    main.append(pageTitle("Item not found"), notice("error",
      isCode(err, Code.NotFound) || isCode(err, Code.InvalidArgument) ? "We couldn't find this item. It may have been removed." : friendly(err)),
      h("p", null, h("a", { href: "/" }, "Back to the shop")));
    return;
  }
  loading.remove();
  if (!item) return;
  const left = availability?.available ?? 0;
  const archived = item.status === ItemStatus.ARCHIVED;
  const canBuy = !archived && left > 0;
  const max = Math.min(left, MAX_PER_LINE);

  const qty = h("input", { type: "number", id: "qty", name: "quantity", min: 1, max: Math.max(1, max), value: 1, inputmode: "numeric", disabled: !canBuy });
  const addButton = h("button", { type: "submit", class: "button primary", disabled: !canBuy }, canBuy ? "Add to cart" : archived ? "No longer sold" : "Out of stock");
  const message = h("div", { class: "add-result", "aria-live": "polite" });
  const form = h("form", { class: "buy-box", "aria-label": "Buy" },
    h("p", { class: "price price-large" }, formatMoney(item.price)),
    archived ? h("span", { class: "badge badge-out" }, "No longer sold") : stockBadge(left, availability?.lowStock ?? false),
    canBuy ? h("div", { class: "qty-row" }, h("label", { for: "qty" }, "Quantity"), qty,
      left <= MAX_PER_LINE ? h("span", { class: "hint" }, ` (${left} available)`) : null) : null,
    addButton,
    message);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const s = session();
    if (!s) {
      navigate(`/signin?next=${encodeURIComponent(here())}&why=cart`);
      return;
    }
    if (s.user.role !== "customer") {
      message.replaceChildren(notice("info", "Shopping needs a customer account. You're signed in as staff."));
      return;
    }
    const n = Number(qty.value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      message.replaceChildren(notice("error", max === 1 ? "Only 1 is available." : `Please choose a quantity from 1 to ${max}.`));
      qty.focus();
      return;
    }
    await busy(addButton, async () => {
      try {
        // Adding what is already in the cart adds up, as shoppers expect; the cart refuses more than is left.
        const { cart } = await api.cart.getCart({});
        const already = cart?.lines.find((l) => l.itemId === item.id)?.quantity ?? 0;
        if (already + n > max) {
          message.replaceChildren(notice("error", `You already have ${already} in your cart, and only ${max} ${max === 1 ? "is" : "are"} available.`,
            " ", h("a", { href: "/cart" }, "Go to cart")));
          return;
        }
        const res = await api.cart.updateCartItemQuantity({ itemId: item.id, quantity: already + n });
        setCartCount(res.cart?.lines.reduce((sum, l) => sum + l.quantity, 0) ?? 0);
        const text = `Added ${n} × ${item.name} to your cart.`;
        message.replaceChildren(notice("success", text, " ", h("a", { href: "/cart" }, "Go to cart")));
        announce(text);
      } catch (err) {
        message.replaceChildren(notice("error", friendly(err, "shop")));
      }
    }, "Adding…");
  });

  const attributes = Object.entries(item.attributes);
  main.append(h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/" }, "Shop"), " › ",
    h("a", { href: `/search?category=${encodeURIComponent(item.categoryId)}` }, "This category")));
  main.append(h("article", { class: "item-page" },
    itemPicture(item, "large"),
    h("div", { class: "item-info" },
      pageTitle(item.name),
      h("p", { class: "card-brand" }, "by ", item.brand),
      form,
      item.description ? h("section", null, h("h2", null, "About this item"), h("p", { class: "description" }, item.description)) : null,
      attributes.length ? h("section", null, h("h2", null, "Details"),
        h("table", { class: "attributes" }, h("tbody", null, ...attributes.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, v)))))) : null,
      h("p", { class: "hint" }, "SKU ", item.sku))));
}
