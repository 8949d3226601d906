// The life of a warehouse order: ASSIGNED -> PICKED -> PACKED -> SHIPPED -> DELIVERED, one step at a time,
// and CANCELLED from any state before SHIPPED (only through CancelOrderAssignment). Pure rules: the handlers
// ask these functions and never decide transitions themselves.

import { StateMachine } from "../../../lib/state-machine.js";

export const STATUSES = ["ASSIGNED", "PICKED", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED"] as const;
export type Status = (typeof STATUSES)[number];

/** Every change a warehouse order may make; store/warehouse-orders.ts refuses any other. */
export const WAREHOUSE_ORDER_STATES = new StateMachine<Status>("warehouse order", {
  ASSIGNED: ["PICKED", "CANCELLED"],
  PICKED: ["PACKED", "CANCELLED"],
  PACKED: ["SHIPPED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  CANCELLED: [],
});

/** The one status a warehouse may report next from each status (none after DELIVERED or CANCELLED). */
const NEXT = (from: Status): Status | undefined => WAREHOUSE_ORDER_STATES.states.find((to) => to !== "CANCELLED" && WAREHOUSE_ORDER_STATES.can(from, to));

export type Transition =
  /** Move to the new status. */
  | { kind: "advance" }
  /** Already there: a retry; nothing changes. */
  | { kind: "repeat" }
  | { kind: "refused"; reason: string };

/** May a warehouse move an order from `from` to `to`? */
export function warehouseTransition(from: Status, to: Status): Transition {
  if (from === to) return { kind: "repeat" };
  if (to === "CANCELLED") return { kind: "refused", reason: "warehouse orders are cancelled through the order (CancelOrderAssignment)" };
  if (NEXT(from) === to) return { kind: "advance" };
  if (from === "CANCELLED") return { kind: "refused", reason: "the warehouse order was cancelled" };
  if (from === "DELIVERED") return { kind: "refused", reason: "the warehouse order was already delivered" };
  return { kind: "refused", reason: `a ${from} warehouse order can only become ${NEXT(from)}, not ${to}` };
}

/** Units have left (or are leaving) the building: the order can no longer be cancelled. */
export function hasShipped(status: Status): boolean {
  return status === "SHIPPED" || status === "DELIVERED";
}

/** Cancellable now (CANCELLED itself is a repeat, not a change). */
export function isCancellable(status: Status): boolean {
  return WAREHOUSE_ORDER_STATES.can(status, "CANCELLED");
}
