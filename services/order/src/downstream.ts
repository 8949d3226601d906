// Calls to the other services of the mesh, with their failures translated for our caller: a dependency that is
// down or slow is Unavailable (retry); the codes a flow handles itself (FailedPrecondition, NotFound...) pass
// through for it to inspect; anything else is our bug and is logged, never shown as the caller's mistake.
import { Code, ConnectError } from "@connectrpc/connect";
import { internal, unavailable } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";

const TRANSIENT = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted, Code.Canceled, Code.Unknown, Code.Internal]);

export async function downstream<T>(log: Logger, what: string, call: () => Promise<T>, pass: Code[] = []): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const ce = ConnectError.from(err);
    if (pass.includes(ce.code)) throw ce;
    if (TRANSIENT.has(ce.code)) throw unavailable("DEPENDENCY_UNAVAILABLE", `${what} is unavailable; retry shortly`);
    log.error({ err: ce.message, code: Code[ce.code], what }, "unexpected answer from a dependency");
    throw internal();
  }
}

export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
}
