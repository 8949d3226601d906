// Demo product generation: realistic names, brands, descriptions, prices and attributes that fit the
// category an item is filed under (a "TVs" leaf gets `Samsung 65" Class QLED 4K UHD Smart TV QN65Q80C`).
// Pure and deterministic: everything random comes from the Rng passed in.
//
// A category is matched by its head noun ("Speaker" in "Bookshelf Speakers", "Cases" in "iPhone 6s Cases"),
// from the leaf up to the root. An accessory-type template (case, cable, mount...) matched only at an
// ancestor ("Camera Bags, Cases & Straps" for the leaf "Camera Straps") yields a plain accessory named after
// the leaf, never the ancestor's product.
//
// The templates are demo data in kinds-tech.ts and kinds-home.ts; kinds.ts says what a template is.
import type { Rng } from "../../../lib/random.js";
import { ACCESSORY, collapse, COLORS, WARRANTY, type BrandRule, type Kind } from "./kinds.js";
import { HOME_KINDS } from "./kinds-home.js";
import { TECH_KINDS } from "./kinds-tech.js";

export interface GeneratedProduct {
  name: string;
  brand: string;
  description: string;
  priceMinor: bigint;
  attributes: Record<string, string>;
  /** Which product template was used (for tests and debugging). */
  kind: string;
}

/** Helpers a template sees: the chosen brand, the category words, and the random source. */
export interface Gen {
  rng: Rng;
  brand: string;
  /** The leaf category's name, cleaned ("4K Ultra HD TVs"). */
  leaf: string;
  /** The leaf as a singular product noun ("4K Ultra HD TV"). */
  noun: string;
  /** What an accessory is for ("iPhone 6s" for "iPhone 6s Cases"), or a generic fallback. */
  subject: string;
  /** Whole path text, root first, for context checks. */
  pathText: string;
  pick<T>(values: readonly T[]): T;
  int(min: number, max: number): number;
  /** One value per product: the name and the attributes agree (a 65" TV has screen_size 65 in). */
  fix<T>(key: string, make: () => T): T;
  /** A product line of the chosen brand ("PIXMA" for Canon), or one of `fallback` for other brands. */
  line(byBrand: Readonly<Record<string, readonly string[]>>, fallback: readonly string[]): string;
  model(): string;
  color(): string;
}

const KINDS: readonly Kind[] = [...TECH_KINDS, ...HOME_KINDS];

/** Used when no template fits: a sensible name from the category itself and a brand fitting its top level. */
const ROOT_BRANDS: BrandRule = [
  [/TV & Home Theater|Magnolia/i, ["Insignia", "Sony", "Samsung", "LG", "Rocketfish"]],
  [/Audio/i, ["Sony", "Bose", "JBL", "Yamaha", "Insignia"]],
  [/Computers/i, ["Insignia", "Logitech", "HP", "Dell", "Belkin"]],
  [/Cell Phones/i, ["Insignia", "Belkin", "Anker", "Samsung", "Apple"]],
  [/Cameras/i, ["Canon", "Nikon", "Sony", "Insignia", "Lowepro"]],
  [/Appliances/i, ["GE", "Whirlpool", "Frigidaire", "Samsung", "LG"]],
  [/Car Electronics/i, ["Pioneer", "Kenwood", "Metra", "Scosche", "Garmin"]],
  [/Musical Instruments/i, ["Yamaha", "Fender", "Roland", "Hal Leonard", "D'Addario"]],
  [/Video Games/i, ["PowerA", "Nintendo", "Sony", "Microsoft", "Turtle Beach"]],
  [/Health/i, ["Philips", "Omron", "Homedics", "Conair", "Withings"]],
  [/Wearable/i, ["Apple", "Fitbit", "Garmin", "Samsung", "Belkin"]],
  [/Toys/i, ["LEGO", "Hasbro", "Mattel", "Sphero"]],
  [/./, ["Insignia", "Rocketfish", "Dynex", "Best Buy essentials"]],
];
const GENERIC_PITCH = ["is built to last and backed by a manufacturer warranty", "is designed for easy setup and everyday reliability", "combines thoughtful design with dependable performance"];
const SECOND_SENTENCES = [
  "Backed by a {warranty} warranty.",
  "Ships in recyclable packaging.",
  "Rated {rating} out of 5 by verified buyers.",
  "In the box: the {noun}, quick start guide and warranty card.",
  "Free returns within 15 days of delivery.",
];
const MEDIA_SECOND_SENTENCES = ["Ships in recyclable packaging.", "Rated {rating} out of 5 by verified buyers.", "Free returns within 15 days of delivery."];
/** Product names that imply their maker: an "iPhone 6s" category sells Apple phones. */
const BRAND_ALIASES: readonly (readonly [RegExp, string])[] = [
  [/\bi(phone|pad|pod|mac)\b|macbook|apple watch/i, "Apple"],
  [/\bgalaxy\b/i, "Samsung"],
  [/\bxbox\b/i, "Microsoft"],
  [/playstation|\bps\d\b|ps vita|\bpsp\b/i, "Sony"],
  [/\bwii\b|nintendo|\b[23]ds\b/i, "Nintendo"],
  [/\bpixel\b|chromecast/i, "Google"],
  [/kindle|fire tv|amazon fire/i, "Amazon"],
];
/** Leaf names that say nothing about the product; the parent names it instead. */
const UNINFORMATIVE = /^(all|more|other|accessories|general|systems|small|medium|large|misc|products|others?)$/i;

/** The product template for a category path (root first). */
export function kindFor(path: readonly string[]): { key: string; matchedAt: number } {
  const found = findKind(path);
  return found ? { key: found.kind.key, matchedAt: found.level } : { key: "generic", matchedAt: -1 };
}

function findKind(path: readonly string[]): { kind: Kind; level: number } | undefined {
  const root = path[0] ?? "";
  const leafLevel = path.length - 1;
  // The department itself ("Car Electronics & GPS") is too broad to name a product: stop below it.
  for (let level = leafLevel; level >= Math.min(1, leafLevel); level--) {
    // "Earbuds with Microphone" is a kind of earbuds: match the part before "with"/"for".
    const name = cleanCategoryName(path[level]).split(/\s+(?:with|for)\s+/i)[0];
    // "TV & Home Theater Accessories" is about accessories (an accessory noun ends the whole name); otherwise
    // the first part names the product ("CD Players & Recorders" sells CD players), then the whole name.
    const passes: [string, boolean][] = [[name, true], [name.split(/\s*(?:&|,)\s+/)[0], false], [name, false]];
    for (const [candidate, accessoriesOnly] of passes) {
      for (const kind of KINDS) {
        if (accessoriesOnly && !kind.accessory) continue;
        if (kind.roots && !kind.roots.test(root)) continue;
        if (kind.match.source === "." && level !== leafLevel) continue;
        if (!kind.match.test(candidate)) continue;
        return { kind: kind.accessory && level !== leafLevel ? ACCESSORY : kind, level };
      }
    }
  }
  return undefined;
}

/** A product for a leaf category. `path` is the category names from the root down to the leaf. */
export function generateProduct(path: readonly string[], rng: Rng): GeneratedProduct {
  const kind = findKind(path)?.kind;
  const pathText = path.join(" > ");
  const leaf = cleanCategoryName(path[path.length - 1] ?? "Product");
  const brandRules = kind?.brands.length ? kind.brands : ROOT_BRANDS;
  // Rules look below the department: "Toys, Games & Drones" must not make every toy a board game.
  const brandPool = brandsFor(brandRules, kind?.brands.length ? path.slice(1).join(" > ") || pathText : pathText);
  // A category that names a brand ("Samsung Galaxy S6", "Apple Watch") gets that brand when it fits.
  const named = brandPool.find((b) => new RegExp(`\\b${escapeRegExp(b)}\\b`, "i").test(pathText))
    ?? BRAND_ALIASES.find(([re, b]) => re.test(pathText) && brandPool.includes(b))?.[1];
  const brand = named ?? rng.pick(brandPool);
  const fixed = new Map<string, unknown>();
  let noun = singularNoun(leaf === "" || UNINFORMATIVE.test(leaf) ? parentNoun(path) : leaf);
  if (/^accessory$/i.test(noun)) noun = `${singularNoun(parentNoun(path))} Accessory`;
  const g: Gen = {
    rng,
    brand,
    leaf,
    noun: noun.replace(/\bAccessory Accessory\b/, "Accessory"),
    subject: subjectFor(path, kind),
    pathText,
    pick: (values) => rng.pick(values),
    int: (min, max) => rng.int(min, max),
    fix: <T>(key: string, make: () => T): T => {
      if (!fixed.has(key)) fixed.set(key, make());
      return fixed.get(key) as T;
    },
    line: (byBrand, fallback) => rng.pick(byBrand[brand] ?? fallback),
    model: () => modelCode(brand, rng),
    color: () => rng.pick(COLORS),
  };
  const name = dedupeWords(kind ? kind.name(g) : `${brand} ${rng.pick(["Essentials", "Pro", "Select", "Plus", "Classic"])} ${g.noun} ${g.model()}`).slice(0, 200);
  const [min, max] = typeof kind?.price === "function" ? kind.price(g) : kind?.price ?? [9, 199];
  const rating = (3.6 + rng.int(0, 13) / 10).toFixed(1);
  const warranty = rng.pick(WARRANTY);
  const lead = kind?.lead?.(g) ?? (g.noun.toLowerCase().startsWith(brand.toLowerCase()) ? `The ${g.noun}` : `The ${brand} ${g.noun}`);
  const second = rng.pick(kind?.media ? MEDIA_SECOND_SENTENCES : SECOND_SENTENCES)
    .replace("{warranty}", warranty).replace("{rating}", rating).replace("{noun}", g.noun.toLowerCase());
  const description = `${lead} ${rng.pick(kind?.pitch ?? GENERIC_PITCH)}. ${second}`;
  const attributes: Record<string, string> = { ...(kind?.attrs?.(g) ?? { color: g.color() }) };
  if (!kind?.media) Object.assign(attributes, { model: modelNumberOf(name) ?? g.model(), warranty });
  attributes.rating = rating;
  return { name, brand, description, priceMinor: pricePoint(min, max, rng), attributes, kind: kind?.key ?? "generic" };
}

/** The model number already printed in the name ("... TV QN65Q80C"), so attributes agree with it. */
function modelNumberOf(name: string): string | undefined {
  const last = name.split(" ").pop() ?? "";
  return /^(?=.*\d)(?=.*[A-Z])[A-Z0-9-]{4,}$/.test(last) ? last : undefined;
}

/** Log-uniform between min and max dollars, ending in .99 / .49 / .00 like real shelf prices. */
export function pricePoint(minDollars: number, maxDollars: number, rng: Rng): bigint {
  const dollars = Math.exp(Math.log(minDollars) + rng.next() * (Math.log(maxDollars) - Math.log(minDollars)));
  const whole = dollars >= 100 ? Math.round(dollars / 10) * 10 : Math.max(1, Math.round(dollars));
  const cents = rng.pick([99, 99, 99, 49, 0]);
  return BigInt(cents === 0 ? whole * 100 : (whole - 1) * 100 + cents);
}

/** "All Microwaves" -> "Microwaves"; "Micro SD (SD, SDHC, SDXC)" -> "Micro SD". */
export function cleanCategoryName(name: string): string {
  return collapse(name.replace(/\([^)]*\)/g, " ").replace(/^(all|more|other|shop)\s+/i, "").replace(/\s*-\s*best buy$/i, ""));
}

/** A category name as a singular product noun: "Digital TV Tuners & Converters" -> "Digital TV Tuner". */
export function singularNoun(categoryName: string): string {
  let name = cleanCategoryName(categoryName);
  const [head, ...rest] = name.split(/\s+(?:with|for)\s+/i);
  const tail = rest.length ? name.slice(head.length) : "";
  name = head;
  const parts = name.split(/\s*&\s*|\s*,\s*|\s+and\s+/i);
  if (parts.length > 1 && isPlural(lastWord(parts[0]))) name = parts[0];
  const words = name.split(" ");
  words[words.length - 1] = singularWord(words[words.length - 1]);
  return collapse(words.join(" ") + tail);
}

const IRREGULAR: Record<string, string> = {
  mice: "Mouse", accessories: "Accessory", batteries: "Battery", glasses: "Glasses", headphones: "Headphones",
  earbuds: "Earbuds", series: "Series", speakers: "Speaker", bluetooth: "Bluetooth", electronics: "Electronics",
  cds: "CD", dvds: "DVD", tvs: "TV", scissors: "Scissors", supplies: "Supply", knives: "Knife", shelves: "Shelf",
  binoculars: "Binoculars", darts: "Darts", pants: "Pants", shorts: "Shorts", goggles: "Goggles", news: "News",
  games: "Game", covers: "Cover", cases: "Case", boxes: "Box", switches: "Switch", watches: "Watch", benches: "Bench",
  dishes: "Dish", brushes: "Brush", torches: "Torch", couches: "Couch", lenses: "Lens",
};

function singularWord(word: string): string {
  const lower = word.toLowerCase();
  if (IRREGULAR[lower]) return matchCase(IRREGULAR[lower], word);
  if (/[^aeiou]ies$/i.test(word)) return word.slice(0, -3) + "y";
  if (/(ss|us|is|ics)$/i.test(word)) return word;
  if (/(xes|ches|shes|sses)$/i.test(word)) return word.slice(0, -2);
  if (/[^s]s$/i.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

function isPlural(word: string): boolean {
  return singularWord(word) !== word;
}

function matchCase(replacement: string, original: string): string {
  return original === original.toLowerCase() ? replacement.toLowerCase() : replacement;
}

function lastWord(s: string): string {
  const words = s.trim().split(/\s+/);
  return words[words.length - 1] ?? "";
}

function parentNoun(path: readonly string[]): string {
  for (let i = path.length - 2; i >= 0; i--) {
    const n = cleanCategoryName(path[i]);
    if (n && !UNINFORMATIVE.test(n)) return n;
  }
  return "Product";
}

/** What an accessory is for: the category name minus the accessory words ("iPhone 6s Cases" -> "iPhone 6s"). */
function subjectFor(path: readonly string[], kind: Kind | undefined): string {
  const strip = kind?.subjectWords;
  if (!strip) return kind?.defaultSubject ?? "most devices";
  for (let i = path.length - 1; i >= 1; i--) {
    const rest = collapse(cleanCategoryName(path[i]).replace(strip, " ").replace(/\s*[,/]\s*$/, ""));
    if (/[A-Za-z]{2}/.test(rest) && !UNINFORMATIVE.test(rest) && !/^(cell phone|mp3 player|smartphone|camera|camcorder)$/i.test(rest)) return singularSubject(rest);
  }
  return kind?.defaultSubject ?? "most devices";
}

function singularSubject(s: string): string {
  // "Cell Phone" stays, "Tablets" -> "Tablets" is fine as "for Tablets"; only trim a trailing "Accessories".
  return collapse(s.replace(/\baccessories\b/i, ""));
}

function brandsFor(brands: readonly string[] | BrandRule, pathText: string): readonly string[] {
  if (brands.length === 0) return ["Insignia"];
  if (typeof brands[0] === "string") return brands as readonly string[];
  for (const [re, list] of brands as BrandRule) if (re.test(pathText)) return list;
  return ["Insignia"];
}

/** A model number that looks like one: letters from the brand, digits, an optional suffix. */
function modelCode(brand: string, rng: Rng): string {
  const letters = brand.toUpperCase().replace(/[^A-Z]/g, "");
  const consonants = letters.replace(/[AEIOU]/g, "");
  const prefix = (consonants.length >= 2 ? consonants : letters.padEnd(2, "X")).slice(0, rng.int(2, 3));
  const digits = String(rng.int(100, 9999));
  const suffix = rng.pick(["", "", "B", "W", "X", "-BK", "2", "S"]);
  return rng.chance(0.5) ? `${prefix}-${digits}${suffix}` : `${prefix}${digits}${suffix}`;
}

/** "Roku Roku Express", "Bluetooth Bluetooth Keyboard": a word repeated next to itself is said once. */
function dedupeWords(s: string): string {
  return collapse(s).replace(/\b([\w'+.-]+)(?: \1\b)+/gi, "$1");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
