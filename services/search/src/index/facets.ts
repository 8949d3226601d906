// Running a query: leapfrog over the planned words' posting lists (or a maintained summary), filters, facet
// counts by category, brand and price bucket, and the bounded top-k of the requested sort.
import { words } from "../domain/text.js";
import { Collector, Sort, TopK } from "./collector.js";
import { intersect, type Source } from "./cursor.js";
import { FIELD } from "./documents.js";
import { TermSummary, type SummarySource } from "./term-summaries.js";
import { ALL_IN_NAME_BONUS, CATEGORY_TERM, EXACT_NAME_BONUS, FacetCount, FIELD_WEIGHT, NO_BUCKET, PreparedQuery, PRICE_BUCKET_FLOORS, QUALITY, SearchHits, SearchQuery, SUMMARY_BUDGET_BYTES, SUMMARY_WINDOW_MS, WordPlan } from "./index-types.js";
import { QueryPlanner } from "./query-plan.js";

export class FacetedSearch extends QueryPlanner {

  search(q: SearchQuery, prepared?: PreparedQuery): SearchHits {
    const { plans, ignored, hadWords } = prepared && prepared.text === q.text ? prepared : this.prepare(q);
    const k = plans.length;
    const sort = q.sort === Sort.Relevance && k === 0 ? Sort.Newest : q.sort;
    const hasFilters = q.brands.length > 0 || q.minPrice !== undefined || q.maxPrice !== undefined || q.inStockOnly;
    let brandMask: Uint8Array | null = null;
    if (q.brands.length) {
      brandMask = new Uint8Array(this.brands.size);
      for (const b of q.brands) {
        const i = this.brands.get(b);
        if (i >= 0) brandMask[i] = 1;
      }
    }
    const run = new Collector(this.columns(), {
      sort, limit: q.limit, after: q.after,
      catLo: q.category >= 0 ? this.tree.pre[q.category] : -1,
      catHi: q.category >= 0 ? this.tree.end[q.category] : -1,
      brandMask, minPrice: q.minPrice, maxPrice: q.maxPrice, inStockOnly: q.inStockOnly,
      brands: this.brands.size, categories: this.tree.size, noBucket: NO_BUCKET,
    });

    const summarized = this.summarizedTerm(q, plans);
    const src = summarized >= 0 ? this.summarySource() : undefined;
    const summary = src ? this.summary(summarized, src) : undefined;
    if (summary) {
      // One broad word, nothing filtered, by relevance: the page off the front of the term's summary.
      summary.collect(run, src!, q.limit, q.after);
      return this.result(run, q, ignored, summary);
    } else if (k === 1 && plans[0].variants.length === 1) {
      // One word through one term: its posting list is the candidate list, scored from the field bits.
      const sources: Source[] = [];
      this.sources(plans[0].variants[0].term, plans[0].variants[0].quality, sources);
      for (const s of sources) {
        run.scanBlock(s.ords, s.bits, s.from, s.to, FIELD_WEIGHT, s.quality, FIELD.name, ALL_IN_NAME_BONUS, EXACT_NAME_BONUS);
      }
    } else if (k === 1) {
      // One word through several terms (synonyms, typo neighbours, completions): merge them into one list,
      // each item once with its best variant, then one tight pass.
      const merged = this.mergeVariants(plans[0]);
      run.scanScored(merged.ords, merged.rels, merged.count);
    } else if (k > 0) {
      const exactPossible = ignored.length === 0;
      const single = plans.map((p) => {
        if (p.variants.length !== 1) return undefined;
        const sources: Source[] = [];
        this.sources(p.variants[0].term, p.variants[0].quality, sources);
        return sources.length === 1 ? sources[0] : undefined;
      });
      if (single.every((x) => x !== undefined)) {
        // Every word through one posting block (the usual case): a tight leapfrog over the arrays.
        this.leapfrog(single as Source[], run, exactPossible);
      } else {
        const cursors = plans.map((p) => this.cursor(p));
        intersect(cursors, Infinity, (ord) => {
          if (!run.isLive(ord)) return true;
          let rel = 0;
          let inName = 0;
          for (let i = 0; i < k; i++) {
            rel += cursors[i].weight(FIELD_WEIGHT, FIELD.name, false);
            inName += cursors[i].inName;
          }
          if (inName === k) rel += ALL_IN_NAME_BONUS + (exactPossible && run.nameTerms(ord) === k ? EXACT_NAME_BONUS : 0);
          run.offerScored(ord, rel);
          return true;
        });
      }
    } else if (!hadWords) {
      if (q.category >= 0) {
        // Browsing a category: walk its membership list instead of the whole catalog.
        const term = this.terms.get(CATEGORY_TERM + this.tree.ids[q.category]);
        const sources: Source[] = [];
        if (term >= 0) this.sources(term, 1, sources);
        for (const s of sources) run.scanBlock(s.ords, null, s.from, s.to, null, 1, 0, 0, 0);
      } else if (!hasFilters) {
        this.views[sort as Exclude<Sort, Sort.Relevance>].collect(run, this.n, q.limit, q.after);
        return this.result(run, q, ignored, { total: this.liveCount, byCategory: this.allByCategory, byBrand: this.allByBrand, byBucket: this.allByBucket });
      } else if (q.brands.length === 0 && q.minPrice === undefined && q.maxPrice === undefined) {
        // In stock only: the sorted view, passing over items without stock; counts kept as stock moves.
        const stock = this.stockOf;
        this.views[sort as Exclude<Sort, Sort.Relevance>].collect(run, this.n, q.limit, q.after, (ord) => stock[ord] > 0);
        return this.result(run, q, ignored, { total: this.allStockCount, byCategory: this.stockByCategory, byBrand: this.stockByBrand, byBucket: this.stockByBucket });
      } else {
        const brandTerm = q.minPrice === undefined && q.maxPrice === undefined ? this.brandWordTerm(q.brands) : -1;
        if (brandTerm >= 0) {
          // One brand: every item of it has the brand's words (as brand words), so the postings of its rarest
          // word hold them all; the collector keeps the brand's. Its facet, which ignores the brand filter, is
          // the kept count over the whole catalog.
          const sources: Source[] = [];
          this.sources(brandTerm, 1, sources);
          for (const s of sources) run.scanBlock(s.ords, null, s.from, s.to, null, 1, 0, 0, 0);
          return { ...this.result(run, q, ignored), brands: this.brandFacet(q.inStockOnly ? this.stockByBrand : this.allByBrand, q.brands) };
        }
        for (let ord = 0; ord < this.n; ord++) run.consider(ord, 0);
      }
    }
    return this.result(run, q, ignored);
  }

  /** The term whose summary answers the query (one broad word as typed, no filter, by relevance), or -1. */
  protected summarizedTerm(q: Pick<SearchQuery, "category"> & Partial<SearchQuery>, plans: WordPlan[]): number {
    if (plans.length !== 1 || plans[0].variants.length !== 1 || q.sort !== Sort.Relevance || q.category >= 0) return -1;
    if (q.brands?.length || q.minPrice !== undefined || q.maxPrice !== undefined || q.inStockOnly) return -1;
    const v = plans[0].variants[0];
    return v.quality === QUALITY.exact && this.postingLength(v.term) >= this.summaryMinPostings ? v.term : -1;
  }

  /** The term's summary, up to date; undefined until the term was asked for often enough (or if it cannot be built). */
  protected summary(term: number, src: SummarySource): TermSummary | undefined {
    let s = this.summaries.get(term);
    if (s) {
      const bytes = s.bytes;
      const current = s.catchUp(src, this.changes, this.postingLength(term));
      this.summaryBytes += (current ? s.bytes : 0) - bytes;
      if (!current) {
        this.summaries.delete(term);
        s = undefined;
      }
    }
    if (!s) {
      const now = Date.now();
      if (now - this.windowStart > SUMMARY_WINDOW_MS) {
        this.unsummarized.clear();
        this.windowStart = now;
      }
      const asked = (this.unsummarized.get(term) ?? 0) + 1;
      if (asked < this.summaryAfterQueries) {
        this.unsummarized.set(term, asked);
        return undefined;
      }
      this.unsummarized.delete(term);
      s = TermSummary.build(term, src, this.changes);
      if (!s) return undefined;
      this.summaryBytes += s.bytes;
      while (this.summaryBytes > SUMMARY_BUDGET_BYTES && this.summaries.size) {
        let oldest: number | undefined;
        for (const [t, x] of this.summaries) if (oldest === undefined || x.lastUsed < this.summaries.get(oldest)!.lastUsed) oldest = t;
        this.summaryBytes -= this.summaries.get(oldest!)!.bytes;
        this.summaries.delete(oldest!);
      }
      this.summaries.set(term, s);
    }
    s.lastUsed = ++this.summaryClock;
    return s;
  }

  protected summarySource(): SummarySource {
    return {
      hot: this.hot, brand: this.brandOf, keys: this.keys,
      postings: (term, out) => this.postings.sources(term, QUALITY.exact, out),
      contains: (term, ord) => this.postings.contains(term, ord),
      relevance: (bits, ord) => FIELD_WEIGHT[bits]
        + (bits & FIELD.name ? ALL_IN_NAME_BONUS + (this.nameTermsOf(ord) === 1 ? EXACT_NAME_BONUS : 0) : 0),
      newestFirst: () => this.views[Sort.Newest].ordered(this.n),
      ordinals: this.n, categories: this.tree.size, brands: this.brands.size, buckets: NO_BUCKET + 1,
    };
  }

  /** The rarest word of the one brand asked for (a known one), or -1. */
  protected brandWordTerm(brands: readonly string[]): number {
    if (brands.length !== 1 || this.brands.get(brands[0]) < 0) return -1;
    let best = -1;
    for (const id of this.shortTextTerms(brands[0])) if (best < 0 || this.postingLength(id) < this.postingLength(best)) best = id;
    return best;
  }

  /**
   * Items in every block (ascending ordinals, galloping search), each scored from its field bits in every
   * word: the shortest block leads.
   */
  protected leapfrog(blocks: Source[], run: Collector, exactPossible: boolean): void {
    const k = blocks.length;
    const sorted = [...blocks].sort((a, b) => (a.to - a.from) - (b.to - b.from));
    const ords = sorted.map((b) => b.ords);
    const bits = sorted.map((b) => b.bits);
    const quality = Float64Array.from(sorted.map((b) => b.quality));
    const pos = Int32Array.from(sorted.map((b) => b.from));
    const end = Int32Array.from(sorted.map((b) => b.to));
    const lead = ords[0];
    const leadEnd = end[0];
    // A list not much longer than the lead is walked linearly; a much longer one is galloped through.
    const leadLength = leadEnd - pos[0];
    const linear = Uint8Array.from(sorted.map((b) => (b.to - b.from <= 8 * leadLength ? 1 : 0)));
    outer: for (let p = pos[0]; p < leadEnd; p++) {
      const d = lead[p];
      for (let j = 1; j < k; j++) {
        const o = ords[j];
        let lo = pos[j];
        const hi = end[j];
        if (linear[j] === 1) {
          while (lo < hi && o[lo] < d) lo++;
        } else if (lo < hi && o[lo] < d) {
          // Gallop, then binary search in (lo, probe].
          let step = 1;
          let probe = lo + 1;
          while (probe < hi && o[probe] < d) {
            lo = probe;
            step <<= 1;
            probe = lo + step;
          }
          let top = probe < hi ? probe : hi;
          let left = lo + 1;
          while (left < top) {
            const mid = (left + top) >>> 1;
            if (o[mid] < d) left = mid + 1;
            else top = mid;
          }
          lo = left;
        }
        pos[j] = lo;
        if (lo >= hi) break outer;
        if (o[lo] !== d) continue outer;
      }
      if (!run.isLive(d)) continue;
      let rel = FIELD_WEIGHT[bits[0][p]] * quality[0];
      let inName = bits[0][p] & FIELD.name;
      for (let j = 1; j < k; j++) {
        const b = bits[j][pos[j]];
        rel += FIELD_WEIGHT[b] * quality[j];
        inName += b & FIELD.name;
      }
      if (inName === k) rel += ALL_IN_NAME_BONUS + (exactPossible && run.nameTerms(d) === k ? EXACT_NAME_BONUS : 0);
      run.offerScored(d, rel);
    }
  }

  protected result(
    run: Collector, q: SearchQuery, ignored: string[],
    all?: { total: number; byCategory: Int32Array; byBrand: Int32Array; byBucket: Int32Array },
  ): SearchHits {
    const entries = run.heap.sorted();
    const last = entries[entries.length - 1];
    const bucketCount = all ? all.byBucket : run.bucketCount;
    return {
      ords: entries.map((e) => e.ord),
      total: all ? all.total : run.total,
      next: run.afterCount > q.limit && last ? { a: last.a, b: last.b, c: last.c } : undefined,
      categories: this.categoryFacet(all ? all.byCategory : run.catCount, q.category),
      brands: this.brandFacet(all ? all.byBrand : run.brandCount, q.brands),
      priceRanges: PRICE_BUCKET_FLOORS.map((_, value) => ({ value, count: bucketCount[value] })).filter((f) => f.count > 0),
      ignoredWords: ignored,
    };
  }

  /** Counts per child of the filtered category (per root without one), subtrees included. */
  protected categoryFacet(byPre: Int32Array, filter: number): FacetCount<number>[] {
    const tree = this.tree;
    const level = filter >= 0 ? tree.depth[filter] + 1 : 0;
    const from = filter >= 0 ? tree.pre[filter] : 0;
    const to = filter >= 0 ? tree.end[filter] : tree.size;
    const agg = new Map<number, number>();
    for (let pre = from; pre < to; pre++) {
      const n = byPre[pre + 1];
      if (n <= 0) continue;
      const a = tree.ancestorAt(tree.byPre[pre], level);
      if (a >= 0) agg.set(a, (agg.get(a) ?? 0) + n);
    }
    return [...agg].map(([value, count]) => ({ value, count }))
      .sort((x, y) => y.count - x.count || (tree.names[x.value] < tree.names[y.value] ? -1 : 1))
      .slice(0, 30);
  }

  protected brandFacet(brandCount: Int32Array, selected: readonly string[]): FacetCount<string>[] {
    const top = new TopK(20);
    for (let b = 0; b < this.brands.size; b++) if (brandCount[b] > 0) top.offer(brandCount[b], -b, 0, b);
    const out = top.sorted().map((e) => ({ value: this.brands.texts[e.ord], count: brandCount[e.ord] }));
    for (const s of selected) {
      if (out.some((f) => f.value === s)) continue;
      const i = this.brands.get(s);
      out.push({ value: s, count: i < 0 ? 0 : brandCount[i] });
    }
    return out;
  }

}
