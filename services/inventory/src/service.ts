// InventoryService handlers: who may call, what a valid request is, then one store call. Every handler checks
// its caller and validates every field before any SQL runs; bad input never changes anything.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate, timestampNow, type Duration } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { DataSource } from "typeorm";
import { AddressSchema, GeoPointSchema, ItemQuantitySchema, type Address, type GeoPoint, type ItemQuantity } from "../../../gen/shop/common/v1/common_pb.js";
import {
  AvailabilitySchema, InventoryService, ReceiveStockResponseSchema, ReservationSchema, WriteOffResponseSchema, ReservationStatus, StockShortageSchema, StockViolationSchema,
  WarehouseSchema, WarehouseStockSchema, type Allocation, type Availability, type Reservation, type Warehouse, type WarehouseStock,
} from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { requireRole, type Principal } from "../../lib/auth.js";
import { inTransaction } from "../../lib/db.js";
import { onceInTransaction, optionalIdempotencyKey } from "../../lib/idempotency.js";
import { alreadyExists, invalidArgument, notFound, permissionDenied } from "../../lib/errors.js";
import { int, isUuid, text, uuid, uuidList } from "../../lib/validate.js";
import { TTL_MAX_MS, TTL_MIN_MS, type InventorySettings } from "./settings.js";
import { isLowStock, sortLines, type AllocationLine, type Line, type ReserveInput } from "./domain/stock.js";
import type { ReserveQueue } from "./reserve-queue.js";
import { auditViolations } from "./metrics.js";
import { auditStock } from "./store/audit.js";
import { allocateOrder, deallocateOrder, recordShipment } from "./store/orders.js";
import { commitReservation, releaseReservation, type ReservationRow } from "./store/reservations.js";
import { aggregatedStock, receiveStock, warehouseStock, writeOff, type WarehouseStockRow } from "./store/stock.js";
import {
  createWarehouse, findWarehouseByCode, findWarehouseById, listWarehouses, type AddressFields, type WarehouseRow,
} from "./store/warehouses.js";

export const MAX_STOCK_QUANTITY = 1_000_000;
/** Most items one scoped AuditStock names. */
const MAX_AUDIT_ITEMS = 1_000;
export const MAX_LINE_QUANTITY = 1000;
export const MAX_LINES = 100;
export const MAX_BATCH_ITEMS = 500;
export const MAX_ALLOCATIONS = 1000;
const CODE = /^[A-Za-z0-9_-]{1,32}$/;

export interface InventoryDeps {
  ds: DataSource;
  settings: InventorySettings;
  reserveQueue: ReserveQueue;
}

export function inventoryHandlers({ ds, settings, reserveQueue }: InventoryDeps): ServiceImpl<typeof InventoryService> {
  const threshold = settings.lowStockThreshold;
  const availability = (itemId: string, available: number): Availability =>
    create(AvailabilitySchema, { itemId, available, lowStock: isLowStock(available, threshold) });

  return {
    async createWarehouse(req, ctx) {
      requireRole(ctx, "admin");
      const code = text(req.code, "code", { min: 1, max: 32, pattern: CODE, patternHint: "must be 1-32 of A-Z a-z 0-9 _ -" });
      const name = text(req.name, "name", { min: 1, max: 200 });
      const address = req.address ? addressFields(req.address, "address") : {};
      const location = req.location ?? req.address?.location;
      const point = location ? geoPoint(location, req.location ? "location" : "address.location") : undefined;
      const priority = int(req.priority, "priority", 0, 1_000_000);
      const row = await createWarehouse(ds, { code, name, address, lat: point?.lat ?? null, lon: point?.lon ?? null, priority });
      return { warehouse: toWarehouse(row) };
    },

    async listWarehouses(req, ctx) {
      requireRole(ctx, "admin", "service", "warehouse");
      return { warehouses: (await listWarehouses(ds, req.includeInactive)).map(toWarehouse) };
    },

    async getWarehouse(req, ctx) {
      requireRole(ctx, "admin", "service", "warehouse");
      const key = text(req.warehouseId, "warehouse_id", { min: 1, max: 36 });
      let row: WarehouseRow | undefined;
      if (isUuid(key)) row = await findWarehouseById(ds, key.toLowerCase());
      else if (CODE.test(key)) row = await findWarehouseByCode(ds, key);
      else throw invalidArgument("warehouse_id", "must be a warehouse UUID or code");
      if (!row) throw notFound("warehouse", key);
      return { warehouse: toWarehouse(row) };
    },

    async receiveStock(req, ctx) {
      const caller = requireRole(ctx, "admin", "warehouse");
      const warehouseId = uuid(req.warehouseId, "warehouse_id");
      const itemId = uuid(req.itemId, "item_id");
      const quantity = int(req.quantity, "quantity", 1, MAX_STOCK_QUANTITY);
      const reference = text(req.reference, "reference", { max: 200 });
      const key = optionalIdempotencyKey(req.idempotencyKey);
      requireOwnWarehouse(caller, warehouseId);
      const keyed = key === undefined ? undefined : { schema: "inventory", operation: "ReceiveStock", scope: warehouseId, key, request: { item_id: itemId, quantity, reference } };
      return inTransaction(ds, (tx) => onceInTransaction(tx, keyed, ReceiveStockResponseSchema, async () => {
        const r = await receiveStock(tx, { warehouseId, itemId, quantity, reference }, threshold);
        return create(ReceiveStockResponseSchema, { stock: toWarehouseStock(r.stock), availability: availability(itemId, r.aggregated) });
      }));
    },

    async writeOff(req, ctx) {
      const caller = requireRole(ctx, "admin", "warehouse");
      const warehouseId = uuid(req.warehouseId, "warehouse_id");
      const itemId = uuid(req.itemId, "item_id");
      const quantity = int(req.quantity, "quantity", 1, MAX_STOCK_QUANTITY);
      const reason = text(req.reason, "reason", { min: 1, max: 200 });
      const key = optionalIdempotencyKey(req.idempotencyKey);
      requireOwnWarehouse(caller, warehouseId);
      const keyed = key === undefined ? undefined : { schema: "inventory", operation: "WriteOff", scope: warehouseId, key, request: { item_id: itemId, quantity, reason } };
      return inTransaction(ds, async (tx) => {
        if (!(await findWarehouseById(tx, warehouseId))) throw notFound("warehouse", warehouseId);
        return onceInTransaction(tx, keyed, WriteOffResponseSchema, async () => {
          const r = await writeOff(tx, { warehouseId, itemId, quantity, reference: reason }, threshold);
          return create(WriteOffResponseSchema, { stock: toWarehouseStock(r.stock), availability: availability(itemId, r.aggregated) });
        });
      });
    },

    async getAvailability(req) {
      const itemId = uuid(req.itemId, "item_id");
      const found = await aggregatedStock(ds, [itemId]);
      return { availability: availability(itemId, found.get(itemId) ?? 0) };
    },

    async batchGetAvailability(req) {
      const ids = uuidList(req.itemIds, "item_ids", 1, MAX_BATCH_ITEMS);
      const found = await aggregatedStock(ds, ids);
      return { availabilities: ids.map((id) => availability(id, found.get(id) ?? 0)) };
    },

    async getItemStock(req, ctx) {
      const caller = requireRole(ctx, "admin", "service", "warehouse");
      const itemId = uuid(req.itemId, "item_id");
      const own = caller.role === "warehouse" ? caller.warehouseId!.toLowerCase() : undefined;
      // A warehouse token naming no real warehouse id sees no rows (and never reaches SQL with a bad uuid).
      const shelves = own !== undefined && !isUuid(own) ? Promise.resolve([]) : warehouseStock(ds, itemId, own);
      const [found, rows] = await Promise.all([aggregatedStock(ds, [itemId]), shelves]);
      return { availability: availability(itemId, found.get(itemId) ?? 0), warehouses: rows.map(toWarehouseStock) };
    },

    async reserve(req, ctx) {
      requireRole(ctx, "service", "admin");
      const input = reserveInput(req.checkoutId, req.lines, req.ttl, settings.defaultTtlMs);
      const outcome = await reserveQueue.reserve(input);
      switch (outcome.kind) {
        case "reserved":
          return { reservation: toReservation(outcome.reservation) };
        case "conflict":
          throw alreadyExists("RESERVATION_MISMATCH", `checkout ${input.checkoutId} already has a reservation with different lines; use a new checkout id`);
        case "short":
          return { shortages: outcome.shortages.map((s) => create(StockShortageSchema, s)) };
      }
    },

    async release(req, ctx) {
      requireRole(ctx, "service", "admin");
      const checkoutId = uuid(req.checkoutId, "checkout_id");
      return { reservation: toReservation(await releaseReservation(ds, checkoutId, threshold)) };
    },

    async commit(req, ctx) {
      requireRole(ctx, "service", "admin");
      const checkoutId = uuid(req.checkoutId, "checkout_id");
      const orderId = uuid(req.orderId, "order_id");
      return { reservation: toReservation(await commitReservation(ds, checkoutId, orderId, threshold)) };
    },

    async allocateOrder(req, ctx) {
      requireRole(ctx, "service", "admin");
      const orderId = uuid(req.orderId, "order_id");
      const plan = allocationPlan(req.allocations);
      const r = await allocateOrder(ds, orderId, plan, threshold);
      return {
        allocated: r.allocated,
        shortages: r.shortages.map((s) => create(StockShortageSchema, s)),
        shortItems: r.shortItems,
      };
    },

    async deallocateOrder(req, ctx) {
      requireRole(ctx, "service", "admin");
      const orderId = uuid(req.orderId, "order_id");
      return { returnedUnits: await deallocateOrder(ds, orderId, threshold) };
    },

    async recordShipment(req, ctx) {
      requireRole(ctx, "service", "admin");
      const orderId = uuid(req.orderId, "order_id");
      const warehouseOrderId = uuid(req.warehouseOrderId, "warehouse_order_id");
      return { stock: (await recordShipment(ds, orderId, warehouseOrderId)).map(toWarehouseStock) };
    },

    async auditStock(req, ctx: HandlerContext) {
      requireRole(ctx, "admin");
      const itemIds = uuidList(req.itemIds, "item_ids", 0, MAX_AUDIT_ITEMS);
      const checkTime = timestampNow();
      const r = await auditStock(ds, itemIds.length ? itemIds : undefined);
      auditViolations.inc(r.violations.length);
      return { violations: r.violations.map((v) => create(StockViolationSchema, v)), itemsChecked: r.itemsChecked, checkTime };
    },
  };
}

/** A warehouse token acts only on its own warehouse; admins on any. */
function requireOwnWarehouse(caller: Principal, warehouseId: string): void {
  if (caller.role === "warehouse" && caller.warehouseId?.toLowerCase() !== warehouseId) {
    throw permissionDenied("NOT_YOUR_WAREHOUSE", "a warehouse token may only change its own warehouse's stock");
  }
}

/** Validates a Reserve request: 1-100 distinct items, 1-1000 units each, ttl 1 s - 1 h (default from settings). */
export function reserveInput(checkoutId: string, lines: ItemQuantity[], ttl: Duration | undefined, defaultTtlMs: number): ReserveInput {
  const id = uuid(checkoutId, "checkout_id");
  if (lines.length === 0) throw invalidArgument("lines", "must not be empty");
  if (lines.length > MAX_LINES) throw invalidArgument("lines", `must have at most ${MAX_LINES} lines`);
  const seen = new Set<string>();
  const parsed: Line[] = lines.map((l, i) => {
    const itemId = uuid(l.itemId, `lines[${i}].item_id`);
    if (seen.has(itemId)) throw invalidArgument(`lines[${i}].item_id`, "appears in more than one line; merge the lines");
    seen.add(itemId);
    return { itemId, quantity: int(l.quantity, `lines[${i}].quantity`, 1, MAX_LINE_QUANTITY) };
  });
  return { checkoutId: id, lines: sortLines(parsed), ttlMs: ttl ? ttlMs(ttl) : defaultTtlMs };
}

export function ttlMs(ttl: Duration): number {
  if (ttl.seconds < 0n || ttl.nanos < 0) throw invalidArgument("ttl", "must not be negative");
  if (ttl.seconds > BigInt(TTL_MAX_MS / 1000)) throw invalidArgument("ttl", "must be between 1 s and 1 h");
  const ms = Number(ttl.seconds) * 1000 + Math.floor(ttl.nanos / 1e6);
  if (ms < TTL_MIN_MS || ms > TTL_MAX_MS) throw invalidArgument("ttl", "must be between 1 s and 1 h");
  return ms;
}

export function allocationPlan(allocations: Allocation[]): AllocationLine[] {
  if (allocations.length === 0) throw invalidArgument("allocations", "must not be empty");
  if (allocations.length > MAX_ALLOCATIONS) throw invalidArgument("allocations", `must have at most ${MAX_ALLOCATIONS} entries`);
  return allocations.map((a, i) => ({
    warehouseOrderId: uuid(a.warehouseOrderId, `allocations[${i}].warehouse_order_id`),
    warehouseId: uuid(a.warehouseId, `allocations[${i}].warehouse_id`),
    itemId: uuid(a.itemId, `allocations[${i}].item_id`),
    quantity: int(a.quantity, `allocations[${i}].quantity`, 1, MAX_STOCK_QUANTITY),
  }));
}

function addressFields(a: Address, field: string): Partial<AddressFields> {
  const out: Partial<AddressFields> = {
    recipient: text(a.recipient, `${field}.recipient`, { max: 200 }),
    line1: text(a.line1, `${field}.line1`, { max: 200 }),
    line2: text(a.line2, `${field}.line2`, { max: 200 }),
    city: text(a.city, `${field}.city`, { max: 100 }),
    region: text(a.region, `${field}.region`, { max: 50 }),
    postalCode: text(a.postalCode, `${field}.postal_code`, { max: 20 }),
    countryCode: text(a.countryCode, `${field}.country_code`, { max: 2, pattern: /^[A-Z]{2}$/, patternHint: "must be an ISO 3166-1 alpha-2 code, e.g. US" }),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== "")) as Partial<AddressFields>;
}

function geoPoint(p: GeoPoint, field: string): { lat: number; lon: number } {
  if (!Number.isFinite(p.lat) || p.lat < -90 || p.lat > 90) throw invalidArgument(`${field}.lat`, "must be between -90 and 90");
  if (!Number.isFinite(p.lon) || p.lon < -180 || p.lon > 180) throw invalidArgument(`${field}.lon`, "must be between -180 and 180");
  return { lat: p.lat, lon: p.lon };
}

function toWarehouse(w: WarehouseRow): Warehouse {
  const location = w.lat !== null && w.lon !== null ? create(GeoPointSchema, { lat: w.lat, lon: w.lon }) : undefined;
  return create(WarehouseSchema, {
    id: w.id, code: w.code, name: w.name, active: w.active, priority: w.priority, location,
    address: create(AddressSchema, { ...w.address, location }),
  });
}

function toWarehouseStock(s: WarehouseStockRow): WarehouseStock {
  return create(WarehouseStockSchema, s);
}

const STATUS: Record<ReservationRow["status"], ReservationStatus> = {
  ACTIVE: ReservationStatus.ACTIVE,
  RELEASED: ReservationStatus.RELEASED,
  EXPIRED: ReservationStatus.EXPIRED,
  COMMITTED: ReservationStatus.COMMITTED,
};

/** An ACTIVE hold past its expiry is reported EXPIRED: it no longer holds anything a caller can commit. */
function toReservation(r: ReservationRow): Reservation {
  const status = r.status === "ACTIVE" && r.expiresAt.getTime() <= Date.now() ? "EXPIRED" : r.status;
  return create(ReservationSchema, {
    checkoutId: r.checkoutId,
    lines: r.lines.map((l) => create(ItemQuantitySchema, l)),
    status: STATUS[status],
    expireTime: timestampFromDate(r.expiresAt),
    orderId: r.orderId ?? "",
  });
}
