// Checkout: BeginCheckout reserves every line for 10 minutes (a visible countdown), or answers with the lines
// that are short (the out-of-stock alert). Then address and card, and SubmitOrder with an idempotency key that
// is reused for retries of the same attempt, so a lost answer never charges twice.
import { Code } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CheckoutStatus, type Checkout, type StockAlert } from "../../../../gen/shop/order/v1/order_pb.js";
import { api, CHECKOUT_ENDED_REASONS, fieldProblem, friendly, isCode, reasonOf } from "../api.js";
import { busy, clearFieldErrors, field, h, notice, pageTitle, replace, showFieldError, spinner } from "../dom.js";
import { clock, formatMoney } from "../format.js";
import { navigate, type PageContext } from "../router.js";
import { announce, guard, refreshCartCount, toast } from "../ui.js";

export const TEST_CARDS: [string, string][] = [
  ["4242 4242 4242 4242", "approved"],
  ["4000 0000 0000 0002", "declined"],
  ["4000 0000 0000 0119", "payment provider error"],
];

export async function checkoutPage({ main, query, signal }: PageContext): Promise<void> {
  if (!guard(main, "Checkout", ["customer"], "check out")) return;
  main.append(pageTitle("Checkout"));
  const body = h("div", { class: "checkout" });
  main.append(body);
  body.append(spinner(query.get("begin") ? "Reserving your items…" : "Loading your checkout…"));

  const begin = async () => {
    replace(body, spinner("Reserving your items…"));
    try {
      const res = await api.order.beginCheckout({}, { signal });
      if (res.checkout) return showActive(res.checkout);
      showAlerts(res.alerts);
    } catch (err) {
      if (signal.aborted) return;
      if (reasonOf(err) === "CART_EMPTY") {
        replace(body, h("p", { class: "empty" }, "Your cart is empty. ", h("a", { href: "/" }, "Find something you like"), "."));
      } else {
        replace(body, notice("error", friendly(err)), h("p", null, h("a", { href: "/cart" }, "Back to your cart")));
      }
    }
  };

  const showAlerts = (alerts: StockAlert[]) => {
    const fix = h("button", { type: "button", class: "button primary" }, "Update my cart to what's available");
    fix.addEventListener("click", () => busy(fix, async () => {
      try {
        let lines = -1;
        for (const a of alerts) lines = (await api.cart.updateCartItemQuantity({ itemId: a.itemId, quantity: Math.max(0, a.available) })).cart?.lines.length ?? 0;
        await refreshCartCount();
        if (lines === 0) {
          replace(body, h("p", { class: "empty" }, "Your cart is empty now. ", h("a", { href: "/" }, "Find something else you like"), "."));
          announce("Your cart is empty now.");
          return;
        }
        await begin();
      } catch (err) {
        body.prepend(notice("error", friendly(err)));
      }
    }));
    replace(body, h("div", { class: "notice notice-error stock-alert", role: "alert" },
      h("h2", null, "Some items in your cart are no longer available"),
      h("p", null, "Nothing has been reserved or charged. These items are short:"),
      h("ul", null, ...alerts.map((a) => h("li", null, h("strong", null, a.name || "An item"), ": ",
        a.available <= 0 ? `out of stock (you wanted ${a.requested})` : `you wanted ${a.requested}, only ${a.available} left`))),
      h("div", { class: "actions" }, fix, h("a", { class: "button", href: "/cart" }, "Back to my cart"))));
    announce("Some items in your cart are no longer available.");
  };

  const showEnded = (c: Checkout | undefined, why: string) => {
    const again = h("button", { type: "button", class: "button primary" }, "Start checkout again");
    again.addEventListener("click", () => void begin());
    replace(body, notice("warning", why), h("div", { class: "actions" }, again, h("a", { class: "button", href: "/cart" }, "Back to my cart")));
    if (c?.status === CheckoutStatus.COMPLETED && c.orderId) {
      replace(body, notice("info", "This checkout has already been ordered. ", h("a", { href: `/orders/${c.orderId}` }, "See your order"), "."));
    }
  };

  const showActive = (checkout: Checkout) => {
    history.replaceState(null, "", "/checkout");
    const expires = checkout.expireTime ? timestampDate(checkout.expireTime).getTime() : Date.now();
    const total = 10 * 60_000;
    const time = h("strong", { class: "countdown-time" }, clock(expires - Date.now()));
    const bar = h("progress", { max: total, value: Math.max(0, expires - Date.now()), "aria-hidden": "true" });
    const timer = h("div", { class: "countdown", role: "timer", "aria-live": "off", "aria-atomic": "true" },
      h("span", null, "Your items are reserved for "), time, bar);
    const announced = new Set<number>();
    let expired = false;
    const form = checkoutForm(checkout);
    const tick = () => {
      const left = expires - Date.now();
      time.textContent = clock(left);
      bar.value = Math.max(0, left);
      timer.classList.toggle("urgent", left < 60_000);
      for (const mark of [300_000, 60_000, 30_000]) {
        if (left <= mark && left > mark - 2000 && !announced.has(mark)) {
          announced.add(mark);
          announce(`Your reservation ends in ${clock(mark)} minutes.`);
        }
      }
      if (left <= 0 && !expired) {
        expired = true;
        clearInterval(interval);
        showEnded(undefined, "Your reservation has expired and the items went back on the shelf. Nothing was charged.");
        announce("Your reservation has expired.");
      }
    };
    const interval = setInterval(tick, 1000);
    signal.addEventListener("abort", () => clearInterval(interval));

    const cancel = h("button", { type: "button", class: "button" }, "Cancel checkout");
    cancel.addEventListener("click", () => busy(cancel, async () => {
      try {
        await api.order.cancelCheckout({ checkoutId: checkout.id });
        clearInterval(interval);
        toast("Checkout cancelled. Your items are still in your cart.", "info");
        navigate("/cart");
      } catch (err) {
        form.prepend(notice("error", friendly(err)));
      }
    }, "Cancelling…"));

    replace(body,
      timer,
      h("div", { class: "checkout-layout" },
        h("section", { class: "summary", "aria-labelledby": "summary-title" },
          h("h2", { id: "summary-title" }, "Order summary"),
          h("ul", { class: "summary-lines" }, ...checkout.lines.map((l) => h("li", null,
            h("span", null, `${l.quantity} × ${l.name}`), h("span", { class: "price" }, formatMoney(l.lineTotal))))),
          h("p", { class: "summary-total" }, h("span", null, "Total"), h("strong", { class: "price" }, formatMoney(checkout.total))),
          cancel),
        form));

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (expired) return;
      clearFieldErrors(form);
      const errors = form.querySelector(".form-errors")!;
      errors.replaceChildren();
      const v = (name: string) => (form.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-field="${name}"]`)?.value ?? "").trim();
      // What the browser can tell at once is said at once; everything else the order service checks.
      const missing = ([
        ["shipping_address.recipient", "Please enter the recipient's full name."], ["shipping_address.line1", "Please enter the street address."],
        ["shipping_address.city", "Please enter the city."], ["shipping_address.region", "Please enter the state."],
        ["shipping_address.postal_code", "Please enter the ZIP code."], ["card.number", "Please enter the card number."],
        ["card.expiry_month", "Please choose the card's expiry month."], ["card.expiry_year", "Please choose the card's expiry year."],
        ["card.cvc", "Please enter the security code from the back of the card."], ["card.holder_name", "Please enter the name on the card."],
      ] as const).filter(([name]) => v(name) === "");
      if (missing.length) {
        for (const [name, message] of [...missing].reverse()) showFieldError(form, name, message);
        errors.replaceChildren(notice("error", missing.length === 1 ? missing[0][1] : `Please fill in the ${missing.length} highlighted fields.`));
        return;
      }
      const keyName = `shop.submit.${checkout.id}`;
      const idempotencyKey = sessionStorage.getItem(keyName) ?? crypto.randomUUID();
      sessionStorage.setItem(keyName, idempotencyKey);
      const submit = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
      await busy(submit, async () => {
        try {
          const { order } = await api.order.submitOrder({
            checkoutId: checkout.id,
            idempotencyKey,
            card: {
              number: v("card.number"), expiryMonth: Number(v("card.expiry_month")), expiryYear: Number(v("card.expiry_year")),
              cvc: v("card.cvc"), holderName: v("card.holder_name"),
            },
            shippingAddress: {
              recipient: v("shipping_address.recipient"), line1: v("shipping_address.line1"), line2: v("shipping_address.line2"),
              city: v("shipping_address.city"), region: v("shipping_address.region"), postalCode: v("shipping_address.postal_code"),
              countryCode: v("shipping_address.country_code"),
            },
          }, { timeoutMs: 30_000 });
          sessionStorage.removeItem(keyName);
          clearInterval(interval);
          await refreshCartCount();
          navigate(`/orders/${order!.id}?placed=1`);
        } catch (err) {
          // Only an answer that might not have reached us keeps the key: a retry then returns the same order.
          const unsure = !(err instanceof Error && "code" in err) || isCode(err, Code.Unavailable) || isCode(err, Code.DeadlineExceeded) || isCode(err, Code.Aborted);
          if (!unsure) sessionStorage.removeItem(keyName);
          const problem = fieldProblem(err);
          if (problem && showFieldError(form, problem.field, problem.message)) {
            errors.replaceChildren(notice("error", problem.message));
            return;
          }
          if (CHECKOUT_ENDED_REASONS.includes(reasonOf(err) ?? "")) {
            clearInterval(interval);
            showEnded(undefined, friendly(err));
            return;
          }
          errors.replaceChildren(notice("error", friendly(err)));
          errors.querySelector<HTMLElement>(".notice")?.focus();
        }
      }, "Placing your order…");
    });
    tick();
  };

  if (query.get("begin")) return begin();
  try {
    const { checkout } = await api.order.getCheckout({}, { signal });
    if (!checkout) return begin();
    const live = checkout.status === CheckoutStatus.ACTIVE && checkout.expireTime && timestampDate(checkout.expireTime).getTime() > Date.now();
    if (live) showActive(checkout);
    else showEnded(checkout, "You have no reservation right now. Start checkout to reserve the items in your cart for 10 minutes.");
  } catch (err) {
    if (signal.aborted) return;
    if (isCode(err, Code.NotFound)) return begin();
    replace(body, notice("error", friendly(err)));
  }
}

function checkoutForm(checkout: Checkout): HTMLFormElement {
  const input = (name: string, attrs: Record<string, string | number | boolean> = {}) =>
    h("input", { name, type: "text", ...attrs, "data-field": name }) as HTMLInputElement;
  const year = new Date().getFullYear();
  const months = h("select", { name: "card.expiry_month", "data-field": "card.expiry_month", autocomplete: "cc-exp-month" },
    h("option", { value: "" }, "Month"),
    ...Array.from({ length: 12 }, (_, i) => h("option", { value: i + 1 }, String(i + 1).padStart(2, "0"))));
  const years = h("select", { name: "card.expiry_year", "data-field": "card.expiry_year", autocomplete: "cc-exp-year" },
    h("option", { value: "" }, "Year"),
    ...Array.from({ length: 12 }, (_, i) => h("option", { value: year + i }, String(year + i))));
  const country = h("select", { name: "shipping_address.country_code", "data-field": "shipping_address.country_code", autocomplete: "country" },
    h("option", { value: "US" }, "United States"));
  return h("form", { class: "checkout-form", novalidate: true, "aria-labelledby": "pay-title" },
    h("div", { class: "form-errors", "aria-live": "assertive" }),
    h("fieldset", null, h("legend", null, "Shipping address"),
      field("Full name", input("shipping_address.recipient", { autocomplete: "name", required: true })),
      field("Address", input("shipping_address.line1", { autocomplete: "address-line1", required: true })),
      field("Apartment, suite (optional)", input("shipping_address.line2", { autocomplete: "address-line2" })),
      h("div", { class: "row" },
        field("City", input("shipping_address.city", { autocomplete: "address-level2", required: true })),
        field("State", input("shipping_address.region", { autocomplete: "address-level1", required: true, maxlength: 50 })),
        field("ZIP code", input("shipping_address.postal_code", { autocomplete: "postal-code", required: true, inputmode: "numeric" }))),
      field("Country", country)),
    h("fieldset", null, h("legend", { id: "pay-title" }, "Payment"),
      h("div", { class: "test-cards notice notice-info" },
        h("p", null, h("strong", null, "This is a demo shop: no real card is charged."), " Use one of these test card numbers with any future expiry date and any 3-digit code:"),
        h("ul", null, ...TEST_CARDS.map(([n, what]) => h("li", null, h("code", null, n), ` — ${what}`)))),
      field("Card number", input("card.number", { autocomplete: "cc-number", inputmode: "numeric", required: true })),
      h("div", { class: "row" },
        field("Expiry month", months),
        field("Expiry year", years),
        field("Security code (CVC)", input("card.cvc", { autocomplete: "cc-csc", inputmode: "numeric", maxlength: 4, required: true }))),
      field("Name on card", input("card.holder_name", { autocomplete: "cc-name", required: true }))),
    h("button", { type: "submit", class: "button primary large" }, `Place order · ${formatMoney(checkout.total)}`));
}
