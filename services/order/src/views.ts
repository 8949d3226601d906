// Rows as the contract shows them (proto messages).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ItemQuantitySchema } from "../../../gen/shop/common/v1/common_pb.js";
import {
  CheckoutLineSchema, CheckoutSchema, CheckoutStatus, OrderLineSchema, OrderSchema, OrderStatus, PaymentSchema, PaymentStatus,
  ShipmentSchema, ShipmentStatus, type Checkout, type Order, type OrderLine, type Shipment,
} from "../../../gen/shop/order/v1/order_pb.js";
import { money } from "../../lib/money.js";
import type { ShipmentStatus as DbShipmentStatus } from "./domain/shipments.js";
import { lineTotalMinor, type PricedLine } from "./domain/pricing.js";
import type { CheckoutRow } from "./store/checkouts.js";
import type { OrderRow } from "./store/orders.js";
import type { ShipmentRow } from "./store/shipments.js";
import { addressView } from "../../lib/address.js";

export function checkoutStatus(row: CheckoutRow, now: Date): CheckoutStatus {
  switch (row.status) {
    case "ACTIVE":
      return row.expiresAt && row.expiresAt.getTime() <= now.getTime() ? CheckoutStatus.EXPIRED : CheckoutStatus.ACTIVE;
    case "CANCELLED":
      return CheckoutStatus.CANCELLED;
    case "EXPIRED":
      return CheckoutStatus.EXPIRED;
    case "COMPLETED":
      return CheckoutStatus.COMPLETED;
    default:
      return CheckoutStatus.UNSPECIFIED;
  }
}

export function checkoutView(row: CheckoutRow, now: Date = new Date()): Checkout {
  return create(CheckoutSchema, {
    id: row.id,
    status: checkoutStatus(row, now),
    lines: row.lines.map((l) => create(CheckoutLineSchema, {
      itemId: l.itemId,
      name: l.name,
      quantity: l.quantity,
      unitPrice: money(l.unitPriceMinor, row.currency),
      lineTotal: money(lineTotalMinor(l), row.currency),
    })),
    total: money(row.totalMinor, row.currency),
    expireTime: row.expiresAt ? timestampFromDate(row.expiresAt) : undefined,
    orderId: row.orderId ?? "",
  });
}

export function orderLinesView(lines: PricedLine[], currency: string): OrderLine[] {
  return lines.map((l) => create(OrderLineSchema, {
    itemId: l.itemId,
    name: l.name,
    quantity: l.quantity,
    unitPrice: money(l.unitPriceMinor, currency),
    lineTotal: money(lineTotalMinor(l), currency),
  }));
}


const ORDER_STATUS: Record<OrderRow["status"], OrderStatus> = {
  PLACED: OrderStatus.PLACED,
  PROCESSING: OrderStatus.PROCESSING,
  PACKED: OrderStatus.PACKED,
  SHIPPED: OrderStatus.SHIPPED,
  DELIVERED: OrderStatus.DELIVERED,
  CANCELLED: OrderStatus.CANCELLED,
};

const SHIPMENT_STATUS: Record<DbShipmentStatus, ShipmentStatus> = {
  ASSIGNED: ShipmentStatus.ASSIGNED,
  PICKED: ShipmentStatus.PICKED,
  PACKED: ShipmentStatus.PACKED,
  SHIPPED: ShipmentStatus.SHIPPED,
  DELIVERED: ShipmentStatus.DELIVERED,
  CANCELLED: ShipmentStatus.CANCELLED,
};

export function shipmentView(s: ShipmentRow): Shipment {
  return create(ShipmentSchema, {
    warehouseOrderId: s.warehouseOrderId,
    warehouseId: s.warehouseId,
    warehouseCode: s.warehouseCode,
    status: SHIPMENT_STATUS[s.status],
    lines: s.lines.map((l) => create(ItemQuantitySchema, l)),
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    updateTime: timestampFromDate(s.updatedAt),
  });
}

export function orderView(row: OrderRow, shipments: ShipmentRow[] = []): Order {
  const total = money(row.totalMinor, row.currency);
  return create(OrderSchema, {
    id: row.id,
    userId: row.userId,
    status: ORDER_STATUS[row.status],
    lines: orderLinesView(row.lines, row.currency),
    total,
    shippingAddress: addressView(row.shippingAddress),
    payment: create(PaymentSchema, {
      provider: row.paymentProvider,
      chargeId: row.chargeId,
      status: row.paymentStatus === "CAPTURED" ? PaymentStatus.CAPTURED : PaymentStatus.VOIDED,
      amount: total,
      cardLast4: row.cardLast4,
    }),
    shipments: shipments.map(shipmentView),
    checkoutId: row.checkoutId,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}
