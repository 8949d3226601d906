// The checkout's life: RESERVING while Inventory is asked for the stock, ACTIVE while it holds it (until it
// expires), then COMPLETED (became an order), CANCELLED or EXPIRED (stock returned). store/checkouts.ts refuses
// any other change.
//
//   RESERVING --stock held--> ACTIVE --order placed--> COMPLETED
//      |                        |--cancelled or replaced--> CANCELLED
//      '--abandoned--> CANCELLED '--replaced after its expiry--> EXPIRED
import { StateMachine } from "../../../lib/state-machine.js";

export type CheckoutStatus = "RESERVING" | "ACTIVE" | "CANCELLED" | "EXPIRED" | "COMPLETED";

export const CHECKOUT_STATES = new StateMachine<CheckoutStatus>("checkout", {
  RESERVING: ["ACTIVE", "CANCELLED"],
  ACTIVE: ["COMPLETED", "CANCELLED", "EXPIRED"],
  COMPLETED: [],
  CANCELLED: [],
  EXPIRED: [],
});
