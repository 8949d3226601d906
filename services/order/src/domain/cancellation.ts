// The cancellation state machine: one record per order, written before anything is undone, so a crash at any
// point leaves a record the recovery worker completes (see flows/cancellation.ts for the flow that drives it).
//
//   REQUESTED --Assignment cancelled the warehouse orders--> ASSIGNMENT_CANCELLED
//      |                                                        |
//      '--Assignment refused (shipped): record deleted          '--Inventory returned the stock--> STOCK_RETURNED
//                                                                                                      |
//                     DONE <--payment voided; order CANCELLED + OrderCancelled in one transaction-----'
//
// Only REQUESTED may be abandoned (nothing has changed anywhere yet). From ASSIGNMENT_CANCELLED on, the
// cancellation must complete: the warehouse orders are cancelled and their units would otherwise stay allocated.

import { StateMachine } from "../../../lib/state-machine.js";

export type CancellationState = "REQUESTED" | "ASSIGNMENT_CANCELLED" | "STOCK_RETURNED" | "DONE";

export const CANCELLATION_STATES: readonly CancellationState[] = ["REQUESTED", "ASSIGNMENT_CANCELLED", "STOCK_RETURNED", "DONE"];

/** The cancellation's edges, one step at a time; store/cancellations.ts refuses any other change. */
export const CANCELLATION_MACHINE = new StateMachine<CancellationState>("cancellation", {
  REQUESTED: ["ASSIGNMENT_CANCELLED"],
  ASSIGNMENT_CANCELLED: ["STOCK_RETURNED"],
  STOCK_RETURNED: ["DONE"],
  DONE: [],
});

/** The state after `state`'s step succeeds (undefined once DONE). */
export function nextCancellationState(state: CancellationState): CancellationState | undefined {
  return CANCELLATION_MACHINE.states.find((to) => CANCELLATION_MACHINE.can(state, to));
}

/** May a cancellation in `state` still be given up, leaving the order as it was? */
export function canAbandon(state: CancellationState): boolean {
  return state === "REQUESTED";
}

/** What the step from each state does, for logs and errors. */
export function cancellationStep(state: CancellationState): string {
  switch (state) {
    case "REQUESTED":
      return "cancel the warehouse orders (Assignment.CancelOrderAssignment)";
    case "ASSIGNMENT_CANCELLED":
      return "return the stock (Inventory.DeallocateOrder)";
    case "STOCK_RETURNED":
      return "void the payment and mark the order cancelled";
    case "DONE":
      return "nothing";
  }
}
