// Home and search results: full-text search with facets (categories, brands, price ranges, in stock only),
// sorting, paging and stock left on every card. If the search service is down, the newest items from the
// catalog are shown instead, with a note.
import { Code } from "@connectrpc/connect";
import type { Money } from "../../../../gen/shop/common/v1/common_pb.js";
import { SortOrder, type GetItemCatalogResponse, type SearchResultItem } from "../../../../gen/shop/search/v1/search_pb.js";
import { api, friendly, isCode } from "../api.js";
import { h, notice, pageTitle, spinner } from "../dom.js";
import { formatMoney, plural } from "../format.js";
import { navigate, type PageContext } from "../router.js";
import { itemPicture, stockBadge } from "../ui.js";

const PAGE_SIZE = 12;

const SORTS: [string, SortOrder, string][] = [
  ["", SortOrder.UNSPECIFIED, "Best match"],
  ["price-asc", SortOrder.PRICE_ASCENDING, "Price: low to high"],
  ["price-desc", SortOrder.PRICE_DESCENDING, "Price: high to low"],
  ["newest", SortOrder.NEWEST, "Newest"],
];

const usd = (minor: string | null): Money | undefined =>
  minor && /^\d{1,12}$/.test(minor) ? { $typeName: "shop.common.v1.Money", currencyCode: "USD", minorUnits: BigInt(minor) } : undefined;

/** The URL of this search with some parameters changed (null removes one); paging restarts. */
function withParams(query: URLSearchParams, changes: Record<string, string | null>, keepPage = false): string {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  if (!keepPage) {
    q.delete("page");
    q.delete("trail");
  }
  const s = q.toString();
  return `/search${s ? `?${s}` : ""}`;
}

export async function searchPage({ main, query, signal }: PageContext): Promise<void> {
  const q = query.get("q") ?? "";
  const category = query.get("category") ?? "";
  const brands = query.getAll("brand");
  const min = query.get("min");
  const max = query.get("max");
  const inStock = query.get("instock") === "1";
  const sortKey = query.get("sort") ?? "";
  const pageToken = query.get("page") ?? "";
  const trail = (query.get("trail") ?? "").split(",").filter(Boolean);

  const title = q ? `Results for “${q}”` : category ? "Browse" : "Shop everything";
  main.append(pageTitle(title));
  const loading = spinner();
  main.append(loading);

  let res: GetItemCatalogResponse;
  try {
    res = await api.search.getItemCatalog({
      query: q.slice(0, 200),
      filter: { categoryId: category, brands, minPrice: usd(min), maxPrice: usd(max), inStockOnly: inStock },
      sort: SORTS.find(([k]) => k === sortKey)?.[1] ?? SortOrder.UNSPECIFIED,
      pageSize: PAGE_SIZE,
      pageToken,
    }, { signal });
  } catch (err) {
    loading.remove();
    if (signal.aborted) return;
    if (isCode(err, Code.Unimplemented) || isCode(err, Code.Unavailable)) return fallbackBrowse(main, signal);
    main.append(notice("error", friendly(err)));
    return;
  }
  loading.remove();

  const facets = res.facets;
  const chips: HTMLElement[] = [];
  const chip = (label: string, href: string) => chips.push(h("a", { class: "chip", href, "aria-label": `Remove filter ${label}` }, label, h("span", { "aria-hidden": "true" }, " ×")));
  if (category) chip(`Category: ${facets?.categories.find((c) => c.value === category)?.label ?? category}`, withParams(query, { category: null }));
  for (const b of brands) {
    const rest = new URLSearchParams(query);
    rest.delete("brand");
    for (const other of brands) if (other !== b) rest.append("brand", other);
    chip(`Brand: ${b}`, withParams(rest, {}));
  }
  if (min || max) chip(`Price: ${min ? formatMoney(usd(min)) : "any"} – ${max ? formatMoney(usd(max)) : "any"}`, withParams(query, { min: null, max: null }));
  if (inStock) chip("In stock only", withParams(query, { instock: null }));

  const sortSelect = h("select", { id: "sort", "aria-label": "Sort results" },
    ...SORTS.map(([k, , label]) => h("option", { value: k, selected: k === sortKey }, label)));
  sortSelect.addEventListener("change", () => navigate(withParams(query, { sort: sortSelect.value || null })));

  const facetPanel = h("details", { class: "facets", open: window.matchMedia("(min-width: 761px)").matches },
    h("summary", null, "Filters"),
    h("div", { class: "facet-groups" },
      h("label", { class: "check" },
        h("input", { type: "checkbox", checked: inStock, onchange: (ev: Event) => go(withParams(query, { instock: (ev.target as HTMLInputElement).checked ? "1" : null })) }),
        " In stock only"),
      facets?.categories.length ? h("section", { "aria-labelledby": "facet-cat" },
        h("h2", { id: "facet-cat" }, "Category"),
        h("ul", null, ...facets.categories.map((c) => h("li", null,
          h("a", { href: withParams(query, { category: c.value }), "aria-current": c.value === category ? "true" : null }, c.label),
          h("span", { class: "count" }, ` (${c.count})`))))) : null,
      facets?.brands.length ? h("section", { "aria-labelledby": "facet-brand" },
        h("h2", { id: "facet-brand" }, "Brand"),
        h("ul", null, ...facets.brands.map((b) => {
          const on = brands.includes(b.value);
          const next = new URLSearchParams(query);
          next.delete("brand");
          for (const x of on ? brands.filter((y) => y !== b.value) : [...brands, b.value]) next.append("brand", x);
          return h("li", null, h("label", { class: "check" },
            h("input", { type: "checkbox", checked: on, onchange: () => go(withParams(next, {})) }),
            ` ${b.label} `, h("span", { class: "count" }, `(${b.count})`)));
        }))) : null,
      facets?.priceRanges.length ? h("section", { "aria-labelledby": "facet-price" },
        h("h2", { id: "facet-price" }, "Price"),
        h("ul", null, ...facets.priceRanges.filter((p) => p.count > 0n).map((p) => {
          const label = p.min && p.max ? `${formatMoney(p.min)} – ${formatMoney(p.max)}` : p.min ? `${formatMoney(p.min)} and up` : `Under ${formatMoney(p.max)}`;
          const lo = p.min ? String(p.min.minorUnits) : null;
          const hi = p.max ? String(p.max.minorUnits - 1n) : null;
          return h("li", null, h("a", { href: withParams(query, { min: lo, max: hi }), "aria-current": lo === min && hi === max ? "true" : null }, label),
            h("span", { class: "count" }, ` (${p.count})`));
        }))) : null,
    ));

  const total = res.totalIsEstimate ? `About ${plural(res.totalSize, "result")}` : plural(res.totalSize, "result");
  const pageNo = pageToken ? trail.length + 2 : 1;
  main.append(h("div", { class: "results-layout" },
    facetPanel,
    h("section", { class: "results", "aria-label": "Search results" },
      h("div", { class: "results-bar" },
        h("p", { class: "total", role: "status" }, total, q ? ` for “${q}”` : ""),
        h("label", { class: "sort" }, "Sort by ", sortSelect)),
      chips.length ? h("div", { class: "chips" }, ...chips) : null,
      res.items.length
        ? h("ul", { class: "grid" }, ...res.items.map(card))
        : notice("info", q ? `We couldn't find anything for “${q}”. Try fewer or different words.` : "Nothing matches these filters."),
      pager(query, pageToken, trail, res.nextPageToken, pageNo),
    )));
}

const go = (href: string) => navigate(href);

function card(item: SearchResultItem): HTMLLIElement {
  return h("li", { class: "card" },
    h("a", { href: `/item/${item.itemId}`, class: "card-link" },
      itemPicture(item),
      h("span", { class: "card-name" }, item.name)),
    h("p", { class: "card-brand" }, item.brand),
    h("p", { class: "price" }, formatMoney(item.price)),
    stockBadge(item.stockLeft, item.lowStock));
}

function pager(query: URLSearchParams, pageToken: string, trail: string[], next: string, pageNo: number): HTMLElement | null {
  if (!pageToken && !next) return null;
  const prevHref = pageToken
    ? withParams(query, { page: trail.length ? trail[trail.length - 1] : null, trail: trail.length > 1 ? trail.slice(0, -1).join(",") : null }, true)
    : undefined;
  const nextHref = next ? withParams(query, { page: next, trail: pageToken ? [...trail, pageToken].join(",") : null }, true) : undefined;
  return h("nav", { class: "pager", "aria-label": "Pages" },
    prevHref ? h("a", { class: "button", href: prevHref, rel: "prev" }, "← Previous") : h("span"),
    h("span", { class: "page-no" }, `Page ${pageNo}`),
    nextHref ? h("a", { class: "button", href: nextHref, rel: "next" }, "Next →") : h("span"));
}

/** Search is down: show the newest items from the catalog with their stock, and say so. */
async function fallbackBrowse(main: HTMLElement, signal: AbortSignal): Promise<void> {
  main.append(notice("warning", "Search isn't available right now, so here are our newest items instead."));
  try {
    const { items } = await api.catalog.listItems({ pageSize: PAGE_SIZE }, { signal });
    const stock = items.length ? (await api.inventory.batchGetAvailability({ itemIds: items.map((i) => i.id) }, { signal })).availabilities : [];
    const left = new Map(stock.map((a) => [a.itemId, a]));
    main.append(h("ul", { class: "grid" }, ...items.map((i) => card({
      $typeName: "shop.search.v1.SearchResultItem", itemId: i.id, name: i.name, brand: i.brand, price: i.price, imageUrl: i.imageUrl,
      categoryId: i.categoryId, categoryName: "", stockLeft: left.get(i.id)?.available ?? 0, lowStock: left.get(i.id)?.lowStock ?? false,
    }))));
  } catch (err) {
    if (!signal.aborted) main.append(notice("error", friendly(err)));
  }
}
