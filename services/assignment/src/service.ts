// AssignmentService handlers: who may call, what a valid request is, then one call into the flow or the store.
// Access (proto): warehouse tokens see and change only their own warehouse's orders; admins everything;
// the mesh's services read an order's shipments and cancel an order's assignment.
import type { ServiceImpl } from "@connectrpc/connect";
import type { DataSource } from "typeorm";
import { create } from "@bufbuild/protobuf";
import { AssignmentService, UpdateWarehouseOrderStatusResponseSchema, WarehouseOrderStatus } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { requireRole } from "../../lib/auth.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { answerOnce, optionalIdempotencyKey } from "../../lib/idempotency.js";
import { decodePageToken, encodePageToken, optionalUuid, pageSize, text, uuid } from "../../lib/validate.js";
import type { Status } from "./domain/status.js";
import { findWarehouseOrder, listWarehouseOrders, warehouseOrdersOf } from "./store/warehouse-orders.js";
import { statusFromProto, warehouseOrderView } from "./views.js";
import { requireWarehouseAccess, type ShippingDetails, type WarehouseFlow } from "./warehouse-flow.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function assignmentHandlers(ds: DataSource, flow: WarehouseFlow): ServiceImpl<typeof AssignmentService> {
  return {
    async listWarehouseOrders(req, ctx) {
      const caller = requireRole(ctx, "warehouse", "admin", "service");
      let warehouseId = optionalUuid(req.warehouseId, "warehouse_id");
      if (caller.role === "warehouse" && warehouseId === "") warehouseId = caller.warehouseId!.toLowerCase();
      if (warehouseId === "") throw invalidArgument("warehouse_id", "is required");
      requireWarehouseAccess(caller, warehouseId);
      const status = req.status === WarehouseOrderStatus.UNSPECIFIED ? undefined : knownStatus(req.status, "status");
      const size = pageSize(req.pageSize, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const cursor = decodePageToken<{ s: number }>(req.pageToken, "page_token", { s: "number" });
      if (cursor && (!Number.isSafeInteger(cursor.s) || cursor.s < 0)) throw invalidArgument("page_token", "is not a token this service issued");
      const found = await listWarehouseOrders(ds, { warehouseId, status, afterSeq: cursor?.s, limit: size + 1 });
      const page = found.slice(0, size);
      return {
        warehouseOrders: page.map(warehouseOrderView),
        nextPageToken: found.length > size ? encodePageToken({ s: Number(page[page.length - 1].seq) }) : "",
      };
    },

    async getWarehouseOrder(req, ctx) {
      const caller = requireRole(ctx, "warehouse", "admin", "service");
      const id = uuid(req.warehouseOrderId, "warehouse_order_id");
      const row = await findWarehouseOrder(ds, id);
      if (!row) throw notFound("warehouse order", id);
      requireWarehouseAccess(caller, row.warehouseId);
      return { warehouseOrder: warehouseOrderView(row) };
    },

    async updateWarehouseOrderStatus(req, ctx) {
      const caller = requireRole(ctx, "warehouse", "admin");
      const id = uuid(req.warehouseOrderId, "warehouse_order_id");
      if (req.status === WarehouseOrderStatus.UNSPECIFIED) throw invalidArgument("status", "is required");
      const to = knownStatus(req.status, "status");
      if (to === "CANCELLED") throw invalidArgument("status", "CANCELLED is not a warehouse report; the order is cancelled through CancelOrderAssignment");
      let shipping: ShippingDetails | undefined;
      if (to === "SHIPPED") {
        shipping = {
          carrier: text(req.carrier, "carrier", { min: 1, max: 100 }),
          trackingNumber: text(req.trackingNumber, "tracking_number", { min: 1, max: 100 }),
        };
      } else {
        if (req.carrier !== "") throw invalidArgument("carrier", "is only given with SHIPPED");
        if (req.trackingNumber !== "") throw invalidArgument("tracking_number", "is only given with SHIPPED");
      }
      const key = optionalIdempotencyKey(req.idempotencyKey);
      const update = async () => create(UpdateWarehouseOrderStatusResponseSchema, { warehouseOrder: warehouseOrderView(await flow.updateStatus(caller, id, to, shipping)) });
      if (key === undefined) return update();
      // Keys are unique per warehouse; the caller must see the order before it sees a kept answer about it.
      const row = await findWarehouseOrder(ds, id);
      if (!row) throw notFound("warehouse order", id);
      requireWarehouseAccess(caller, row.warehouseId);
      // The update itself is safe to repeat (repeating the current status changes nothing), so it runs outside
      // the key's transaction; the key makes a late retry answer the first result instead of FailedPrecondition.
      const request = { warehouse_order_id: id, status: to, carrier: shipping?.carrier ?? "", tracking_number: shipping?.trackingNumber ?? "" };
      return answerOnce(ds, { schema: "assignment", operation: "UpdateWarehouseOrderStatus", scope: row.warehouseId, key, request },
        UpdateWarehouseOrderStatusResponseSchema, update);
    },

    async listOrderShipments(req, ctx) {
      requireRole(ctx, "service", "admin");
      const orderId = uuid(req.orderId, "order_id");
      return { warehouseOrders: (await warehouseOrdersOf(ds, orderId)).map(warehouseOrderView) };
    },

    async cancelOrderAssignment(req, ctx) {
      const caller = requireRole(ctx, "service", "admin");
      const orderId = uuid(req.orderId, "order_id");
      return { warehouseOrders: (await flow.cancelOrder(caller, orderId)).map(warehouseOrderView) };
    },
  };
}

function knownStatus(value: WarehouseOrderStatus, field: string): Status {
  const status = statusFromProto(value);
  if (!status) throw invalidArgument(field, `unknown status ${value}`);
  return status;
}
