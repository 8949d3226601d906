// Query planning: each word of a query becomes the posting lists of its variants (exact, stem, synonyms,
// prefix completions, typos), with a size bound used to pick the cheapest way to answer.
import { fold, isAlphaWord, stem, STOPWORDS, SYNONYMS, words } from "../domain/text.js";
import { TopK } from "./collector.js";
import { WordCursor, type Source } from "./cursor.js";
import { FIELD } from "./documents.js";
import { PostingStore } from "./postings.js";
import { ALL_IN_NAME_BONUS, CATEGORY_TERM, EXACT_NAME_BONUS, FIELD_WEIGHT, MAX_QUERY_WORDS, PreparedQuery, QUALITY, SearchQuery, SHORT_COMPLETIONS_MS, SYNONYMS_UP_TO_DF, WordPlan } from "./index-types.js";
import { IndexData } from "./ingest.js";

export abstract class QueryPlanner extends IndexData {
  // ------------------------------------------------------------------------------------------ reads

  protected postingLength(term: number): number {
    return this.postings.length(term);
  }

  protected sources(term: number, quality: number, out: Source[]): void {
    this.postings.sources(term, quality, out);
  }

  protected cursor(plan: WordPlan, store: PostingStore = this.postings): WordCursor {
    const sources: Source[] = [];
    for (const v of plan.variants) store.sources(v.term, v.quality, sources);
    return new WordCursor(sources, plan.variants.reduce((n, v) => n + store.length(v.term), 0));
  }

  /** The union of a word's variants, ascending, with the relevance of the best variant per item. */
  protected mergeVariants(plan: WordPlan): { ords: Int32Array; rels: Float64Array; count: number } {
    const sources: Source[] = [];
    for (const v of plan.variants) this.sources(v.term, v.quality, sources);
    const relOf = (bits: number, quality: number, ord: number) => {
      let rel = FIELD_WEIGHT[bits] * quality;
      if (bits & FIELD.name) {
        const words = this.nameTermsOf(ord);
        rel += ALL_IN_NAME_BONUS + (words === 1 ? EXACT_NAME_BONUS : 0);
      }
      return rel;
    };
    let ords = new Int32Array(0);
    let rels = new Float64Array(0);
    let count = 0;
    // Pairwise linear merges: the union so far with the next source.
    for (const s of sources) {
      const nextOrds = new Int32Array(count + (s.to - s.from));
      const nextRels = new Float64Array(nextOrds.length);
      let i = 0;
      let j = s.from;
      let o = 0;
      while (i < count || j < s.to) {
        if (j >= s.to || (i < count && ords[i] < s.ords[j])) {
          nextOrds[o] = ords[i];
          nextRels[o++] = rels[i++];
        } else {
          const ord = s.ords[j];
          const rel = relOf(s.bits[j], s.quality, ord);
          j++;
          if (i < count && ords[i] === ord) {
            nextOrds[o] = ord;
            nextRels[o++] = Math.max(rels[i++], rel);
          } else {
            nextOrds[o] = ord;
            nextRels[o++] = rel;
          }
        }
      }
      ords = nextOrds;
      rels = nextRels;
      count = o;
    }
    return { ords, rels, count };
  }

  /** Sorts the letters-only words again after a bulk load added many. */
  protected refreshWords(): void {
    if (!this.wordsDirty) return;
    const ids: number[] = [];
    this.terms.texts.forEach((t, id) => {
      if (t.charCodeAt(0) !== 1 && !this.terms.isStopword(id) && isAlphaWord(t)) ids.push(id);
    });
    ids.sort((a, b) => (this.terms.texts[a] < this.terms.texts[b] ? -1 : 1));
    this.wordIds = ids;
    this.words = ids.map((id) => this.terms.texts[id]);
    this.wordsDirty = false;
    this.shortCompletions.clear();
  }

  /** Prefix completions among letters-only words, the most frequent (in names, for autocomplete) first. */
  protected completions(prefix: string, max: number, byName: boolean): number[] {
    this.refreshWords();
    const short = prefix.length <= 2;
    const key = `${byName ? "n" : "a"}${max}:${prefix}`;
    if (short) {
      const hit = this.shortCompletions.get(key);
      if (hit && Date.now() - hit.at < SHORT_COMPLETIONS_MS) return hit.ids;
    }
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const counts = byName ? this.nameDf : this.df;
    const top = new TopK(max);
    for (let i = lo; i < this.words.length && this.words[i].startsWith(prefix); i++) {
      const id = this.wordIds[i];
      if (counts[id] > 0) top.offer(counts[id], -id, 0, id);
    }
    const ids = top.sorted().map((e) => e.ord);
    if (short) this.shortCompletions.set(key, { at: Date.now(), ids });
    return ids;
  }

  /** The variants a query word is matched through: itself, synonyms, typo neighbours, completions. */
  protected planWord(word: string, last: boolean): WordPlan {
    const variants = new Map<number, number>();
    const put = (term: number, quality: number) => {
      if ((variants.get(term) ?? 0) < quality) variants.set(term, quality);
    };
    const exact = this.terms.get(word);
    const exactDf = exact < 0 ? 0 : this.df[exact];
    if (exactDf > 0) put(exact, QUALITY.exact);
    // Synonyms help a word that finds little; a common word ("tv") finds plenty as typed, and merging in
    // another large list would cost more than it adds.
    if (exactDf < SYNONYMS_UP_TO_DF) {
      for (const s of SYNONYMS[word] ?? []) {
        const id = this.terms.get(s);
        if (id >= 0 && this.df[id] > 0) put(id, QUALITY.synonym);
      }
    }
    const alpha = isAlphaWord(word);
    if (alpha && exactDf < 3) {
      // Unknown or very rare as typed: most likely a typo of a common word ("samsnug").
      let taken = 0;
      for (const hit of this.typos.lookup(word)) {
        // A known but rare word is kept as typed unless a neighbour is far more common.
        if (this.df[hit.id] < (exactDf === 0 ? 1 : exactDf * 20)) continue;
        put(hit.id, hit.edits === 1 ? QUALITY.typo1 : QUALITY.typo2);
        if (++taken === 3) break;
      }
    }
    if (alpha && last && word.length >= 2 && exactDf === 0) {
      for (const id of this.completions(word, word.length < 3 ? 5 : 12, false)) put(id, QUALITY.prefix);
    }
    const list = [...variants].map(([term, quality]) => ({ term, quality }));
    return { word, variants: list, size: list.reduce((s, v) => s + this.postingLength(v.term), 0) };
  }

  /** Query words as the index sees them: folded, plurals folded, stopwords dropped. */
  static queryWords(text: string): string[] {
    const out: string[] = [];
    for (const w of words(fold(text))) {
      const s = stem(w);
      if (!STOPWORDS.has(s)) out.push(s);
    }
    return out;
  }

  /**
   * Plans a query: the variants of each word, and an upper bound of the candidates it will examine (what
   * it costs). search() accepts the plan back, so a caller can decide on the cost before paying it.
   */
  prepare(q: Pick<SearchQuery, "text" | "category"> & Partial<SearchQuery>): PreparedQuery {
    const ws = [...new Set(QueryPlanner.queryWords(q.text))].slice(0, MAX_QUERY_WORDS);
    const plans: WordPlan[] = [];
    const ignored: string[] = [];
    ws.forEach((w, i) => {
      const p = this.planWord(w, i === ws.length - 1);
      if (p.variants.length) plans.push(p);
      else ignored.push(w);
    });
    const summarized = this.summarizedTerm(q, plans);
    const summary = summarized >= 0 ? this.summaries.get(summarized) : undefined;
    let candidates: number;
    if (summary) candidates = (q.limit ?? 0) + 1 + summary.unordered(this.postingLength(summarized));
    else if (plans.length) candidates = Math.min(...plans.map((p) => p.size));
    else if (ws.length) candidates = 0;
    else if (q.category >= 0) candidates = this.postingLength(this.terms.get(CATEGORY_TERM + this.tree.ids[q.category]));
    else candidates = this.liveCount;
    return { text: q.text, plans, ignored, hadWords: ws.length > 0, candidates };
  }

  /** The one word of a query whose maintained summary can answer it, or -1 (facets.ts). */
  protected abstract summarizedTerm(q: Pick<SearchQuery, "category"> & Partial<SearchQuery>, plans: WordPlan[]): number;
}
