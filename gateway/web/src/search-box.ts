// The header's search box: an ARIA 1.2 combobox with autocomplete from SearchService.Suggest. Arrow keys move
// through suggestions, Enter picks one (or searches the text), Escape closes the list.
import { SuggestionKind, type Suggestion } from "../../../gen/shop/search/v1/search_pb.js";
import { api } from "./api.js";
import { h, id } from "./dom.js";
import { navigate } from "./router.js";

export function searchBox(): HTMLFormElement {
  const listId = id("suggestions");
  const input = h("input", {
    type: "search", name: "q", placeholder: "Search the shop", autocomplete: "off", "aria-label": "Search the shop",
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId, enterkeyhint: "search",
  });
  const list = h("ul", { id: listId, role: "listbox", class: "suggestions", hidden: true, "aria-label": "Suggestions" });
  let items: Suggestion[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;

  const close = () => {
    // A suggestion answer still on its way must not reopen the list over the next page.
    clearTimeout(timer);
    seq++;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i: number) => {
    active = i;
    list.querySelectorAll("li").forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0) input.setAttribute("aria-activedescendant", `${listId}-${i}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const choose = (s: Suggestion) => {
    close();
    if (s.kind === SuggestionKind.ITEM && s.itemId) navigate(`/item/${s.itemId}`);
    else if (s.kind === SuggestionKind.CATEGORY && s.categoryId) navigate(`/search?category=${encodeURIComponent(s.categoryId)}`);
    else {
      input.value = s.text;
      navigate(`/search?q=${encodeURIComponent(s.text)}`);
    }
  };
  const show = (suggestions: Suggestion[]) => {
    items = suggestions;
    list.replaceChildren(...suggestions.map((s, i) => {
      const li = h("li", { id: `${listId}-${i}`, role: "option", "aria-selected": "false" },
        s.text, s.kind === SuggestionKind.CATEGORY ? h("span", { class: "suggestion-kind" }, " in categories") : null);
      // mousedown, not click: it fires before the input's blur closes the list.
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(s); });
      return li;
    }));
    list.hidden = suggestions.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    active = -1;
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const prefix = input.value.trim();
    if (prefix.length < 2) return close();
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        const res = await api.search.suggest({ prefix: prefix.slice(0, 100), limit: 8 });
        if (mine === seq && input.value.trim() === prefix) show(res.suggestions);
      } catch {
        close(); // suggestions are a convenience; searching still works
      }
    }, 150);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" && items.length) {
      ev.preventDefault();
      if (list.hidden) show(items);
      highlight((active + 1) % items.length);
    } else if (ev.key === "ArrowUp" && items.length && !list.hidden) {
      ev.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (ev.key === "Enter" && active >= 0 && !list.hidden) {
      ev.preventDefault();
      choose(items[active]);
    } else if (ev.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));

  const form = h("form", { class: "search-box", role: "search", action: "/search" },
    h("div", { class: "combo" }, input, list),
    h("button", { type: "submit", class: "button primary" }, "Search"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    close();
    navigate(`/search?q=${encodeURIComponent(input.value.trim())}`);
  });
  // Keep the box showing the current query when navigating.
  window.addEventListener("popstate", () => { input.value = new URLSearchParams(location.search).get("q") ?? ""; });
  input.value = new URLSearchParams(location.search).get("q") ?? "";
  return form;
}
