// The storefront: header (search with autocomplete, account, cart), the pages, and what happens when a
// session ends. Served by the gateway; talks to it with the generated Connect clients.
import { signOut, whenSessionRejected } from "./api.js";
import { h, notice, pageTitle } from "./dom.js";
import { adminItemPage, adminPage } from "./pages/admin.js";
import { cartPage } from "./pages/cart.js";
import { checkoutPage } from "./pages/checkout.js";
import { itemPage } from "./pages/item.js";
import { orderPage, ordersPage } from "./pages/orders.js";
import { registerPage, signInPage } from "./pages/account.js";
import { searchPage } from "./pages/search.js";
import { warehousePage } from "./pages/warehouse.js";
import { here, navigate, route, startRouter } from "./router.js";
import { searchBox } from "./search-box.js";
import { onSessionChange, session } from "./session.js";
import { onCartCount, refreshCartCount, toast } from "./ui.js";

const UUID = "([0-9a-fA-F-]{36})";
route(/^\/$/, "Shop", searchPage);
route(/^\/search$/, "Search", searchPage);
route(new RegExp(`^/item/${UUID}$`), "Item", itemPage);
route(/^\/cart$/, "Cart", cartPage);
route(/^\/checkout$/, "Checkout", checkoutPage);
route(/^\/orders$/, "Your orders", ordersPage);
route(new RegExp(`^/orders/${UUID}$`), "Your order", orderPage);
route(/^\/signin$/, "Sign in", signInPage);
route(/^\/register$/, "Create account", registerPage);
route(/^\/admin$/, "Admin", adminPage);
route(/^\/admin\/items\/new$/, "New item", adminItemPage);
route(new RegExp(`^/admin/items/${UUID}$`), "Edit item", adminItemPage);
route(/^\/warehouse$/, "Warehouse", warehousePage);

function accountNav(nav: HTMLElement): void {
  const s = session();
  const links: (HTMLElement | string)[] = [];
  if (!s || s.user.role === "customer") {
    const count = h("span", { class: "cart-count" }, "0");
    const cart = h("a", { href: "/cart", class: "cart-link" }, "Cart ", count);
    onCartCount((n) => {
      count.textContent = String(n);
      cart.setAttribute("aria-label", `Cart, ${n} item${n === 1 ? "" : "s"}`);
    });
    if (s) links.push(h("a", { href: "/orders" }, "Orders"));
    links.push(cart);
  }
  if (s?.user.role === "admin") links.push(h("a", { href: "/admin" }, "Admin"), h("a", { href: "/warehouse" }, "Warehouse"));
  if (s?.user.role === "warehouse") links.push(h("a", { href: "/warehouse" }, "Warehouse"));
  if (s) {
    const out = h("button", { type: "button", class: "button link" }, "Sign out");
    out.addEventListener("click", async () => {
      await signOut();
      toast("You're signed out.", "info");
      navigate("/");
    });
    links.push(h("span", { class: "hello" }, `Hi, ${s.user.displayName}`), out);
  } else {
    links.push(h("a", { href: `/signin?next=${encodeURIComponent(here())}` }, "Sign in"), h("a", { href: "/register" }, "Create account"));
  }
  nav.replaceChildren(...links);
}

function shell(): HTMLElement {
  const nav = h("nav", { class: "account-nav", "aria-label": "Account" });
  accountNav(nav);
  onSessionChange(() => {
    accountNav(nav);
    void refreshCartCount();
  });
  const main = h("main", { id: "main", tabindex: "-1" });
  document.getElementById("app")!.replaceChildren(
    h("header", { class: "site-header" },
      h("a", { href: "/", class: "logo", "aria-label": "Shop mesh home" }, "shop", h("span", null, "mesh")),
      searchBox(),
      nav),
    h("div", { id: "toasts", class: "toasts" }),
    main,
    h("footer", { class: "site-footer" }, h("p", null, "Shop mesh — a demo store. Prices in US dollars. No real payments are taken.")),
    h("div", { id: "announcer", class: "visually-hidden", "aria-live": "polite", "aria-atomic": "true" }));
  return main;
}

const main = shell();
whenSessionRejected(() => {
  navigate(`/signin?next=${encodeURIComponent(here())}&why=expired`, { replace: true });
});
void refreshCartCount();
startRouter({
  main,
  notFound: ({ main: m }) => {
    m.append(pageTitle("Page not found"), notice("info", "We couldn't find that page. ", h("a", { href: "/" }, "Go to the shop"), "."));
  },
});
