// The in-memory search index over the read model: every item gets an ordinal; per-item facts live in typed
// arrays by ordinal; every term has a posting list of (ordinal, field bits), sorted by ordinal.
//
// Posting lists come in two tiers: a compact base (one CSR block built in bulk at start-up) and, per term, a
// growable delta for what arrived since. An item is never edited inside a posting list: a new item, or an
// item whose text changed, gets a fresh ordinal (always the largest so far), so every append keeps the lists
// sorted; the old ordinal is simply marked dead. Price, stock, image and status changes update the columns in
// place. This is Lucene's "delete + add", without segments to merge at our sizes.
//
// A query leapfrogs the posting lists of its words (document at a time, galloping), then one tight pass over
// the matches applies filters, counts facets and keeps a bounded top-k. Browsing the whole catalog without
// filters reads facet counts that are maintained as items change, and so does one broad word asked for often
// (term-summaries.ts).
//
// SearchIndex is built in layers, a file each: ingest.ts (the data, and items and stock coming in), query-plan.ts
// (query words to posting lists), facets.ts (running a query: filters, facets, top-k), and here autocomplete.
import { fold, stem, words } from "../domain/text.js";
import { TopK } from "./collector.js";
import { intersect } from "./cursor.js";
import { FIELD } from "./documents.js";
import { FIELD_WEIGHT, QUALITY, SUGGEST_LEAD_LIMIT, SUGGEST_SCAN_LIMIT, Suggestions, WordPlan } from "./index-types.js";
import { FacetedSearch } from "./facets.js";

export { Sort, type Cursor } from "./collector.js";
export {
  PRICE_BUCKET_FLOORS, priceBucket, STORE_CURRENCY,
  type FacetCount, type ItemView, type PreparedQuery, type SearchHits, type SearchQuery, type Suggestions,
} from "./index-types.js";

export class SearchIndex extends FacetedSearch {
  /**
   * Autocomplete: items whose name has every word typed (the last one as a prefix, with a one-edit slip
   * allowed when nothing starts that way) and categories whose name does. Names starting with what was typed
   * come first.
   */
  suggest(prefixText: string, limit: number): Suggestions {
    const typed = fold(prefixText).replace(/\s+/g, " ").trimStart();
    const rawWords = words(typed);
    if (rawWords.length === 0) return { items: [], categories: [] };
    const endsWord = !/[a-z0-9\u0080-\uffff]$/.test(typed);
    const partial = endsWord ? undefined : rawWords[rawWords.length - 1];
    const complete = SearchIndex.queryWords((endsWord ? rawWords : rawWords.slice(0, -1)).join(" "));

    const plans: WordPlan[] = [];
    let itemsPossible = true;
    for (const w of complete) {
      const p = this.planWord(w, false);
      if (!p.variants.length) itemsPossible = false;
      plans.push(p);
    }
    let partialWords: string[] = [];
    if (partial !== undefined) {
      const p = this.planPartial(partial);
      partialWords = p.variants.map((v) => this.terms.texts[v.term]);
      if (!p.variants.length) itemsPossible = false;
      plans.push(p);
    }
    const categories = this.suggestCategories(complete, partial, partialWords, limit);
    if (!itemsPossible || plans.length === 0) return { items: [], categories };

    // Rank by how well the words match (the first name word counts extra), then re-rank the best few by
    // whether the name starts with what was typed (too costly to check on every match).
    const cursors = plans.map((p) => this.cursor(p, this.namePostings));
    const top = new TopK(limit * 8);
    let scanned = 0;
    intersect(cursors, SUGGEST_LEAD_LIMIT, (ord) => {
      if (!this.isLive(ord)) return true;
      let s = 0;
      for (const c of cursors) {
        const w = c.weight(FIELD_WEIGHT, FIELD.name, true);
        if (w < 0) return true;
        s += w;
      }
      s += (this.stockOf[ord] > 0 ? 1 : 0) - this.names.byteLength(ord) / 200;
      top.offer(s, this.keys[2 * ord + 1], ord, ord);
      return ++scanned < SUGGEST_SCAN_LIMIT;
    });
    const phrase = typed.trim();
    const ranked = top.sorted()
      .map((e) => ({ ...e, a: e.a + (fold(this.names.get(e.ord)).startsWith(phrase) ? 50 : 0) }))
      .sort((x, y) => y.a - x.a || y.b - x.b || y.c - x.c);
    const seen = new Set<string>();
    const items: { ord: number; text: string }[] = [];
    for (const e of ranked) {
      const text = this.names.get(e.ord);
      if (seen.has(text)) continue;
      seen.add(text);
      items.push({ ord: e.ord, text });
      if (items.length === limit) break;
    }
    return { items, categories };
  }

  /** The last, unfinished word: itself, its completions, or completions of a one-edit variant of it. */
  private planPartial(partial: string): WordPlan {
    const variants = new Map<number, number>();
    const exact = this.terms.get(stem(partial));
    if (exact >= 0 && this.nameDf[exact] > 0) variants.set(exact, QUALITY.exact);
    const max = partial.length < 3 ? 5 : 15;
    for (const id of this.completions(partial, max, true)) if (!variants.has(id)) variants.set(id, QUALITY.prefix);
    if (variants.size === 0 && partial.length >= 3) {
      const found = new Map<number, number>();
      for (const v of oneEditVariants(partial)) for (const id of this.completions(v, 3, true)) found.set(id, this.nameDf[id]);
      [...found].sort((a, b) => b[1] - a[1]).slice(0, 8).forEach(([id]) => variants.set(id, QUALITY.typo1));
    }
    const list = [...variants].map(([term, quality]) => ({ term, quality }));
    return { word: partial, variants: list, size: list.reduce((s, v) => s + this.postingLength(v.term), 0) };
  }

  /** Category names by word: sorted words (raw and plural-folded) for prefixes, and term -> categories. */
  private catIndex?: { words: string[]; cats: number[][]; byTerm: Map<string, number[]>; folded: string[] };

  private categoryIndex() {
    if (this.catIndex) return this.catIndex;
    const byWord = new Map<string, Set<number>>();
    const byTerm = new Map<string, number[]>();
    const folded: string[] = [];
    this.tree.names.forEach((name, c) => {
      folded.push(fold(name));
      for (const w of words(folded[c])) {
        if (!byWord.has(w)) byWord.set(w, new Set());
        byWord.get(w)!.add(c);
      }
      for (const t of new Set(SearchIndex.queryWords(name))) {
        if (!byTerm.has(t)) byTerm.set(t, []);
        byTerm.get(t)!.push(c);
        if (!byWord.has(t)) byWord.set(t, new Set());
        byWord.get(t)!.add(c);
      }
    });
    const sorted = [...byWord.keys()].sort();
    this.catIndex = { words: sorted, cats: sorted.map((w) => [...byWord.get(w)!]), byTerm, folded };
    return this.catIndex;
  }

  /** Categories whose name has every complete word and a word starting with the partial one (or a correction). */
  private suggestCategories(complete: string[], partial: string | undefined, partialWords: string[], limit: number) {
    const tree = this.tree;
    const idx = this.categoryIndex();
    let found: Set<number> | undefined;
    for (const w of complete) {
      const cats = new Set(idx.byTerm.get(w) ?? []);
      found = found ? new Set([...found].filter((c) => cats.has(c))) : cats;
      if (found.size === 0) return [];
    }
    if (partial !== undefined) {
      const matching = new Set<number>();
      let lo = 0;
      let hi = idx.words.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (idx.words[mid] < partial) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < idx.words.length && idx.words[i].startsWith(partial); i++) for (const c of idx.cats[i]) matching.add(c);
      for (const w of partialWords) for (const c of idx.byTerm.get(w) ?? []) matching.add(c);
      found = found ? new Set([...found].filter((c) => matching.has(c))) : matching;
    }
    if (!found) return [];
    const typed = [...complete, ...(partial !== undefined ? [partial] : [])].join(" ");
    const ranked = [...found].map((c) => ({ category: c, text: tree.names[c], rank: (idx.folded[c].startsWith(typed) ? 0 : 100) + tree.depth[c] }));
    ranked.sort((a, b) => a.rank - b.rank || a.text.length - b.text.length || (a.text < b.text ? -1 : 1));
    const seen = new Set<string>();
    return ranked.filter((f) => (seen.has(f.text) ? false : (seen.add(f.text), true))).slice(0, limit)
      .map(({ category, text }) => ({ category, text }));
  }
}

/** Strings one edit (deletion, transposition, substitution, insertion of a letter) away from `w`. */
export function oneEditVariants(w: string): Set<string> {
  const out = new Set<string>();
  const letters = "abcdefghijklmnopqrstuvwxyz";
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
  for (let i = 0; i + 1 < w.length; i++) out.add(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
  for (let i = 0; i < w.length; i++) for (const ch of letters) if (ch !== w[i]) out.add(w.slice(0, i) + ch + w.slice(i + 1));
  for (let i = 0; i <= w.length; i++) for (const ch of letters) out.add(w.slice(0, i) + ch + w.slice(i));
  out.delete(w);
  return out;
}