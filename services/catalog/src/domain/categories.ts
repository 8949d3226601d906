// The category tree, as pure functions over the data set (Best Buy's open category list, data/bestbuy/).
// The data set is a partial export: 376 categories name ancestors in their `path` that are not themselves in
// the set. Rather than inventing rows, such a category hangs under its nearest ancestor that is present, and
// its path/depth follow the tree we actually store, so every row's path equals its parent's path plus itself.

export interface RawCategory {
  id: string;
  name: string | null;
  path: { id: string; name: string | null }[];
}

export interface CategoryRecord {
  id: string;
  name: string;
  /** null for a root. */
  parentId: string | null;
  /** Names from the root down to this category, inclusive. */
  path: string[];
  /** Ids from the root down to this category, inclusive (what descendant filters index). */
  pathIds: string[];
  depth: number;
}

/** Builds a consistent tree: every parent exists, no cycles, paths agree with parents. */
export function buildCategoryTree(raw: readonly RawCategory[]): CategoryRecord[] {
  const byId = new Map<string, RawCategory>();
  for (const c of raw) if (!byId.has(c.id)) byId.set(c.id, c);

  const parentOf = new Map<string, string | null>();
  for (const c of byId.values()) {
    const ancestors = c.path.map((p) => p.id).filter((id) => id !== c.id);
    let parent: string | null = null;
    for (let i = ancestors.length - 1; i >= 0; i--) {
      if (byId.has(ancestors[i])) {
        parent = ancestors[i];
        break;
      }
    }
    parentOf.set(c.id, parent);
  }

  const built = new Map<string, CategoryRecord>();
  const visiting = new Set<string>();
  const build = (id: string): CategoryRecord => {
    const done = built.get(id);
    if (done) return done;
    const c = byId.get(id)!;
    const name = (c.name ?? "").trim() || id; // one test category in the data set has no name
    visiting.add(id);
    let parentId = parentOf.get(id) ?? null;
    if (parentId !== null && visiting.has(parentId)) parentId = null; // inconsistent paths would loop: cut to a root
    const parent = parentId === null ? undefined : build(parentId);
    visiting.delete(id);
    const record: CategoryRecord = parent
      ? { id, name, parentId, path: [...parent.path, name], pathIds: [...parent.pathIds, id], depth: parent.depth + 1 }
      : { id, name, parentId: null, path: [name], pathIds: [id], depth: 0 };
    built.set(id, record);
    return record;
  };
  return [...byId.keys()].map(build);
}

/** The category and all its descendants (what ListItems' category filter covers). */
export function descendantIds(records: readonly CategoryRecord[], rootId: string): string[] {
  return records.filter((r) => r.pathIds.includes(rootId)).map((r) => r.id);
}

/** Categories with no children in the stored tree. */
export function leafCategories(records: readonly CategoryRecord[]): CategoryRecord[] {
  const parents = new Set(records.map((r) => r.parentId).filter((p): p is string => p !== null));
  return records.filter((r) => !parents.has(r.id));
}
