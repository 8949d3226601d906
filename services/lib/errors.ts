// The error vocabulary of the mesh (docs/design.md "Servers and errors", docs/errors.md): one constructor per
// gRPC code we answer with, so handlers read like the domain ("notFound('item', id)") and every message names
// what was wrong. Besides its message, every error carries a machine-readable detail (google.rpc error details,
// sent as grpc-status-details-bin and, through the gateway, in Connect and gRPC-Web error bodies):
// InvalidArgument a google.rpc.BadRequest naming the field, the other codes a google.rpc.ErrorInfo with a stable
// reason. Clients branch on those, never on message text, which is for people and may be reworded.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

export { Code, ConnectError };

/** ErrorInfo.domain of every reason the mesh answers with. */
export const ERROR_DOMAIN = "shop-mesh";

/**
 * Every ErrorInfo reason of the mesh other than `<THING>_NOT_FOUND` (notFound builds those from what was looked
 * for). A reason is a contract: clients branch on it, so one is added, never renamed. docs/errors.md explains each.
 */
export type ErrorReason =
  // Unauthenticated / PermissionDenied
  | "TOKEN_MISSING" | "TOKEN_MALFORMED" | "TOKEN_INVALID" | "TOKEN_EXPIRED" | "SIGN_IN_FAILED" | "ACCOUNT_GONE"
  | "REFRESH_TOKEN_INVALID"
  | "ROLE_REQUIRED" | "NOT_YOUR_WAREHOUSE" | "NOT_YOUR_CART" | "NO_ACCOUNT"
  // ResourceExhausted
  | "RATE_LIMITED" | "SIGN_IN_LIMITED" | "REGISTRATION_LIMITED" | "REQUEST_TOO_LARGE"
  // AlreadyExists
  | "SKU_TAKEN" | "EMAIL_TAKEN" | "WAREHOUSE_CODE_TAKEN" | "RESERVATION_MISMATCH"
  // Aborted
  | "VERSION_MISMATCH" | "CONCURRENT_CHANGE" | "SUBMISSION_IN_PROGRESS"
  // FailedPrecondition
  | "ITEM_ARCHIVED" | "WRONG_CURRENCY" | "OUT_OF_STOCK" | "NOT_ENOUGH_STOCK" | "CART_FULL" | "CART_EMPTY"
  | "TOO_MANY_LINES" | "CHECKOUT_ORDERED" | "CHECKOUT_CANCELLED" | "CHECKOUT_EXPIRED" | "CHECKOUT_EXPIRING"
  | "ORDER_IN_PROGRESS" | "PAYMENT_DECLINED" | "PAYMENT_VOIDED" | "ORDER_NOT_PLACED" | "ORDER_SHIPPED"
  | "ORDER_CANCELLED" | "ALLOCATION_MISMATCH" | "WAREHOUSE_INACTIVE" | "WAREHOUSE_ORDER_TAKEN"
  | "STATUS_TRANSITION" | "SHIPMENT_MISMATCH" | "STOCK_SHORT" | "STOCK_LIMIT" | "RESERVATION_COMMITTED"
  | "RESERVATION_ENDED"
  // Unavailable
  | "DEPENDENCY_UNAVAILABLE" | "INDEX_LOADING" | "IN_PROGRESS" | "PAYMENT_UNAVAILABLE"
  // Internal
  | "INTERNAL";

/** Bad input: `field` is the request field path, e.g. "price.minor_units" or "lines[2].quantity". */
export function invalidArgument(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [{ field, description: problem }] } },
  ]);
}

/** A ConnectError with an ErrorInfo detail: `reason` in this mesh's domain, `metadata` the values it concerns. */
function reasoned(code: Code, reason: string, message: string, metadata: Record<string, string> = {}): ConnectError {
  return new ConnectError(message, code, undefined, [{ desc: ErrorInfoSchema, value: { reason, domain: ERROR_DOMAIN, metadata } }]);
}

/**
 * `what` (e.g. "warehouse order") with id `id` does not exist: reason WAREHOUSE_ORDER_NOT_FOUND, metadata {id}.
 * `field`, when the id came from a request field, prefixes the message ("filter.category_id: category ...").
 */
export function notFound(what: string, id: string, field?: string): ConnectError {
  const message = `${what} ${JSON.stringify(id)} not found`;
  const reason = `${what.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_NOT_FOUND`;
  return reasoned(Code.NotFound, reason, field ? `${field}: ${message}` : message, { id });
}

export function failedPrecondition(reason: ErrorReason, message: string, metadata?: Record<string, string>): ConnectError {
  return reasoned(Code.FailedPrecondition, reason, message, metadata);
}

export function alreadyExists(reason: ErrorReason, message: string): ConnectError {
  return reasoned(Code.AlreadyExists, reason, message);
}

/** A conflicting concurrent change (stale version); the caller should re-read and retry. */
export function aborted(reason: ErrorReason, message: string): ConnectError {
  return reasoned(Code.Aborted, reason, message);
}

export function unauthenticated(reason: ErrorReason = "TOKEN_MISSING", message = "a valid access token is required"): ConnectError {
  return reasoned(Code.Unauthenticated, reason, message);
}

export function permissionDenied(reason: ErrorReason, message: string): ConnectError {
  return reasoned(Code.PermissionDenied, reason, message);
}

export function resourceExhausted(reason: ErrorReason, message: string): ConnectError {
  return reasoned(Code.ResourceExhausted, reason, message);
}

export function unavailable(reason: ErrorReason, message: string): ConnectError {
  return reasoned(Code.Unavailable, reason, message);
}

/** A bug or an answer we cannot make sense of; the message never says more (details stay in the log). */
export function internal(): ConnectError {
  return reasoned(Code.Internal, "INTERNAL", "internal error");
}

/** The ErrorInfo reason an error carries (from this process or decoded from a peer's answer), if any. */
export function errorReason(err: unknown): string | undefined {
  return err instanceof ConnectError ? err.findDetails(ErrorInfoSchema)[0]?.reason : undefined;
}

/** The field paths an InvalidArgument error's BadRequest detail names. */
export function badFields(err: unknown): string[] {
  if (!(err instanceof ConnectError)) return [];
  return err.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field));
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

/**
 * The constraint a Postgres error names (a unique index, a check), from pg's error or TypeORM's wrapping of it:
 * a statement run in a transaction fails with the latter, one run on its own with the former.
 */
export function pgConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const constraint = e?.driverError?.constraint ?? e?.constraint;
  return typeof constraint === "string" ? constraint : undefined;
}
