// Clients of the gateway, generated from the protos (connect-web over the Connect protocol, binary protobuf
// over fetch), with the signed-in user's token on every call. The access token is renewed with the refresh
// token shortly before it expires, and once more when a call is refused as Unauthenticated (then the call is
// retried); only when renewal is refused is the shopper signed out. Error words live in words.ts.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService } from "../../../gen/shop/identity/v1/identity_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../../../gen/shop/search/v1/search_pb.js";
import { load, session, setSession, signedIn, type Session } from "./session.js";

let onExpired: (() => void) | undefined;
/** Called when the session cannot be renewed (signed out elsewhere, or expired): the app sends the shopper to sign in. */
export function whenSessionRejected(fn: () => void): void {
  onExpired = fn;
}

/** Renew this long before the access token expires, so no call leaves with a token about to lapse. */
const RENEW_AHEAD_MS = 60_000;
/** Identity calls that carry no access token: they are how a session starts, renews and ends. */
const SESSION_CALLS = new Set(["Login", "Register", "Refresh", "Logout"]);

let renewing: Promise<Session | undefined> | undefined;

/**
 * New tokens for the session whose access token `stale` is, or undefined when the gateway refuses to renew it.
 * Refresh tokens are single use and tabs share them, so tabs take turns (Web Locks) and a tab that finds the
 * session already renewed by another uses that instead of spending the token again (which would sign out both).
 */
function renewSession(stale: string): Promise<Session | undefined> {
  const renew = async () => {
    const stored = load();
    if (!stored?.refreshToken) return undefined;
    if (stored.token !== stale && stored.expiresAt - Date.now() > RENEW_AHEAD_MS) {
      setSession(stored);
      return stored;
    }
    try {
      return signedIn(await api.identity.refresh({ refreshToken: stored.refreshToken }));
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Unauthenticated) return undefined;
      throw err;
    }
  };
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!renewing) {
    // (DOM's typing of request() nests the callback's promise; it resolves with the callback's value.)
    // A tab that holds the lock and hangs must not freeze the others: after a few seconds renew without it.
    const turn = locks
      ? (locks.request("shop.session.refresh", { signal: AbortSignal.timeout(5000) }, renew) as unknown as Promise<Session | undefined>)
        .catch((err: unknown) => { if ((err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError") return renew(); throw err; })
      : renew();
    renewing = turn.finally(() => { renewing = undefined; });
  }
  return renewing;
}

/** Renews the session or, when that is refused, ends it here and tells the app. */
async function renewOrEnd(stale: string): Promise<Session | undefined> {
  const renewed = await renewSession(stale);
  if (!renewed) {
    setSession(undefined);
    onExpired?.();
  }
  return renewed;
}

const auth: Interceptor = (next) => async (req) => {
  const sessionCall = req.service.typeName === IdentityService.typeName && SESSION_CALLS.has(req.method.name);
  let s = sessionCall ? undefined : session();
  if (s?.refreshToken && s.expiresAt - Date.now() < RENEW_AHEAD_MS) s = await renewOrEnd(s.token);
  if (s) req.header.set("authorization", `Bearer ${s.token}`);
  try {
    return await next(req);
  } catch (err) {
    if (!s || !(err instanceof ConnectError) || err.code !== Code.Unauthenticated) throw err;
    // Refused before its time (keys retired, clock skew): renew once; a unary call is then sent again.
    const renewed = await renewOrEnd(s.token);
    if (!renewed || req.stream) throw err;
    req.header.set("authorization", `Bearer ${renewed.token}`);
    try {
      return await next(req);
    } catch (again) {
      if (again instanceof ConnectError && again.code === Code.Unauthenticated) {
        setSession(undefined);
        onExpired?.();
      }
      throw again;
    }
  }
};

/** Signs out for real: the refresh token (and every one renewed from the same sign-in) stops working. */
export async function signOut(): Promise<void> {
  const s = session();
  setSession(undefined);
  // Signed out here whatever happens; a Logout that does not arrive leaves a token that expires on its own.
  if (s?.refreshToken) await api.identity.logout({ refreshToken: s.refreshToken }).catch(() => {});
}

const transport = createConnectTransport({
  baseUrl: location.origin,
  // Binary: smaller than JSON, and the gateway forwards a binary unary call's bytes without decoding them
  // (gateway/src/unary-proxy.ts); errors still come back as JSON.
  useBinaryFormat: true,
  interceptors: [auth],
  // Unary calls give up after this; the order tracking stream sets its own.
  defaultTimeoutMs: 15_000,
});

export const api = {
  identity: createClient(IdentityService, transport),
  catalog: createClient(CatalogService, transport),
  search: createClient(SearchService, transport),
  cart: createClient(CartService, transport),
  order: createClient(OrderService, transport),
  inventory: createClient(InventoryService, transport),
  assignment: createClient(AssignmentService, transport),
};

export { CHECKOUT_ENDED_REASONS, fieldProblem, friendly, isCode, reasonOf, type FieldProblem } from "./words.js";
