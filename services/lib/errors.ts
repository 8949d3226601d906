// The error vocabulary of the mesh (docs/design.md "Servers and errors"): one constructor per gRPC code we answer with,
// so handlers read like the domain ("notFound('item', id)") and every message names what was wrong.
import { Code, ConnectError } from "@connectrpc/connect";

export { Code, ConnectError };

/** Bad input: `field` is the request field path, e.g. "price.minor_units" or "lines[2].quantity". */
export function invalidArgument(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
}

export function notFound(what: string, id: string): ConnectError {
  return new ConnectError(`${what} ${JSON.stringify(id)} not found`, Code.NotFound);
}

export function failedPrecondition(message: string): ConnectError {
  return new ConnectError(message, Code.FailedPrecondition);
}

export function alreadyExists(message: string): ConnectError {
  return new ConnectError(message, Code.AlreadyExists);
}

/** A conflicting concurrent change (stale version); the caller should re-read and retry. */
export function aborted(message: string): ConnectError {
  return new ConnectError(message, Code.Aborted);
}

export function unauthenticated(message = "a valid access token is required"): ConnectError {
  return new ConnectError(message, Code.Unauthenticated);
}

export function permissionDenied(message: string): ConnectError {
  return new ConnectError(message, Code.PermissionDenied);
}

export function unavailable(message: string): ConnectError {
  return new ConnectError(message, Code.Unavailable);
}

/** Postgres SQLSTATEs a handler may translate into a caller's error instead of Internal. */
export const PG = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}
