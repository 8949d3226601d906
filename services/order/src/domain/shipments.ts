// An order after checkout follows its shipments (one per warehouse order, learnt from Assignment's events):
// PLACED -> PROCESSING (assigned) -> PACKED -> SHIPPED -> DELIVERED, showing its least advanced shipment.
// Pure rules: the event handlers and CancelOrder ask these and never decide themselves.
import { StateMachine } from "../../../lib/state-machine.js";

export type DbOrderStatus = "PLACED" | "PROCESSING" | "PACKED" | "SHIPPED" | "DELIVERED" | "CANCELLED";

/**
 * The order's edges: it only moves forward, and is cancelled only before anything shipped. Staying put is allowed
 * (an event may change the shipments, or the split-known flag, and not the status). store/orders.ts refuses the rest.
 */
export const ORDER_STATES = new StateMachine<DbOrderStatus>("order", {
  PLACED: ["PLACED", "PROCESSING", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED"],
  PROCESSING: ["PROCESSING", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED"],
  PACKED: ["PACKED", "SHIPPED", "DELIVERED", "CANCELLED"],
  SHIPPED: ["SHIPPED", "DELIVERED"],
  DELIVERED: ["DELIVERED"],
  CANCELLED: ["CANCELLED"],
});

export const SHIPMENT_STATUSES = ["ASSIGNED", "PICKED", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED"] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/**
 * How far a warehouse order has come. Events may arrive late or twice (two consumers, several deliveries at
 * once), so the view only ever moves forward: an event whose rank is not above the stored one changes nothing.
 * CANCELLED is last: it can follow ASSIGNED, PICKED or PACKED, and nothing follows it.
 */
export const SHIPMENT_RANK: Record<ShipmentStatus, number> = {
  ASSIGNED: 1,
  PICKED: 2,
  PACKED: 3,
  SHIPPED: 4,
  DELIVERED: 5,
  CANCELLED: 6,
};

/** Should a shipment stored at `stored` (undefined: not known yet) take the status an event reports? */
export function advances(stored: ShipmentStatus | undefined, reported: ShipmentStatus): boolean {
  return stored === undefined || SHIPMENT_RANK[reported] > SHIPMENT_RANK[stored];
}

/** What each shipment status means for the order. */
const ORDER_STATUS_OF: Record<Exclude<ShipmentStatus, "CANCELLED">, DbOrderStatus> = {
  ASSIGNED: "PROCESSING",
  PICKED: "PROCESSING",
  PACKED: "PACKED",
  SHIPPED: "SHIPPED",
  DELIVERED: "DELIVERED",
};

export interface OrderProgress {
  current: DbOrderStatus;
  /** The order's split is known (orders.assigned seen): until then a lone status event cannot speak for the order. */
  assigned: boolean;
  shipments: ShipmentStatus[];
}

/**
 * The order's status from its shipments: the least advanced one that is not cancelled. A cancelled order stays
 * CANCELLED; before its split is known it is PLACED; while its shipments are being cancelled (CancelOrder under
 * way) it keeps its status until the cancellation completes.
 */
export function deriveOrderStatus(p: OrderProgress): DbOrderStatus {
  if (p.current === "CANCELLED") return "CANCELLED";
  if (!p.assigned) return "PLACED";
  const live = p.shipments.filter((s): s is Exclude<ShipmentStatus, "CANCELLED"> => s !== "CANCELLED");
  if (live.length === 0) return p.current;
  const least = live.reduce((a, b) => (SHIPMENT_RANK[a] <= SHIPMENT_RANK[b] ? a : b));
  return ORDER_STATUS_OF[least];
}

/** Units of this shipment have left the warehouse: the order can no longer be cancelled. */
export function hasShipped(status: ShipmentStatus): boolean {
  return status === "SHIPPED" || status === "DELIVERED";
}
