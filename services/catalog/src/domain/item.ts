// Item rules as pure functions: what a valid item is, what an update may change, and how a refused
// conditional update is explained to the caller. Handlers call these before any SQL runs.
import type { ConnectError } from "@connectrpc/connect";
import type { Money } from "../../../../gen/shop/common/v1/common_pb.js";
import type { CreateItemRequest, UpdateItemRequest } from "../../../../gen/shop/catalog/v1/catalog_pb.js";
import { aborted, failedPrecondition, invalidArgument, notFound } from "../../../lib/errors.js";
import { STORE_CURRENCY } from "../../../lib/money.js";
import { price, text, url, uuid } from "../../../lib/validate.js";

export const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Category ids of the data set look like "abcat0101000" / "pcmcat140000050035". */
export const CATEGORY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const LIMITS = { name: 200, description: 5000, brand: 100, imageUrl: 2000, attributes: 50, attributeKey: 64, attributeValue: 500 };

export type ItemStatusName = "ACTIVE" | "ARCHIVED";

/** A validated new item, ready to insert. */
export interface ItemDraft {
  sku: string;
  name: string;
  description: string;
  brand: string;
  categoryId: string;
  priceMinor: bigint;
  currency: string;
  imageUrl: string;
  attributes: Record<string, string>;
}

/** A validated change: undefined fields keep their value. */
export interface ItemPatch {
  name?: string;
  description?: string;
  brand?: string;
  categoryId?: string;
  priceMinor?: bigint;
  currency?: string;
  imageUrl?: string;
  attributes?: Record<string, string>;
}

export function validateSku(value: string, field = "sku"): string {
  return text(value, field, { min: 1, max: 64, pattern: SKU_PATTERN, patternHint: "must be 1-64 characters of A-Z a-z 0-9 . _ -" });
}

export function validateCategoryId(value: string, field = "category_id"): string {
  return text(value, field, { min: 1, max: 64, pattern: CATEGORY_ID_PATTERN, patternHint: "is not a category id (letters, digits, _ and -)" });
}

/** A present category id, or "" when the caller left the optional field empty. */
export function optionalCategoryId(value: string, field: string): string {
  return value.trim() === "" ? "" : validateCategoryId(value, field);
}

/** Prices are in the store's one currency (one region: docs/design.md); a second currency would break order totals. */
export function validatePrice(value: Money | undefined, field = "price"): { minor: bigint; currency: string } {
  const m = price(value, field);
  if (m.currencyCode !== STORE_CURRENCY) {
    throw invalidArgument(`${field}.currency_code`, `this store sells in ${STORE_CURRENCY}, not ${m.currencyCode}`);
  }
  return { minor: m.minorUnits, currency: m.currencyCode };
}

export function validateAttributes(map: Record<string, string>, field = "attributes"): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > LIMITS.attributes) throw invalidArgument(field, `must have at most ${LIMITS.attributes} entries`);
  const out: Record<string, string> = {};
  for (const [rawKey, rawValue] of entries) {
    const shown = `${field}[${JSON.stringify(rawKey.slice(0, LIMITS.attributeKey))}]`;
    const key = text(rawKey, `${shown} key`, { min: 1, max: LIMITS.attributeKey });
    if (Object.prototype.hasOwnProperty.call(out, key)) throw invalidArgument(shown, "duplicates another key once trimmed");
    out[key] = text(rawValue, shown, { max: LIMITS.attributeValue });
  }
  return out;
}

export function validateNewItem(req: CreateItemRequest): ItemDraft {
  const { minor, currency } = validatePrice(req.price);
  return {
    sku: validateSku(req.sku),
    name: text(req.name, "name", { min: 1, max: LIMITS.name }),
    description: text(req.description, "description", { max: LIMITS.description }),
    brand: text(req.brand, "brand", { min: 1, max: LIMITS.brand }),
    categoryId: validateCategoryId(req.categoryId),
    priceMinor: minor,
    currency,
    imageUrl: url(req.imageUrl, "image_url", LIMITS.imageUrl),
    attributes: validateAttributes(req.attributes),
  };
}

export function validateItemUpdate(req: UpdateItemRequest): { itemId: string; expectedVersion: bigint; patch: ItemPatch } {
  const itemId = uuid(req.itemId, "item_id");
  if (req.expectedVersion <= 0n) throw invalidArgument("expected_version", "is required: pass the version you last read (>= 1)");
  const patch: ItemPatch = {};
  if (req.name !== undefined) patch.name = text(req.name, "name", { min: 1, max: LIMITS.name });
  if (req.description !== undefined) patch.description = text(req.description, "description", { max: LIMITS.description });
  if (req.brand !== undefined) patch.brand = text(req.brand, "brand", { min: 1, max: LIMITS.brand });
  if (req.categoryId !== undefined) patch.categoryId = validateCategoryId(req.categoryId);
  if (req.price !== undefined) {
    const { minor, currency } = validatePrice(req.price);
    patch.priceMinor = minor;
    patch.currency = currency;
  }
  if (req.imageUrl !== undefined) patch.imageUrl = url(req.imageUrl, "image_url", LIMITS.imageUrl);
  if (req.replaceAttributes) {
    patch.attributes = validateAttributes(req.attributes);
  } else if (Object.keys(req.attributes).length > 0) {
    // Silently ignoring them would lose the caller's change; merging is not in the contract.
    throw invalidArgument("attributes", "are only applied with replace_attributes = true");
  }
  return { itemId, expectedVersion: req.expectedVersion, patch };
}

/**
 * Why a conditional update (WHERE id AND version AND active) matched no row, from the row as it is now.
 * `current` undefined: the item does not exist.
 */
export function refusedUpdate(itemId: string, expectedVersion: bigint, current?: { version: bigint; status: ItemStatusName }): ConnectError {
  if (!current) return notFound("item", itemId);
  if (current.status === "ARCHIVED") return failedPrecondition("ITEM_ARCHIVED", `item ${itemId} is archived and cannot be changed`);
  if (current.version !== expectedVersion) {
    return aborted("VERSION_MISMATCH", `item ${itemId} is at version ${current.version}, not expected_version ${expectedVersion}; re-read it and retry`);
  }
  // Same version and active yet no match: a concurrent change committed in between; a re-read sorts it out.
  return aborted("CONCURRENT_CHANGE", `item ${itemId} changed concurrently; re-read it and retry`);
}
