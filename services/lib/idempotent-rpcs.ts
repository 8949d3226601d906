// The mesh's RPCs that may be sent again after failing Unavailable: repeating one changes nothing more than the
// first call did (a read, an absolute set, or a write keyed by an id the caller chose). Mesh clients retry these,
// and only these, on another replica (transport.ts); everything else fails Unavailable and the caller decides.
// docs/replicas.md lists them with the reason each is safe. Adding an RPC to a service means deciding here.
import type { DescMethod } from "@bufbuild/protobuf";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { AssignmentService } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../../gen/shop/search/v1/search_pb.js";

export const IDEMPOTENT_RPCS: readonly DescMethod[] = [
  Health.method.check,
  // Reads.
  CatalogService.method.getItem, CatalogService.method.batchGetItems, CatalogService.method.listItems, CatalogService.method.listCategories,
  SearchService.method.getItemCatalog, SearchService.method.suggest,
  CartService.method.getCart,
  InventoryService.method.listWarehouses, InventoryService.method.getWarehouse, InventoryService.method.getAvailability,
  InventoryService.method.batchGetAvailability, InventoryService.method.getItemStock, InventoryService.method.auditStock,
  OrderService.method.getCheckout, OrderService.method.getMyOrders, OrderService.method.getOrder, OrderService.method.watchOrder,
  AssignmentService.method.listWarehouseOrders, AssignmentService.method.getWarehouseOrder, AssignmentService.method.listOrderShipments,
  // Absolute sets: the second call finds the state the first one left.
  CartService.method.updateCartItemQuantity, CartService.method.clearCart,
  AssignmentService.method.updateWarehouseOrderStatus,
  // Keyed by the caller's ids (checkout, order, warehouse order, idempotency key): a repeat answers the first result.
  InventoryService.method.reserve, InventoryService.method.release, InventoryService.method.commit,
  InventoryService.method.allocateOrder, InventoryService.method.deallocateOrder, InventoryService.method.recordShipment,
  OrderService.method.cancelCheckout, OrderService.method.submitOrder, OrderService.method.cancelOrder,
  AssignmentService.method.cancelOrderAssignment,
];
