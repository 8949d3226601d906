// A tiny DOM helper instead of a framework: h("button", { onclick }, "Add") builds elements; pages re-render
// the parts that change. Text is always set as text, never parsed as HTML, so nothing a shopper or the
// catalog writes can become markup.
export type Child = Node | string | number | bigint | false | null | undefined | Child[];
type Handler = (ev: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Props = Record<string, string | number | boolean | null | undefined | Handler>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") el.className = String(value);
    else if (key === "value" && "value" in el) (el as HTMLInputElement).value = String(value);
    else if (key === "checked" && "checked" in el) (el as HTMLInputElement).checked = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
/** A unique id for label/aria wiring. */
export function id(prefix = "f"): string {
  return `${prefix}-${++uid}`;
}

/** A labelled form field: label, control, hint and an error slot the page fills on InvalidArgument. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, opts: { hint?: string; name?: string } = {}): HTMLDivElement {
  control.id ||= id();
  if (opts.name) control.dataset.field = opts.name;
  const errorId = `${control.id}-error`;
  const hintId = opts.hint ? `${control.id}-hint` : undefined;
  control.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
  return h("div", { class: "field" },
    h("label", { for: control.id }, label),
    opts.hint ? h("p", { class: "hint", id: hintId }, opts.hint) : null,
    control,
    h("p", { class: "field-error", id: errorId, "aria-live": "polite" }),
  );
}

/** Shows an error under a form control (found by data-field) and marks it invalid; returns false if absent. */
export function showFieldError(form: Element, name: string, message: string): boolean {
  const control = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`);
  if (!control) return false;
  control.setAttribute("aria-invalid", "true");
  const slot = document.getElementById(`${control.id}-error`);
  if (slot) slot.textContent = message;
  control.focus();
  return true;
}

export function clearFieldErrors(form: Element): void {
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  form.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
}

/** A status or error box. role=alert for errors (announced at once), status otherwise. */
export function notice(kind: "error" | "info" | "success" | "warning", ...children: Child[]): HTMLDivElement {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}

/** A page heading that receives focus after navigation, so keyboard and screen-reader users start there. */
export function pageTitle(text: string): HTMLHeadingElement {
  return h("h1", { tabindex: "-1", class: "page-title" }, text);
}

export function spinner(label = "Loading…"): HTMLParagraphElement {
  return h("p", { class: "loading", role: "status" }, label);
}

/** Disables a button while `work` runs (no double submits) and re-enables it after. */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>, label?: string): Promise<T> {
  const before = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (label) button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (label) button.textContent = before;
  }
}
