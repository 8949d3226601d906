// Sign in and create an account. After either, the shopper goes back to where they were (?next=).
import { api } from "../api.js";
import { busy, clearFieldErrors, field, h, notice, pageTitle } from "../dom.js";
import { navigate, type PageContext } from "../router.js";
import { session, signedIn, type Session } from "../session.js";
import { refreshCartCount, showFormError } from "../ui.js";

/** Only same-site paths: ?next= must never send a shopper to another site. */
function nextPath(query: URLSearchParams, s: Session): string {
  const next = query.get("next") ?? "";
  if (next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/signin") && !next.startsWith("/register")) return next;
  return s.user.role === "admin" ? "/admin" : s.user.role === "warehouse" ? "/warehouse" : "/";
}

/**
 * Submits an account form: `signIn` calls Identity; success signs the shopper in and goes on to ?next=, a refused
 * field is marked next to itself, anything else is said above the form (then `afterError`).
 */
function onAccountSubmit(
  form: HTMLFormElement, errors: HTMLElement, submit: HTMLButtonElement, query: URLSearchParams, busyLabel: string,
  signIn: () => Promise<Parameters<typeof signedIn>[0]>, afterError?: () => void,
): void {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    errors.replaceChildren();
    await busy(submit, async () => {
      try {
        const s = signedIn(await signIn());
        void refreshCartCount();
        navigate(nextPath(query, s), { replace: true });
      } catch (err) {
        if (!showFormError(form, errors, err)) afterError?.();
      }
    }, busyLabel);
  });
}

const WHY: Record<string, string> = {
  cart: "Please sign in to add items to your cart.",
  expired: "Your session has ended. Please sign in again; your cart and checkout are kept.",
};

export function signInPage({ main, query }: PageContext): void {
  main.append(pageTitle("Sign in"));
  const why = WHY[query.get("why") ?? ""];
  if (why) main.append(notice("info", why));
  if (session()) main.append(notice("info", `You're signed in as ${session()!.user.email}. Signing in again switches accounts.`));
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, "data-field": "email" });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, "data-field": "password" });
  const errors = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Sign in");
  const form = h("form", { class: "narrow-form", novalidate: true },
    errors, field("Email", email), field("Password", password), submit,
    h("p", null, "New here? ", h("a", { href: `/register${location.search}` }, "Create an account")));
  onAccountSubmit(form, errors, submit, query, "Signing in…",
    () => api.identity.login({ email: email.value.trim(), password: password.value }),
    () => {
      password.value = "";
      password.focus();
    });
  main.append(form);
}

export function registerPage({ main, query }: PageContext): void {
  main.append(pageTitle("Create your account"));
  const name = h("input", { type: "text", name: "display_name", autocomplete: "name", required: true, maxlength: 100, "data-field": "display_name" });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true, "data-field": "email" });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", required: true, minlength: 10, "data-field": "password" });
  const errors = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Create account");
  const form = h("form", { class: "narrow-form", novalidate: true },
    errors,
    field("Your name", name),
    field("Email", email),
    field("Password", password, { hint: "At least 10 characters. A short sentence is easy to remember and hard to guess." }),
    submit,
    h("p", null, "Already have an account? ", h("a", { href: `/signin${location.search}` }, "Sign in")));
  onAccountSubmit(form, errors, submit, query, "Creating your account…",
    () => api.identity.register({ email: email.value.trim(), password: password.value, displayName: name.value.trim() }));
  main.append(form);
}
