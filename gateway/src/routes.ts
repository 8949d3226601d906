// What the gateway exposes to browsers: the public RPCs of each service. Everything not listed here
// (reservations, allocations, shipments bookkeeping) stays inside the mesh and answers 404 at the gateway.
import type { DescService } from "@bufbuild/protobuf";
import { AssignmentService } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { SearchService } from "../../gen/shop/search/v1/search_pb.js";
import type { ServiceName } from "../../services/lib/config.js";

export interface PublicService {
  service: DescService;
  target: ServiceName;
  /** Method local names (camelCase) browsers may call; "*" for all. */
  methods: "*" | string[];
}

export const PUBLIC_SERVICES: PublicService[] = [
  { service: CatalogService, target: "catalog", methods: "*" },
  { service: SearchService, target: "search", methods: "*" },
  { service: CartService, target: "cart", methods: "*" },
  { service: OrderService, target: "order", methods: "*" },
  {
    service: InventoryService,
    target: "inventory",
    // Shoppers read availability; admins and warehouse users manage warehouses and receive stock.
    methods: ["listWarehouses", "getWarehouse", "createWarehouse", "getAvailability", "batchGetAvailability",
      "getItemStock", "receiveStock", "writeOff", "auditStock"],
  },
  {
    service: AssignmentService,
    target: "assignment",
    // Warehouse systems and admins; ordering bookkeeping (CancelOrderAssignment) stays internal.
    methods: ["listWarehouseOrders", "getWarehouseOrder", "updateWarehouseOrderStatus"],
  },
];
