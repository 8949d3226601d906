// The cart: quantities (never above what is left), removal, price changes, and the way to checkout.
import type { Cart, CartLine } from "../../../../gen/shop/cart/v1/cart_pb.js";
import { api, friendly } from "../api.js";
import { busy, h, notice, pageTitle, replace, spinner } from "../dom.js";
import { formatMoney, plural } from "../format.js";
import { navigate, type PageContext } from "../router.js";
import { announce, guard, itemPicture, setCartCount } from "../ui.js";

const MAX_PER_LINE = 99;

export async function cartPage({ main, signal }: PageContext): Promise<void> {
  if (!guard(main, "Your cart", ["customer"], "see your cart")) return;
  main.append(pageTitle("Your cart"));
  const body = h("div", { class: "cart" });
  const status = h("div", { "aria-live": "polite", class: "cart-status" });
  main.append(status, body);
  body.append(spinner());
  try {
    const { cart } = await api.cart.getCart({}, { signal });
    render(body, status, cart!);
  } catch (err) {
    if (!signal.aborted) replace(body, notice("error", friendly(err)));
  }
}

function render(body: HTMLElement, status: HTMLElement, cart: Cart): void {
  setCartCount(cart.lines.reduce((n, l) => n + l.quantity, 0));
  if (!cart.lines.length) {
    replace(body, h("p", { class: "empty" }, "Your cart is empty. ", h("a", { href: "/" }, "Find something you like"), "."));
    return;
  }
  const update = async (line: CartLine, quantity: number, control?: HTMLButtonElement | HTMLInputElement) => {
    status.replaceChildren();
    try {
      if (control) control.disabled = true;
      const res = await api.cart.updateCartItemQuantity({ itemId: line.itemId, quantity });
      render(body, status, res.cart!);
      announce(quantity === 0 ? `Removed ${line.name} from your cart.` : `${line.name}: quantity ${quantity}.`);
    } catch (err) {
      status.replaceChildren(notice("error", `${line.name}: ${friendly(err)}`));
      try {
        render(body, status, (await api.cart.getCart({})).cart!);
      } catch { /* keep what is shown */ }
    }
  };
  const unavailable = cart.lines.filter((l) => !l.available);
  // Stays enabled with short lines: checkout then lists exactly what is short and offers to fix the cart.
  const checkoutButton = h("button", { class: "button primary", type: "button" }, "Proceed to checkout");
  checkoutButton.addEventListener("click", () => busy(checkoutButton, async () => navigate("/checkout?begin=1")));
  replace(body,
    unavailable.length ? notice("warning", "Some items can't be bought in the quantity in your cart. Please lower the quantity or remove them.") : null,
    h("ul", { class: "cart-lines" }, ...cart.lines.map((line) => {
      const max = Math.max(1, Math.min(line.stockLeft, MAX_PER_LINE));
      const input = h("input", {
        type: "number", min: 1, max, value: line.quantity, inputmode: "numeric", class: "qty-input",
        "aria-label": `Quantity of ${line.name}`,
      });
      input.addEventListener("change", () => {
        const n = Number(input.value);
        if (!Number.isInteger(n) || n < 1) { input.value = String(line.quantity); return; }
        if (n > line.stockLeft) {
          status.replaceChildren(notice("error", `Sorry, only ${line.stockLeft} of ${line.name} ${line.stockLeft === 1 ? "is" : "are"} left.`));
          input.value = String(Math.min(line.quantity, line.stockLeft) || 1);
          return;
        }
        void update(line, n, input);
      });
      const minus = h("button", { type: "button", class: "button small", "aria-label": `One less ${line.name}`, disabled: line.quantity <= 1 }, "−");
      const plus = h("button", { type: "button", class: "button small", "aria-label": `One more ${line.name}`, disabled: line.quantity >= Math.min(line.stockLeft, MAX_PER_LINE) }, "+");
      minus.addEventListener("click", () => update(line, line.quantity - 1, minus));
      plus.addEventListener("click", () => update(line, line.quantity + 1, plus));
      const remove = h("button", { type: "button", class: "button link", "aria-label": `Remove ${line.name}` }, "Remove");
      remove.addEventListener("click", () => update(line, 0, remove));
      const priceChanged = line.priceWhenAdded && line.unitPrice && line.priceWhenAdded.minorUnits !== line.unitPrice.minorUnits;
      return h("li", { class: "cart-line" },
        itemPicture({ ...line, id: line.itemId }),
        h("div", { class: "cart-line-info" },
          h("a", { href: `/item/${line.itemId}`, class: "cart-line-name" }, line.name),
          h("p", { class: "price" }, formatMoney(line.unitPrice), priceChanged ? h("span", { class: "hint" }, ` (was ${formatMoney(line.priceWhenAdded)} when you added it)`) : null),
          !line.available ? h("p", { class: "badge badge-out" }, line.stockLeft <= 0 ? "Out of stock" : `Only ${line.stockLeft} left`)
            : line.stockLeft <= 5 ? h("p", { class: "badge badge-low" }, `Only ${line.stockLeft} left`) : null),
        h("div", { class: "qty-stepper", role: "group", "aria-label": `Quantity of ${line.name}` }, minus, input, plus),
        remove);
    })),
    h("div", { class: "cart-summary" },
      h("p", null, `Subtotal (${plural(cart.lines.reduce((n, l) => n + l.quantity, 0), "item")}): `, h("strong", { class: "price" }, formatMoney(cart.subtotal))),
      checkoutButton));
}
