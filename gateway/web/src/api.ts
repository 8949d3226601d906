// Clients of the gateway, generated from the protos (connect-web over the Connect protocol, binary protobuf
// over fetch), with the signed-in user's token on every call. Error words live in words.ts.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import { IdentityService } from "../../../gen/shop/identity/v1/identity_pb.js";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../../../gen/shop/search/v1/search_pb.js";
import { session, setSession } from "./session.js";

let onExpired: (() => void) | undefined;
/** Called when the gateway refuses our token (expired or revoked): the app sends the shopper to sign in. */
export function whenSessionRejected(fn: () => void): void {
  onExpired = fn;
}

const auth: Interceptor = (next) => async (req) => {
  const s = session();
  if (s) req.header.set("authorization", `Bearer ${s.token}`);
  try {
    return await next(req);
  } catch (err) {
    if (s && err instanceof ConnectError && err.code === Code.Unauthenticated && req.service.typeName !== IdentityService.typeName) {
      setSession(undefined);
      onExpired?.();
    }
    throw err;
  }
};

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
