// CatalogService handlers: validate at the edge (domain rules), then one transaction per write with its
// ItemChanged outbox row. Reads are public; writes need the admin role.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { DataSource } from "typeorm";
import {
  CatalogService, ItemChangeType, ItemChangedSchema, type Item,
} from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { requireRole } from "../../lib/auth.js";
import { inTransaction, type EntityManager } from "../../lib/db.js";
import { alreadyExists, notFound, PG, pgCode } from "../../lib/errors.js";
import { EVENTS } from "../../lib/events.js";
import { enqueueEvent } from "../../lib/outbox.js";
import { pageSize, uuid, uuidList } from "../../lib/validate.js";
import { optionalCategoryId, refusedUpdate, validateItemUpdate, validateNewItem } from "./domain/item.js";
import { decodeCursor, encodeCursor, isoFromMicros } from "./domain/paging.js";
import { listAllCategories, listChildCategories } from "./store/categories.js";
import {
  archiveIfActive, categoryExists, getItemRow, getItemRows, insertItem, listItemRows, toItem, updateItemIfCurrent, type ItemRow,
} from "./store/items.js";

export const PAGE_SIZE = { default: 50, max: 200 };
export const BATCH_GET_MAX = 500;

/** A write naming a category that does not exist trips the foreign key: answer NotFound, not Internal. */
async function withCategoryCheck<T>(categoryId: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (categoryId !== undefined && pgCode(err) === PG.foreignKeyViolation) throw notFound("category", categoryId, "category_id");
    throw err;
  }
}

/** The item a write left in `row`, announced (ItemChanged) in the write's transaction. */
async function announced(tx: EntityManager, changeType: ItemChangeType, row: ItemRow): Promise<Item> {
  const item = toItem(row);
  await enqueueEvent(tx, EVENTS.catalogItemChanged, create(ItemChangedSchema, {
    eventId: randomUUID(),
    changeType,
    item,
    occurTime: item.updateTime,
  }));
  return item;
}

export function catalogHandlers(db: DataSource): ServiceImpl<typeof CatalogService> {
  return {
    async createItem(req, ctx: HandlerContext) {
      requireRole(ctx, "admin");
      const draft = validateNewItem(req);
      const item = await withCategoryCheck(draft.categoryId, () => inTransaction(db, async (tx) => {
        const row = await insertItem(tx, randomUUID(), draft);
        if (!row) throw alreadyExists("SKU_TAKEN", `sku: ${JSON.stringify(draft.sku)} is already used by another item`);
        return announced(tx, ItemChangeType.CREATED, row);
      }));
      return { item };
    },

    async updateItem(req, ctx) {
      requireRole(ctx, "admin");
      const { itemId, expectedVersion, patch } = validateItemUpdate(req);
      const item = await withCategoryCheck(patch.categoryId, () => inTransaction(db, async (tx) => {
        const row = await updateItemIfCurrent(tx, itemId, expectedVersion, patch);
        if (!row) {
          const current = await getItemRow(tx, itemId);
          throw refusedUpdate(itemId, expectedVersion, current && { version: BigInt(current.version), status: current.status });
        }
        return announced(tx, ItemChangeType.UPDATED, row);
      }));
      return { item };
    },

    async archiveItem(req, ctx) {
      requireRole(ctx, "admin");
      const itemId = uuid(req.itemId, "item_id");
      const item = await inTransaction(db, async (tx) => {
        const row = await archiveIfActive(tx, itemId);
        if (row) return announced(tx, ItemChangeType.ARCHIVED, row);
        const current = await getItemRow(tx, itemId);
        if (!current) throw notFound("item", itemId);
        return toItem(current); // already archived: nothing changes, no event
      });
      return { item };
    },

    async getItem(req) {
      const itemId = uuid(req.itemId, "item_id");
      const row = await getItemRow(db, itemId);
      if (!row) throw notFound("item", itemId);
      return { item: toItem(row) };
    },

    async batchGetItems(req) {
      const ids = uuidList(req.itemIds, "item_ids", 1, BATCH_GET_MAX);
      const rows = new Map((await getItemRows(db, ids)).map((r) => [r.id, r]));
      return {
        items: ids.filter((id) => rows.has(id)).map((id) => toItem(rows.get(id)!)),
        missingItemIds: ids.filter((id) => !rows.has(id)),
      };
    },

    async listItems(req) {
      const limit = pageSize(req.pageSize, "page_size", PAGE_SIZE.default, PAGE_SIZE.max);
      const categoryId = optionalCategoryId(req.categoryId, "category_id");
      const filter = { categoryId, includeArchived: req.includeArchived };
      const after = decodeCursor(req.pageToken, filter, "page_token");
      if (categoryId && !(await categoryExists(db, categoryId))) throw notFound("category", categoryId, "category_id");
      const rows = await listItemRows(db, { categoryId: categoryId || undefined, includeArchived: req.includeArchived, after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toItem),
        nextPageToken: rows.length > limit && last ? encodeCursor({ createTime: isoFromMicros(last.create_us), id: last.id }, filter) : "",
      };
    },

    async listCategories(req) {
      const parentId = optionalCategoryId(req.parentId, "parent_id");
      if (!parentId) return { categories: await listAllCategories(db) };
      const children = await listChildCategories(db, parentId);
      if (!children) throw notFound("category", parentId, "parent_id");
      return { categories: children };
    },
  };
}
