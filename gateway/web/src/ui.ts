// Pieces several pages share: sign-in guards, form errors, item pictures, stock badges, the cart count, announcements,
// lists shown a page at a time.
import { api, fieldProblem, friendly } from "./api.js";
import { busy, h, notice, pageTitle, replace, showFieldError } from "./dom.js";
import { stockLabel } from "./format.js";
import { here } from "./router.js";
import { session, type Session, type ShopRole } from "./session.js";

/** The session if its role may use the page; otherwise renders why not (and how to fix it) and returns undefined. */
export function guard(main: HTMLElement, title: string, roles: ShopRole[], what: string): Session | undefined {
  const s = session();
  if (!s) {
    main.append(pageTitle(title), notice("info",
      `Please sign in to ${what}. `,
      h("a", { href: `/signin?next=${encodeURIComponent(here())}` }, "Sign in"), " or ",
      h("a", { href: `/register?next=${encodeURIComponent(here())}` }, "create an account"), "."));
    return undefined;
  }
  if (!roles.includes(s.user.role)) {
    const who = roles.includes("customer") ? "customer accounts" : roles.map((r) => `${r} accounts`).join(" and ");
    main.append(pageTitle(title), notice("info", `This page is for ${who}. You're signed in as ${s.user.email} (${s.user.role}).`));
    return undefined;
  }
  return s;
}

/** The item's picture; when it cannot load (or there is none) a tile with the brand's initials stands in. */
export function itemPicture(item: { imageUrl: string; name: string; brand?: string; itemId?: string; id?: string }, size: "small" | "large" = "small"): HTMLElement {
  const key = item.itemId ?? item.id ?? item.name;
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const initials = item.name.split(/\s+/).filter((w) => /^[A-Za-z0-9]/.test(w)).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
  const tile = h("div", { class: `picture picture-${size}`, "aria-hidden": "true" }, h("span", null, initials));
  tile.style.setProperty("--hue", String(hash % 360));
  if (item.imageUrl) {
    const img = h("img", { src: item.imageUrl, alt: "", loading: "lazy", decoding: "async" });
    img.addEventListener("error", () => img.remove());
    tile.append(img);
  }
  return tile;
}

export function stockBadge(stockLeft: number, lowStock: boolean): HTMLElement {
  const s = stockLabel(stockLeft, lowStock);
  return h("span", { class: `badge badge-${s.kind}` }, s.text);
}

const live = () => document.getElementById("announcer")!;

/** Says something to screen-reader users without moving focus. */
export function announce(text: string): void {
  const el = live();
  el.textContent = "";
  // A fresh text node after a tick so the same sentence twice is announced twice.
  setTimeout(() => { el.textContent = text; }, 50);
}

/** A short message at the top of the page that goes away by itself. */
export function toast(text: string, kind: "success" | "error" | "info" = "success"): void {
  const box = document.getElementById("toasts")!;
  const t = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  box.append(t);
  setTimeout(() => t.remove(), 6000);
}

let cartCount = 0;
let cartListener: ((n: number) => void) | undefined;

/** The header's cart badge (one at a time: the header re-renders on sign-in and sign-out). */
export function onCartCount(fn: (n: number) => void): void {
  cartListener = fn;
  fn(cartCount);
}

export function setCartCount(n: number): void {
  cartCount = n;
  cartListener?.(n);
}

/** Reloads the header's cart count (customers only). */
export async function refreshCartCount(): Promise<void> {
  if (session()?.user.role !== "customer") return setCartCount(0);
  try {
    const { cart } = await api.cart.getCart({});
    setCartCount(cart?.lines.reduce((n, l) => n + l.quantity, 0) ?? 0);
  } catch {
    // the badge is a convenience: leave it as it was
  }
}

/**
 * A failed form submission, said where the shopper looks: next to the field the service named (`fieldFor` maps
 * its name to the form's), else in the form's error box. Returns true when it went next to a field.
 */
export function showFormError(form: HTMLFormElement, errors: HTMLElement, err: unknown, fieldFor = (f: string) => f): boolean {
  const p = fieldProblem(err);
  if (p && showFieldError(form, fieldFor(p.field), p.message)) return true;
  errors.replaceChildren(notice("error", friendly(err)));
  return false;
}

/**
 * A list shown a page at a time: `page(token)` fetches the page after `token` ("" for the first), shows its rows
 * and returns the next page's token; the returned button (`label`, hidden on the last page) fetches the next one.
 * A failure shows in `status`, unless the page was left. Call load() for the first page.
 */
export function pagedList(
  label: string, status: HTMLElement, signal: AbortSignal, page: (token: string) => Promise<string>,
): { more: HTMLButtonElement; load(): Promise<void> } {
  const more = h("button", { type: "button", class: "button", hidden: true }, label);
  let token = "";
  const load = async () => {
    try {
      token = await page(token);
      more.hidden = !token;
    } catch (err) {
      if (!signal.aborted) replace(status, notice("error", friendly(err)));
    }
  };
  more.addEventListener("click", () => busy(more, load, "Loading…"));
  return { more, load };
}

