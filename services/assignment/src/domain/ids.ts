// Warehouse order ids are derived, not random: UUID v5 of (order id, warehouse id). A redelivered OrderPlaced
// that re-plans the same warehouse therefore names the same warehouse order, so Inventory's AllocateOrder
// (idempotent per warehouse order) recognizes a retry, and no two warehouse orders of one order share a
// warehouse.
import { createHash } from "node:crypto";

/** Namespace of this service's v5 ids (a random v4, fixed forever). */
const NAMESPACE = "6f1e6c2a-3b8d-4b57-9f0e-2d1c5a7e9b40";

/** RFC 4122 version 5 (SHA-1, name-based) UUID. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function warehouseOrderId(orderId: string, warehouseId: string): string {
  return uuidV5(`warehouse-order:${orderId.toLowerCase()}:${warehouseId.toLowerCase()}`);
}
