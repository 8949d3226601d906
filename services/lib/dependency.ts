// The one policy for calling another service of the mesh, so every service answers its own caller the same
// way when a dependency fails:
//   - the codes the caller handles itself (`pass`: NotFound of an item, FailedPrecondition of a shipped order...)
//     go through unchanged;
//   - the dependency refusing our request (InvalidArgument, NotFound, PermissionDenied...) is a bug on our side:
//     logged as an error and answered Internal, never shown as the caller's mistake;
//   - anything else (down, slow, overloaded, failing on its side, a replica not yet on the version that has the
//     method) is Unavailable: retrying later is right;
//   - Canceled (our own caller went away, or we are stopping) stays Canceled: nobody reads the answer.
// Deadlines are the caller's: each call passes its `timeoutMs`.
import { Code, ConnectError } from "@connectrpc/connect";
import { internal, unavailable } from "./errors.js";
import type { Logger } from "./log.js";

/** Answers that mean we sent something wrong. */
const REFUSED_OUR_REQUEST = new Set([
  Code.InvalidArgument, Code.NotFound, Code.AlreadyExists, Code.PermissionDenied, Code.Unauthenticated,
  Code.FailedPrecondition, Code.OutOfRange,
]);

export async function callDependency<T>(log: Logger, dependency: string, call: () => Promise<T>, pass: readonly Code[] = []): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const ce = ConnectError.from(err);
    if (pass.includes(ce.code) || ce.code === Code.Canceled) throw ce;
    if (REFUSED_OUR_REQUEST.has(ce.code)) {
      log.error({ dependency, code: Code[ce.code], err: ce.rawMessage }, "dependency refused our request");
      throw internal();
    }
    log.warn({ dependency, code: Code[ce.code], err: ce.rawMessage }, "dependency call failed");
    throw unavailable("DEPENDENCY_UNAVAILABLE", `${dependency} is unavailable; retry shortly`);
  }
}

export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
}
