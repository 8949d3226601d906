// Which process of the mesh may call which mesh-only RPC, when mesh TLS names the caller (mesh-tls.ts). A call
// that carries no user token over a mutual-TLS connection is made by the process its client certificate names;
// that process is a caller with the "service" role only for the RPCs listed here for it, so a compromised Cart
// cannot reserve stock or a compromised gateway allocate orders. An RPC that is not listed is closed to every
// certificate. Without mesh TLS, services authenticate to each other with service tokens instead (auth.ts).
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { AssignmentService } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { permissionDenied } from "./errors.js";
import { MESH_TRUST_DOMAIN } from "./mesh-tls.js";

/** The processes that may hold a mesh certificate: the services, the gateway and `npm start`'s launcher. */
export type MeshIdentity = "catalog" | "search" | "cart" | "inventory" | "order" | "assignment" | "gateway" | "start";

const inventory = InventoryService.method;
const assignment = AssignmentService.method;

/** Mesh-only RPCs and the processes whose certificates may call them. */
const MESH_CALLERS: [DescMethod, MeshIdentity[]][] = [
  // Checkout and order placement (Order) hold, take and give back stock.
  [inventory.reserve, ["order"]],
  [inventory.release, ["order"]],
  [inventory.commit, ["order"]],
  [inventory.deallocateOrder, ["order"]],
  // Assignment splits an order over warehouses and books what ships.
  [inventory.allocateOrder, ["assignment"]],
  [inventory.recordShipment, ["assignment"]],
  [inventory.getItemStock, ["assignment"]],
  // Assignment plans with the warehouse list; `npm start` binds its demo warehouse user to the first one.
  [inventory.listWarehouses, ["assignment", "start"]],
  // Order cancels an order's warehouse work and reads its shipments.
  [assignment.cancelOrderAssignment, ["order"]],
  [assignment.listOrderShipments, ["order"]],
  // Order empties the cart of the shopper whose order it placed (recovery does it with no shopper's token).
  [CartService.method.clearCart, ["order"]],
];

const allowed = new Map(MESH_CALLERS.map(([m, who]) => [key(m), new Set<string>(who)]));

function key(m: DescMethod): string {
  return `${m.parent.typeName}/${m.name}`;
}

/**
 * The identity in the verified client certificate of the current call, read only when asked (most calls carry a
 * user token and never need it); the function answers undefined over cleartext. grpc-host.ts sets it.
 */
export const meshPeerKey = createContextKey<(() => string | undefined) | undefined>(undefined, { description: "caller certificate identity" });

/** The identity of the current call's client certificate, or undefined (cleartext, or not a gRPC server call). */
export function meshPeer(values: HandlerContext["values"]): string | undefined {
  return values.get(meshPeerKey)?.();
}

/**
 * Whether a certificate naming `identity` makes its caller a service. The gateway's does not: it acts only for the
 * users whose tokens it forwards, so a call through it without a token stays anonymous.
 */
export function isServiceIdentity(identity: string): boolean {
  return identity !== "gateway";
}

/** PermissionDenied unless the certificate's process is listed for the method being served. */
export function requireMeshCaller(ctx: HandlerContext, identity: string): void {
  if (!allowed.get(key(ctx.method))?.has(identity)) {
    throw permissionDenied("ROLE_REQUIRED", `spiffe://${MESH_TRUST_DOMAIN}/${identity} may not call ${key(ctx.method)}`);
  }
}
