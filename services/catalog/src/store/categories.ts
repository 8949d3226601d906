// Category rows and the proto Category.
import { create } from "@bufbuild/protobuf";
import type { EntityManager } from "typeorm";
import { CategorySchema, type Category } from "../../../../gen/shop/catalog/v1/catalog_pb.js";

type Db = Pick<EntityManager, "query">;

interface CategoryRow {
  id: string;
  name: string;
  parent_id: string | null;
  path: string[];
  depth: number;
}

function toCategory(r: CategoryRow): Category {
  return create(CategorySchema, { id: r.id, name: r.name, parentId: r.parent_id ?? "", path: r.path, depth: r.depth });
}

/** The whole tree in depth-first order (each category right after its parent, siblings by name). */
export async function listAllCategories(db: Db): Promise<Category[]> {
  const rows: CategoryRow[] = await db.query(
    `SELECT id, name, parent_id, path, depth FROM catalog.categories ORDER BY path, id`,
  );
  return rows.map(toCategory);
}

/** Direct children of a category, by name; undefined when the parent does not exist. */
export async function listChildCategories(db: Db, parentId: string): Promise<Category[] | undefined> {
  const rows: (CategoryRow & { is_parent: boolean })[] = await db.query(
    `SELECT c.id, c.name, c.parent_id, c.path, c.depth, c.id = $1 AS is_parent
     FROM catalog.categories c WHERE c.id = $1 OR c.parent_id = $1
     ORDER BY c.name, c.id`,
    [parentId],
  );
  if (!rows.some((r) => r.is_parent)) return undefined;
  return rows.filter((r) => !r.is_parent).map(toCategory);
}
