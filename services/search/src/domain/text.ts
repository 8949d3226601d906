// Text analysis shared by indexing and querying: the same normalization on both sides is what makes
// "Women's", "WOMENS" and "women" meet. Pure and allocation-light (it runs over every word of a million items
// at start-up).

/** Words too common to say anything about an item; dropped from queries and from the index. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on",
  "or", "our", "so", "that", "the", "this", "to", "with", "your", "you",
]);

/**
 * Query-side synonyms (after stemming): a shopper typing "television" means the items named "TV". Kept
 * deliberately small; each entry is one-directional and listed both ways where that makes sense.
 */
export const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  tv: ["television"],
  television: ["tv"],
  laptop: ["notebook"],
  notebook: ["laptop"],
  fridge: ["refrigerator"],
  refrigerator: ["fridge"],
  cellphone: ["phone"],
  smartphone: ["phone"],
  mobile: ["phone"],
  earphone: ["earbud", "headphone"],
  earbud: ["earphone"],
  headset: ["headphone"],
  headphone: ["headset"],
  couch: ["sofa"],
  sofa: ["couch"],
};

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Lower case without accents ("Café" -> "cafe"); ASCII text (nearly all of it) takes the fast path. */
export function fold(text: string): string {
  const lower = text.toLowerCase();
  // eslint-disable-next-line no-control-regex
  // Compatibility decomposition can produce capitals ("𝕬" -> "A"): lower-case again after it.
  return /[^\u0000-\u007f]/.test(lower) ? lower.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase() : lower;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127;
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

/**
 * Splits folded text into raw words: runs of letters and digits; apostrophes inside a word are dropped
 * ("women's" -> "womens", then stemmed to "women").
 */
export function words(folded: string, out: string[] = []): string[] {
  let start = -1;
  let buf = "";
  for (let i = 0; i <= folded.length; i++) {
    const c = i < folded.length ? folded.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      if (start < 0) start = i;
    } else if (start >= 0 && isApostrophe(c) && i + 1 < folded.length && isWordChar(folded.charCodeAt(i + 1))) {
      buf += folded.slice(start, i);
      start = i + 1;
    } else if (start >= 0) {
      out.push(buf + folded.slice(start, i));
      buf = "";
      start = -1;
    }
  }
  return out;
}

function hasDigit(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** A word made of letters only (candidates for typo correction and prefix completion). */
export function isAlphaWord(w: string): boolean {
  return !hasDigit(w);
}

/**
 * Plural folding, the only stemming applied: "tvs" -> "tv", "batteries" -> "battery", "boxes" -> "box",
 * "watches" -> "watch", "cases" -> "case". Words with digits (model numbers) are left alone. Both sides
 * use it, so an imperfect rule ("series" -> "sery") still matches itself.
 */
export function stem(w: string): string {
  const n = w.length;
  if (n < 3 || w.charCodeAt(n - 1) !== 115 /* s */ || hasDigit(w)) return w;
  if (n > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (n > 4 && (w.endsWith("sses") || w.endsWith("xes") || w.endsWith("ches") || w.endsWith("shes") || w.endsWith("zzes"))) {
    return w.slice(0, -2);
  }
  if (w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) return w;
  return w.slice(0, -1);
}

/** The index terms of a text: folded, split, stemmed, stopwords dropped. Order is kept (name position matters). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(fold(text))) {
    const s = stem(w);
    if (!STOPWORDS.has(s)) out.push(s);
  }
  return out;
}
