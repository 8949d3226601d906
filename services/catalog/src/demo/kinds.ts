// What a product template (Kind) is, and the word lists and helpers the templates share. The templates
// themselves are data: kinds-tech.ts and kinds-home.ts, tried in that order (first match wins).
import type { Gen } from "./naming.js";

export type BrandRule = readonly (readonly [RegExp, readonly string[]])[];

export interface Kind {
  key: string;
  /** Tested against cleaned category names from the leaf upwards; "/./" kinds only at the leaf. */
  match: RegExp;
  /** Only under top-level departments matching this. */
  roots?: RegExp;
  /** Accessory-type: when matched only at an ancestor, the item is a plain accessory named after the leaf. */
  accessory?: boolean;
  /** Books, music, films, games, software: no model number or hardware warranty. */
  media?: boolean;
  /** Brands, or rules tested against the whole path (first match wins; end with /./ as the default). */
  brands: readonly string[] | BrandRule;
  /** List price range in dollars, or one that depends on the product (a 32" TV costs less than an 85" one). */
  price: readonly [number, number] | ((g: Gen) => readonly [number, number]);
  name(g: Gen): string;
  /** Sentence endings for the description: "<lead> <pitch>." */
  pitch: readonly string[];
  /** Subject of the description's first sentence; default "The <brand> <noun>". */
  lead?(g: Gen): string;
  attrs?(g: Gen): Record<string, string>;
  /** Words stripped from a category name to find what an accessory is for. */
  subjectWords?: RegExp;
  /** Used when no category name says what the accessory is for. */
  defaultSubject?: string;
}

/** A category whose head noun (last word of the name, or of its first "&" part) is one of these. */
export function head(...nouns: string[]): RegExp {
  return new RegExp(`\\b(?:${nouns.join("|")})(?=$|\\s*(?:&|,)\\s)`, "i");
}

export const COLORS = ["Black", "White", "Silver", "Space Gray", "Midnight Blue", "Graphite", "Red", "Sage Green", "Rose Gold", "Charcoal"];
export const FINISHES = ["Stainless Steel", "Black Stainless Steel", "White", "Fingerprint Resistant Stainless Steel", "Matte Black"];
export const WARRANTY = ["1 year limited", "1 year limited", "2 year limited", "90 days parts and labor", "3 year limited"];
export const PLATFORM_NAMES: Record<string, string> = { ps4: "PlayStation 4", ps3: "PlayStation 3", "ps vita": "PS Vita", "xbox one": "Xbox One", "xbox 360": "Xbox 360", "wii u": "Wii U", wii: "Wii", "3ds": "Nintendo 3DS", "2ds": "Nintendo 2DS", ds: "Nintendo DS", pc: "PC" };

export const TITLE_WORDS = ["Midnight", "Golden", "Paper", "Iron", "Neon", "Silver", "Velvet", "Northern", "Wild", "Quiet", "Electric", "Hollow", "Crimson", "Lantern", "Horizon", "Harbor", "Ember", "Glass", "River", "Summit", "Orchard", "Static", "Echo", "Meridian", "Tide", "Canyon", "Frontier", "Signal", "Radio", "Kingdom", "Shadow", "Storm", "Comet", "Valley", "Avenue", "Atlas", "Falcon", "Drift", "Harvest", "Sparrow"];
export const BAND_NOUNS = ["Sparrows", "Lanterns", "Comets", "Harbors", "Falcons", "Echoes", "Tides", "Canyons", "Rivers", "Signals", "Embers", "Storms", "Kings", "Lines", "Wolves", "Saints"];
export const FIRST_NAMES = ["Ada", "Marisol", "Jules", "Dee", "Theo", "Nina", "Omar", "Priya", "Lena", "Marcus", "Iris", "Caleb", "Rosa", "Felix", "June", "Tariq", "Hazel", "Rory", "Mei", "Otis"];
export const LAST_NAMES = ["Quinn", "Vega", "Okafor", "Harmon", "Lindqvist", "Moreau", "Castillo", "Bennett", "Nakamura", "Adeyemi", "Sullivan", "Reyes", "Holloway", "Kowalski", "Achebe", "Marsh", "Delacroix", "Park", "Whitfield", "Osei"];

/** A made-up title of `words` capitalized words, e.g. "Crimson Harbor". */
export function title(g: Gen, words: number): string {
  const picked: string[] = [];
  while (picked.length < words) {
    const w = g.pick(TITLE_WORDS);
    if (!picked.includes(w)) picked.push(w);
  }
  return picked.join(" ");
}

/** A made-up performer: a person ("Priya Castillo") or a band ("The Velvet Sparrows"). */
export function artist(g: Gen): string {
  return g.rng.chance(0.5) ? `${g.pick(FIRST_NAMES)} ${g.pick(LAST_NAMES)}` : `The ${title(g, 1)} ${g.pick(BAND_NOUNS)}`;
}

export function platformOf(g: Gen): string {
  return g.fix("platform", () => {
    const named = /\b(ps4|ps3|ps vita|xbox one|xbox 360|wii u|wii|3ds|2ds|ds|pc)\b/i.exec(g.pathText)?.[1]?.toLowerCase();
    return named ? PLATFORM_NAMES[named] : g.pick(["PlayStation 5", "Xbox Series X", "Nintendo Switch", "PC"]);
  });
}


/** The plain accessory: what an accessory-type template falls back to above the leaf. */
export const ACCESSORY: Kind = {
  key: "accessory",
  match: head("accessories", "accessory kits", "accessory sets", "parts", "remotes", "remote controls", "bands", "straps", "strap locks", "tips", "earbud tips", "inserts", "pedestals", "stacking kits", "trim kits", "clips", "lens caps", "replacement heads", "security locks", "stylus", "add-ons", "console add-ons", "mounting kits", "installation kits", "hoses", "bags", "belts", "cleaning kits", "cleaners", "protective lens & covers", "housings"),
  accessory: true,
  brands: [],
  price: [7, 89],
  name: (g) => `${g.brand} ${g.pick(["Premium", "Universal", "Replacement", "Pro", "Essentials", "Deluxe"])} ${g.noun} ${g.model()}`,
  pitch: ["is made to fit and built to the original manufacturer's specifications", "adds convenience and protection to the gear you already own", "installs in seconds with no tools required"],
  attrs: (g) => ({ color: g.pick(["Black", "White", "Gray", "Clear"]) }),
  subjectWords: /accessor(y|ies)|parts?|remotes?|kits?|bands?|straps?|clips?|more|all|other|universal|replacement|&|\band\b/gi,
  defaultSubject: "most models",
};

/** Runs of whitespace as one space, trimmed. */
export function collapse(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
