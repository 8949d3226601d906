// Which demo items a fresh catalog gets: spread over the leaf categories of the product departments (not
// "Gift Ideas", "Customer Service" or the brand showcases), weighted like a real electronics store.
// Pure: the same categories, count and seed always give the same items, ids included.
import { leafCategories, type CategoryRecord } from "../domain/categories.js";
import { generateProduct, type GeneratedProduct } from "./naming.js";
import { createRng } from "../../../lib/random.js";

/** Share of demo items per top-level department. */
export const DEPARTMENT_WEIGHTS: Readonly<Record<string, number>> = {
  "TV & Home Theater": 10,
  "Computers & Tablets": 14,
  "Cell Phones": 9,
  "Appliances": 12,
  "Audio": 8,
  "Cameras & Camcorders": 7,
  "Video Games": 7,
  "Connected Home & Housewares": 8,
  "Movies & Music": 5,
  "Car Electronics & GPS": 4,
  "Musical Instruments": 4,
  "Health, Fitness & Beauty": 5,
  "Toys, Games & Drones": 4,
  "Wearable Technology": 3,
};

/** Leaves that are services, promotions or placeholders rather than things on a shelf. */
const NOT_A_PRODUCT = /service|installation|install|\bplans?\b|trade-in|pre-order|pre-owned|refurbished|gift cards?|prepaid|membership|currency|cards? & codes|appointment|scheduler|\bdeals?\b|coming soon|new release|event|delivery|\bsow\b|pop-up|subscription|minutes|sim cards|buying guide|\btest\b|download|e3 best buy|backward compat|internet|providers|home connections|eshop|nintendo access|psn|xbox live/i;

export interface DemoItem extends GeneratedProduct {
  id: string;
  sku: string;
  categoryId: string;
  imageUrl: string;
  /** How long before the seeding the item "was listed", so newest-first listings look lived in. */
  ageSeconds: number;
}

export const IMAGE_BASE_URL = "https://images.shop-mesh.dev/items";

/** Leaf categories that get demo items, per department. */
export function demoLeaves(categories: readonly CategoryRecord[]): Map<string, CategoryRecord[]> {
  const byDepartment = new Map<string, CategoryRecord[]>();
  for (const leaf of leafCategories(categories)) {
    const department = leaf.path[0];
    if (!(department in DEPARTMENT_WEIGHTS) || leaf.depth === 0) continue;
    if (NOT_A_PRODUCT.test(leaf.path.slice(1).join(" > "))) continue;
    const list = byDepartment.get(department) ?? [];
    list.push(leaf);
    byDepartment.set(department, list);
  }
  for (const list of byDepartment.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return byDepartment;
}

export function planDemoItems(categories: readonly CategoryRecord[], count: number, seed: number | string): DemoItem[] {
  return Array.from(demoItems(categories, count, seed));
}

/**
 * The same items one at a time (a million at once do not fit comfortably in memory). Prefix-stable: the first
 * n items of a larger count are the n items of count n, so a bigger seed tops up a smaller one.
 */
export function* demoItems(categories: readonly CategoryRecord[], count: number, seed: number | string): Generator<DemoItem> {
  const rng = createRng(`catalog-demo:${seed}`);
  const leaves = demoLeaves(categories);
  const departments = [...leaves.keys()].sort();
  if (departments.length === 0 || count <= 0) return;
  const total = departments.reduce((s, d) => s + DEPARTMENT_WEIGHTS[d], 0);
  for (let i = 0; i < count; i++) {
    let r = rng.next() * total;
    let department = departments[departments.length - 1];
    for (const d of departments) {
      r -= DEPARTMENT_WEIGHTS[d];
      if (r < 0) {
        department = d;
        break;
      }
    }
    const leaf = rng.pick(leaves.get(department)!);
    const product = generateProduct(leaf.path, rng);
    const id = rng.uuid();
    const sku = `${skuPrefix(product.brand)}-${String(i + 1).padStart(6, "0")}`;
    yield {
      ...product,
      id,
      sku,
      categoryId: leaf.id,
      imageUrl: `${IMAGE_BASE_URL}/${sku}.jpg`,
      ageSeconds: rng.int(60, 180 * 24 * 3600),
    };
  }
}

function skuPrefix(brand: string): string {
  const letters = brand.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return (letters.length >= 3 ? letters.slice(0, 3) : letters.padEnd(3, "X"));
}
