// Work records held under a lease (a submission being paid, a cancellation being undone): the holder moves the
// record; a holder that crashed or got stuck lets its lease run out, and recovery takes the record over. This is
// the one recovery pass every leased record uses.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "./log.js";

/** The record moved on under another holder (its lease ran out meanwhile): stop, whoever holds it now finishes. */
export class LeaseLost extends Error {}

/**
 * Claims records whose lease ran out (under a fresh owner id) and drives each to its end. A record that fails
 * stays claimed until its new lease runs out, then the next pass tries again; a FailedPrecondition is an
 * expected end (the world refused), logged at info. Returns how many records were taken up.
 */
export async function recoverExpiredLeases<R>(p: {
  log: Logger;
  /** What the records are, for the log ("submission", "cancellation"). */
  what: string;
  claim(owner: string): Promise<R[]>;
  drive(record: R, owner: string): Promise<void>;
  /** Fields naming a record in the log. */
  describe(record: R): Record<string, unknown>;
}): Promise<number> {
  const owner = randomUUID();
  const stuck = await p.claim(owner);
  for (const record of stuck) {
    try {
      await p.drive(record, owner);
      p.log.info(p.describe(record), `completed an interrupted ${p.what}`);
    } catch (err) {
      const refused = err instanceof ConnectError && err.code === Code.FailedPrecondition;
      p.log[refused ? "info" : "warn"]({ ...p.describe(record), err: (err as Error).message }, `${p.what} recovery ended`);
    }
  }
  return stuck.length;
}
