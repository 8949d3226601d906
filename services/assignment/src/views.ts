// Stored rows to proto messages and back.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { WarehouseOrderSchema, WarehouseOrderStatus, type WarehouseOrder } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { AddressSchema, GeoPointSchema, ItemQuantitySchema, type Address } from "../../../gen/shop/common/v1/common_pb.js";
import type { Status } from "./domain/status.js";
import type { StoredAddress, WarehouseOrderRow } from "./store/warehouse-orders.js";

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

export function addressView(a: StoredAddress): Address {
  return create(AddressSchema, {
    recipient: a.recipient,
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    region: a.region,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    location: a.location ? create(GeoPointSchema, a.location) : undefined,
  });
}

export function storedAddress(a: Address | undefined): StoredAddress {
  const out: StoredAddress = {
    recipient: a?.recipient ?? "",
    line1: a?.line1 ?? "",
    line2: a?.line2 ?? "",
    city: a?.city ?? "",
    region: a?.region ?? "",
    postalCode: a?.postalCode ?? "",
    countryCode: a?.countryCode ?? "",
  };
  if (a?.location && Number.isFinite(a.location.lat) && Number.isFinite(a.location.lon)) {
    out.location = { lat: a.location.lat, lon: a.location.lon };
  }
  return out;
}
