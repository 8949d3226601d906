// The submission state machine: one row per (user, idempotency key), the record that makes SubmitOrder safe to
// retry and safe to crash in. See flows/submission.ts for the flow that drives it.
//
//   PENDING --charge approved--> PAID --reservation committed, order written--> PLACED
//      |                          |
//      |--charge declined--> DECLINED    '--commit refused, charge voided--> FAILED
//      '--checkout unusable / interrupted before any charge--> FAILED
//
// PLACED, DECLINED and FAILED are final: a replay of the key answers the same outcome. A PENDING row whose attempt
// ended with nothing charged and no final answer (provider error, contention) is deleted, so a retry with the same
// key starts over. Only the holder of the row's lease moves it; a lease that runs out (crashed or stuck holder)
// lets a retry of the same key or the recovery worker take over.

import { StateMachine } from "../../../lib/state-machine.js";

export type SubmissionState = "PENDING" | "PAID" | "PLACED" | "DECLINED" | "FAILED";

export const IN_FLIGHT: readonly SubmissionState[] = ["PENDING", "PAID"];
export const FINAL: readonly SubmissionState[] = ["PLACED", "DECLINED", "FAILED"];

/** The submission's edges; store/submissions.ts refuses any other change. */
export const SUBMISSION_STATES = new StateMachine<SubmissionState>("submission", {
  PENDING: ["PAID", "DECLINED", "FAILED"],
  PAID: ["PLACED", "FAILED"],
  PLACED: [],
  DECLINED: [],
  FAILED: [],
});

export function canTransition(from: SubmissionState, to: SubmissionState): boolean {
  return SUBMISSION_STATES.can(from, to);
}

export function isFinal(state: SubmissionState): boolean {
  return SUBMISSION_STATES.isFinal(state);
}

/** What the payment provider says about a submission's charge, as the recovery worker sees it. */
export type ChargeFinding = "none" | "captured" | "declined" | "voided";

/** What recovery does with a submission whose holder disappeared (lease ran out). */
export type RecoveryAction =
  | { kind: "fail"; reason: string }
  | { kind: "decline" }
  | { kind: "commit" }; // record the charge as PAID if needed, then commit the reservation and write the order

export function recoveryAction(state: SubmissionState, charge: ChargeFinding): RecoveryAction | undefined {
  if (isFinal(state)) return undefined;
  switch (charge) {
    case "captured":
      return { kind: "commit" };
    case "declined":
      return state === "PENDING" ? { kind: "decline" } : { kind: "fail", reason: "payment declined" };
    case "voided":
      return { kind: "fail", reason: "the payment was voided" };
    case "none":
      // PAID without a charge at the provider cannot happen unless the provider lost it; never place an unpaid order.
      return { kind: "fail", reason: state === "PENDING" ? "the submission was interrupted before payment; nothing was charged" : "the payment could not be found at the provider" };
  }
}
