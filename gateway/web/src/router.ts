// Client-side routes over the History API. Each page gets the main element and an AbortSignal that fires
// when the shopper leaves it (streams, timers and pending calls stop there).
export interface PageContext {
  main: HTMLElement;
  params: string[];
  query: URLSearchParams;
  signal: AbortSignal;
}

export type Page = (ctx: PageContext) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  page: Page;
  title: string;
}

const routes: Route[] = [];
let leave: AbortController | undefined;
let main: HTMLElement;
let notFound: Page;
let afterRender: (() => void) | undefined;

export function route(pattern: RegExp, title: string, page: Page): void {
  routes.push({ pattern, page, title });
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  void render();
}

/** The current path with its query, to come back to after signing in. */
export function here(): string {
  return location.pathname + location.search;
}

async function render(): Promise<void> {
  leave?.abort();
  leave = new AbortController();
  const signal = leave.signal;
  const path = location.pathname;
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  document.title = match ? `${match.r.title} · Shop mesh` : "Not found · Shop mesh";
  main.replaceChildren();
  window.scrollTo(0, 0);
  try {
    await (match?.r.page ?? notFound)({ main, params: match ? match.m!.slice(1).map(decodeURIComponent) : [], query: new URLSearchParams(location.search), signal });
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  if (signal.aborted) return;
  afterRender?.();
  // Move focus to the new page's heading: keyboard and screen-reader users start at the top of the content.
  main.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
}

export function startRouter(opts: { main: HTMLElement; notFound: Page; afterRender?: () => void }): void {
  main = opts.main;
  notFound = opts.notFound;
  afterRender = opts.afterRender;
  window.addEventListener("popstate", () => void render());
  // Same-origin links navigate without a page load; modified clicks (new tab...) behave as usual.
  document.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element).closest?.("a");
    if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
    ev.preventDefault();
    navigate(a.pathname + a.search);
  });
  void render();
}

/** Re-renders the current page (after sign-in state changes). */
export function refresh(): void {
  void render();
}
