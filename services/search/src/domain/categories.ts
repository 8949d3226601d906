// The category tree as Search needs it: descendant checks in O(1) (pre-order numbering: a category's subtree
// is one interval), facet levels, the words each category adds to its items, and cache scopes.
import { terms } from "./text.js";

export interface CategoryInput {
  id: string;
  name: string;
  /** Empty for a root. */
  parentId: string;
}

/** Last word of each "&"- or comma-separated part of a name: "Cases, Covers & Skins" -> case, cover, skin. */
export function headNouns(name: string): string[] {
  const out = new Set<string>();
  for (const part of name.split(/[&,/]| and /)) {
    const t = terms(part);
    if (t.length) out.add(t[t.length - 1]);
  }
  return [...out];
}

export class CategoryTree {
  readonly ids: string[];
  readonly names: string[];
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  /** Pre-order number of each category; its subtree is [pre, end). */
  readonly pre: Int32Array;
  readonly end: Int32Array;
  /** Category index by pre-order number. */
  readonly byPre: Int32Array;
  readonly children: number[][];
  readonly roots: number[];
  /** Indexes from the root down to the category, inclusive. */
  readonly paths: Int32Array[];
  /** Index terms of the category's path names (what "tv" in "TV & Home Theater > TVs" adds to an item). */
  readonly pathTerms: string[][];
  /** Head nouns of the category's own name: what its items are ("tv" for "4K Ultra HD TVs"). */
  readonly headTerms: string[][];
  /** The category's cache group: its depth-1 ancestor, or itself for a root. */
  readonly group: Int32Array;
  private readonly byId = new Map<string, number>();

  constructor(input: readonly CategoryInput[]) {
    const list = [...input].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.ids = list.map((c) => c.id);
    this.names = list.map((c) => c.name);
    list.forEach((c, i) => this.byId.set(c.id, i));
    const n = list.length;
    this.parent = new Int32Array(n).fill(-1);
    this.children = Array.from({ length: n }, () => []);
    this.roots = [];
    for (let i = 0; i < n; i++) {
      const p = list[i].parentId ? this.byId.get(list[i].parentId) : undefined;
      // A parent missing from the list (or a cycle, cut below) makes the category a root rather than an orphan.
      if (p === undefined || p === i) this.roots.push(i);
      else {
        this.parent[i] = p;
        this.children[p].push(i);
      }
    }
    const byName = (a: number, b: number) => (this.names[a] < this.names[b] ? -1 : this.names[a] > this.names[b] ? 1 : a - b);
    this.roots.sort(byName);
    for (const c of this.children) c.sort(byName);

    this.depth = new Int32Array(n);
    this.pre = new Int32Array(n).fill(-1);
    this.end = new Int32Array(n);
    this.paths = new Array<Int32Array>(n);
    this.pathTerms = new Array<string[]>(n);
    this.group = new Int32Array(n);
    this.headTerms = this.names.map(headNouns);
    let counter = 0;
    // Iterative depth-first walk (a deep or cyclic input must not overflow the stack).
    const stack: { node: number; path: number[]; next: number }[] = this.roots.map((r) => ({ node: r, path: [r], next: 0 })).reverse();
    while (stack.length) {
      const top = stack[stack.length - 1];
      const { node, path } = top;
      if (top.next === 0 && this.pre[node] === -1) {
        this.pre[node] = counter++;
        this.depth[node] = path.length - 1;
        this.paths[node] = Int32Array.from(path);
        this.group[node] = path.length > 1 ? path[1] : path[0];
        this.pathTerms[node] = [...new Set(path.flatMap((i) => terms(this.names[i])))];
      }
      const kids = this.children[node];
      if (top.next < kids.length) {
        const child = kids[top.next++];
        if (this.pre[child] === -1) stack.push({ node: child, path: [...path, child], next: 0 });
      } else {
        this.end[node] = counter;
        stack.pop();
      }
    }
    // Categories caught in a parent cycle were never reached from a root: make each its own root.
    this.byPre = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (this.pre[i] !== -1) continue;
      this.parent[i] = -1;
      this.roots.push(i);
      this.pre[i] = counter++;
      this.end[i] = counter;
      this.paths[i] = Int32Array.of(i);
      this.pathTerms[i] = terms(this.names[i]);
      this.group[i] = i;
    }
    for (let i = 0; i < n; i++) this.byPre[this.pre[i]] = i;
  }

  get size(): number {
    return this.ids.length;
  }

  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  /** Whether `node` is `ancestor` or below it. */
  within(node: number, ancestor: number): boolean {
    return this.pre[node] >= this.pre[ancestor] && this.pre[node] < this.end[ancestor];
  }

  /** The ancestor of `node` at `depth` (node itself when it is at that depth), or -1 when it is shallower. */
  ancestorAt(node: number, depth: number): number {
    const path = this.paths[node];
    return depth < path.length ? path[depth] : -1;
  }

  /** Cache groups whose items a listing under `node` (or the whole catalog, -1) can show. */
  scopeGroups(node: number): number[] {
    if (node < 0) return [];
    if (this.depth[node] >= 1) return [this.group[node]];
    return [node, ...this.children[node]];
  }

  /** Same ids, names and parents: a refresh that changes nothing needs no rebuild. */
  sameAs(other: CategoryTree): boolean {
    if (other.size !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      if (other.ids[i] !== this.ids[i] || other.names[i] !== this.names[i] || other.parent[i] !== this.parent[i]) return false;
    }
    return true;
  }
}
