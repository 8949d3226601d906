// Admin: the catalog (create and edit items, archive) and stock (receive units at a warehouse).
import { Code } from "@connectrpc/connect";
import { ItemStatus, type Category, type Item } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import type { Warehouse } from "../../../../gen/shop/inventory/v1/inventory_pb.js";
import { api, friendly, isCode } from "../api.js";
import { busy, clearFieldErrors, field, h, id, notice, pageTitle, replace, showFieldError, spinner } from "../dom.js";
import { formatMoney, moneyInput, parseMoney, plural } from "../format.js";
import { navigate, type PageContext } from "../router.js";
import { guard, pagedList, showFormError, toast } from "../ui.js";

export async function adminPage({ main, signal }: PageContext): Promise<void> {
  if (!guard(main, "Admin", ["admin"], "manage the shop")) return;
  main.append(pageTitle("Catalog"), h("p", { class: "actions" }, h("a", { class: "button primary", href: "/admin/items/new" }, "New item")));
  const table = h("tbody");
  const status = h("div", { "aria-live": "polite" });
  const { more, load } = pagedList("Show more items", status, signal, async (token) => {
    const res = await api.catalog.listItems({ pageSize: 25, pageToken: token, includeArchived: true }, { signal });
    const stock = res.items.length ? (await api.inventory.batchGetAvailability({ itemIds: res.items.map((i) => i.id) }, { signal })).availabilities : [];
    const left = new Map(stock.map((a) => [a.itemId, a.available]));
    table.append(...res.items.map((i) => h("tr", null,
      h("td", null, h("a", { href: `/admin/items/${i.id}` }, i.name)),
      h("td", null, h("code", null, i.sku)),
      h("td", { class: "num" }, formatMoney(i.price)),
      h("td", { class: "num" }, String(left.get(i.id) ?? 0)),
      h("td", null, i.status === ItemStatus.ARCHIVED ? "Archived" : "On sale"))));
    return res.nextPageToken;
  });
  main.append(status, h("div", { class: "table-wrap" }, h("table", { class: "admin-table" },
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Item"), h("th", { scope: "col" }, "SKU"), h("th", { scope: "col" }, "Price"),
      h("th", { scope: "col" }, "Stock"), h("th", { scope: "col" }, "Status"))),
    table)), more);
  await load();
}

let categories: Promise<Category[]> | undefined;
function allCategories(): Promise<Category[]> {
  categories ??= api.catalog.listCategories({}).then((r) => r.categories).catch((err) => { categories = undefined; throw err; });
  return categories;
}

export async function adminItemPage({ main, params, signal }: PageContext): Promise<void> {
  if (!guard(main, "Edit item", ["admin"], "manage the shop")) return;
  const [itemId] = params;
  const creating = itemId === undefined;
  main.append(h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/admin" }, "Catalog"), " › ", creating ? "New item" : "Edit item"));
  main.append(pageTitle(creating ? "New item" : "Edit item"));
  let item: Item | undefined;
  if (!creating) {
    const loading = spinner();
    main.append(loading);
    try {
      item = (await api.catalog.getItem({ itemId }, { signal })).item;
    } catch (err) {
      if (!signal.aborted) main.append(notice("error", isCode(err, Code.NotFound) ? "This item doesn't exist." : friendly(err)));
      return;
    } finally {
      loading.remove();
    }
  }
  main.append(itemForm(item));
  if (item) main.append(await stockSection(item, signal));
}

function itemForm(item: Item | undefined): HTMLFormElement {
  const input = (name: string, value = "", attrs: Record<string, string | number | boolean> = {}) =>
    h("input", { type: "text", name, value, "data-field": name, ...attrs });
  const listId = id("categories");
  const category = input("category_id", item?.categoryId ?? "", { list: listId, autocomplete: "off", spellcheck: "false" });
  const categoryList = h("datalist", { id: listId });
  const categoryName = h("p", { class: "hint", "aria-live": "polite" });
  const describe = async () => {
    const all = await allCategories().catch(() => []);
    const term = category.value.trim().toLowerCase();
    const exact = all.find((c) => c.id === category.value.trim());
    categoryName.textContent = exact ? exact.path.join(" › ") : term ? "Pick a category from the list." : "";
    const matches = all.filter((c) => c.name.toLowerCase().includes(term) || c.id === term).slice(0, 30);
    categoryList.replaceChildren(...matches.map((c) => h("option", { value: c.id }, c.path.join(" › "))));
  };
  category.addEventListener("input", () => void describe());
  category.addEventListener("focus", () => void describe(), { once: true });
  if (item) void describe();

  const description = h("textarea", { name: "description", rows: 4, "data-field": "description", maxlength: 5000 });
  description.value = item?.description ?? "";
  const errors = h("div", { "aria-live": "assertive" });
  const save = h("button", { type: "submit", class: "button primary" }, item ? "Save changes" : "Create item");
  const form = h("form", { class: "admin-form", novalidate: true },
    errors,
    item ? null : field("SKU", input("sku", "", { required: true, maxlength: 64 }), { hint: "Letters, digits, dot, dash or underscore; cannot change later." }),
    field("Name", input("name", item?.name, { required: true, maxlength: 200 })),
    field("Brand", input("brand", item?.brand, { required: true, maxlength: 100 })),
    h("div", { class: "field" }, field("Category", category, { hint: "Type to search categories by name." }), categoryList, categoryName),
    field("Price (USD)", input("price", moneyInput(item?.price), { inputmode: "decimal", required: true, placeholder: "19.99", "data-field": "price.minor_units" })),
    field("Image URL (optional)", input("image_url", item?.imageUrl, { type: "url" })),
    field("Description", description),
    h("div", { class: "actions" }, save));
  const original = item;
  if (original && original.status === ItemStatus.ACTIVE) {
    const archive = h("button", { type: "button", class: "button danger" }, "Take off sale");
    archive.addEventListener("click", () => busy(archive, async () => {
      try {
        await api.catalog.archiveItem({ itemId: original.id });
        toast(`${original.name} is no longer on sale.`);
        navigate("/admin");
      } catch (err) {
        errors.replaceChildren(notice("error", friendly(err)));
      }
    }));
    form.querySelector(".actions")!.append(archive);
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    errors.replaceChildren();
    const value = (name: string) => (form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value ?? "").trim();
    const minor = parseMoney(value("price"));
    if (minor === undefined) {
      showFieldError(form, "price.minor_units", "Price must be an amount like 19.99.");
      return;
    }
    const price = { currencyCode: "USD", minorUnits: minor };
    await busy(save, async () => {
      try {
        if (!item) {
          const res = await api.catalog.createItem({
            sku: value("sku"), name: value("name"), brand: value("brand"), categoryId: value("category_id"), price,
            imageUrl: value("image_url"), description: value("description"),
          });
          toast(`Created ${res.item!.name}. Now receive some stock for it.`);
          navigate(`/admin/items/${res.item!.id}`, { replace: true });
        } else {
          const res = await api.catalog.updateItem({
            itemId: item.id, expectedVersion: item.version, name: value("name"), brand: value("brand"), categoryId: value("category_id"),
            price, imageUrl: value("image_url"), description: value("description"),
          });
          item = res.item;
          toast("Changes saved.");
        }
      } catch (err) {
        if (isCode(err, Code.Aborted) && item) {
          errors.replaceChildren(notice("error", "Someone else changed this item while you were editing. ",
            h("a", { href: `/admin/items/${item.id}` }, "Reload the latest version"), " and make your change again."));
          return;
        }
        showFormError(form, errors, err, (f) => f.replace(/^price$/, "price.minor_units"));
      }
    });
  });
  return form;
}

async function stockSection(item: Item, signal: AbortSignal): Promise<HTMLElement> {
  const section = h("section", { class: "stock-section", "aria-labelledby": "stock-title" }, h("h2", { id: "stock-title" }, "Stock"));
  let warehouses: Warehouse[] = [];
  const table = h("tbody");
  const total = h("p", { "aria-live": "polite" });
  const refresh = async () => {
    const stock = await api.inventory.getItemStock({ itemId: item.id }, { signal });
    const names = new Map(warehouses.map((w) => [w.id, `${w.name} (${w.code})`]));
    total.replaceChildren("Shoppers can buy ", h("strong", null, plural(stock.availability?.available ?? 0, "unit")), ".");
    table.replaceChildren(...stock.warehouses.map((s) => h("tr", null,
      h("td", null, names.get(s.warehouseId) ?? s.warehouseId), h("td", { class: "num" }, String(s.physical)), h("td", { class: "num" }, String(s.available)))));
  };
  try {
    warehouses = (await api.inventory.listWarehouses({}, { signal })).warehouses;
    await refresh();
  } catch (err) {
    section.append(notice("error", friendly(err)));
    return section;
  }
  const warehouse = h("select", { name: "warehouse_id", "data-field": "warehouse_id" }, ...warehouses.map((w) => h("option", { value: w.id }, `${w.name} (${w.code})`)));
  const quantity = h("input", { type: "number", name: "quantity", min: 1, max: 1_000_000, value: 10, "data-field": "quantity", inputmode: "numeric" });
  const reference = h("input", { type: "text", name: "reference", maxlength: 200, "data-field": "reference", placeholder: "Delivery note" });
  const receive = h("button", { type: "submit", class: "button primary" }, "Receive stock");
  const errors = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "admin-form receive-form", novalidate: true, "aria-label": "Receive stock" },
    errors, h("div", { class: "row" }, field("Warehouse", warehouse), field("Units", quantity), field("Reference (optional)", reference)), receive);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    errors.replaceChildren();
    await busy(receive, async () => {
      try {
        const res = await api.inventory.receiveStock({ warehouseId: warehouse.value, itemId: item.id, quantity: Number(quantity.value), reference: reference.value.trim() });
        toast(`Received ${quantity.value} units. Shoppers can now buy ${res.availability?.available ?? "more"}.`);
        await refresh();
      } catch (err) {
        showFormError(form, errors, err);
      }
    }, "Receiving…");
  });
  section.append(total, h("div", { class: "table-wrap" }, h("table", { class: "admin-table" },
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Warehouse"), h("th", { scope: "col" }, "On the shelf"), h("th", { scope: "col" }, "Not yet assigned"))),
    table)), form);
  return section;
}
