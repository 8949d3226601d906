// Stored rows to proto messages and back.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { WarehouseOrderSchema, WarehouseOrderStatus, type WarehouseOrder } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { ItemQuantitySchema } from "../../../gen/shop/common/v1/common_pb.js";
import type { Status } from "./domain/status.js";
import type { WarehouseOrderRow } from "./store/warehouse-orders.js";
import { addressView } from "../../lib/address.js";

export const STATUS_TO_PROTO: Record<Status, WarehouseOrderStatus> = {
  ASSIGNED: WarehouseOrderStatus.ASSIGNED,
  PICKED: WarehouseOrderStatus.PICKED,
  PACKED: WarehouseOrderStatus.PACKED,
  SHIPPED: WarehouseOrderStatus.SHIPPED,
  DELIVERED: WarehouseOrderStatus.DELIVERED,
  CANCELLED: WarehouseOrderStatus.CANCELLED,
};

const PROTO_TO_STATUS = new Map<WarehouseOrderStatus, Status>(Object.entries(STATUS_TO_PROTO).map(([k, v]) => [v, k as Status]));

/** The domain status of a proto value; undefined for UNSPECIFIED and unknown numbers. */
export function statusFromProto(value: WarehouseOrderStatus): Status | undefined {
  return PROTO_TO_STATUS.get(value);
}

export function warehouseOrderView(r: WarehouseOrderRow): WarehouseOrder {
  return create(WarehouseOrderSchema, {
    id: r.id,
    orderId: r.orderId,
    warehouseId: r.warehouseId,
    warehouseCode: r.warehouseCode,
    lines: r.lines.map((l) => create(ItemQuantitySchema, { itemId: l.itemId, quantity: l.quantity })),
    shippingAddress: addressView(r.shippingAddress),
    status: STATUS_TO_PROTO[r.status],
    carrier: r.status === "SHIPPED" || r.status === "DELIVERED" ? r.carrier ?? "" : "",
    trackingNumber: r.status === "SHIPPED" || r.status === "DELIVERED" ? r.trackingNumber ?? "" : "",
    createTime: timestampFromDate(r.createdAt),
    updateTime: timestampFromDate(r.updatedAt),
  });
}


