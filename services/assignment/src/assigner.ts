// The assignment flow (docs/design.md "Assignment"): an `orders.placed` event becomes warehouse orders. Runs inside the consumer's
// transaction (consumers/orders-placed.ts: the event id is recorded in it, acked after commit), under a per-order lock:
//   1. an order already ASSIGNED or CANCELLED here: nothing to do (a redelivery, or a second event for it);
//   2. a split remembered from an interrupted delivery is re-sent first: Inventory answers allocated=true when it
//      had applied it, so a crash between AllocateOrder and our commit neither double-allocates nor gets stuck;
//   3. otherwise plan from the stock view and the cached warehouse list (stock-source.ts), remember the split
//      (committed), AllocateOrder: one Inventory call when the view knows the items. A refusal (the view lagged,
//      or stock changed since the plan) carries the short items' rows, which the view takes -> re-plan, a few times;
//   4. write the warehouse orders, WarehouseOrderAssigned per warehouse and OrderAssigned (outbox), ASSIGNED.
// Whatever cannot complete now throws: the event is redelivered with backoff. Nothing is ever oversold (every
// allocation is Inventory's conditional update) and nothing is dropped (unusable events are kept in
// rejected_events).
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { DataSource, EntityManager } from "typeorm";
import { OrderAssignedSchema, WarehouseOrderAssignedSchema } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { AllocationSchema, type InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import type { OrderPlaced } from "../../../gen/shop/order/v1/order_pb.js";
import { UnusableEvent } from "../../lib/consumers.js";
import type { Logger } from "../../lib/log.js";
import { EVENTS } from "../../lib/events.js";
import { enqueueRows, outboxRow } from "../../lib/outbox.js";
import { int, uuid } from "../../lib/validate.js";
import { estimateLocation, type GeoIndex } from "./domain/geo.js";
import { warehouseOrderId } from "./domain/ids.js";
import { planSplit, type Line } from "./domain/planner.js";
import type { AssignmentSettings } from "./settings.js";
import type { StockSource } from "./stock-source.js";
import {
  findAssignment, lockOrder, nextRotation, recordPlannedSplit, setAssignment, type PlannedShipment,
} from "./store/assignments.js";
import { insertWarehouseOrders, type StoredAddress } from "./store/warehouse-orders.js";
import { warehouseOrderView } from "./views.js";
import { storedAddress } from "../../lib/address.js";

const ACTOR = "service:assignment";

/** Test hooks: set only by tests, to change the world at a precise moment. */
export interface AssignmentHooks {
  /** After a split is planned and remembered, right before Inventory.AllocateOrder is asked to apply it. */
  beforeAllocate?(e: { orderId: string; attempt: number; split: PlannedShipment[] }): Promise<void>;
}

export interface PlacedOrder {
  orderId: string;
  /** Distinct items, sorted by item id. */
  lines: Line[];
  address: StoredAddress;
}

export interface AssignerDeps {
  ds: DataSource;
  inventory: Client<typeof InventoryService>;
  serviceHeaders(): Promise<Record<string, string>>;
  stock: StockSource;
  geo(): GeoIndex;
  settings: AssignmentSettings;
  log: Logger;
  hooks: AssignmentHooks;
}

type AllocationOutcome = "allocated" | "stale" | "cancelled";

/** Validates an OrderPlaced; lines of the same item are merged (Inventory keeps one count per item). */
export function placedOrder(event: OrderPlaced): PlacedOrder {
  try {
    const orderId = uuid(event.orderId, "order_id");
    if (event.lines.length === 0) throw new UnusableEvent("lines: must not be empty");
    const perItem = new Map<string, number>();
    event.lines.forEach((l, i) => {
      const itemId = uuid(l.itemId, `lines[${i}].item_id`);
      perItem.set(itemId, (perItem.get(itemId) ?? 0) + int(l.quantity, `lines[${i}].quantity`, 1, 1_000_000));
    });
    const lines = [...perItem.entries()].map(([itemId, quantity]) => ({ itemId, quantity })).sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
    return { orderId, lines, address: storedAddress(event.shippingAddress) };
  } catch (err) {
    if (err instanceof ConnectError) throw new UnusableEvent(err.rawMessage);
    throw err;
  }
}

export class OrderAssigner {
  constructor(private readonly d: AssignerDeps) {}

  async assign(tx: EntityManager, order: PlacedOrder): Promise<void> {
    const { log } = this.d;
    const { orderId } = order;
    await lockOrder(tx, orderId);
    const state = await findAssignment(tx, orderId);
    if (state?.status === "ASSIGNED" || state?.status === "CANCELLED") {
      log.info({ orderId, status: state.status }, "order already handled; event changes nothing");
      return;
    }

    let split: PlannedShipment[] | undefined;
    if (state?.status === "PLANNED" && state.plan) {
      // An earlier delivery sent this split and did not get to commit: Inventory may have applied it.
      const outcome = await this.allocate(orderId, state.plan);
      if (outcome === "cancelled") return this.cancelled(tx, orderId);
      if (outcome === "allocated") split = state.plan;
    }

    for (let attempt = 1; !split; attempt++) {
      if (attempt > this.d.settings.planAttempts) {
        throw new Error(`order ${orderId}: stock changed under ${this.d.settings.planAttempts} plans in a row; retrying later`);
      }
      const candidate = await this.plan(tx, order);
      await recordPlannedSplit(this.d.ds, orderId, candidate);
      await this.d.hooks.beforeAllocate?.({ orderId, attempt, split: candidate });
      const outcome = await this.allocate(orderId, candidate);
      if (outcome === "cancelled") return this.cancelled(tx, orderId);
      if (outcome === "allocated") split = candidate;
      else log.info({ orderId, attempt }, "stock changed since the plan; re-planning");
    }

    if (this.d.settings.crashAfterAllocate) {
      log.warn({ orderId }, "ASSIGNMENT_FAULT_CRASH_AFTER_ALLOCATE: exiting after AllocateOrder, before commit (test only)");
      process.exit(137);
    }
    await this.writeWarehouseOrders(tx, order, split);
  }

  /** A split from the stock view; throws (redelivery later) when the order cannot be covered now. */
  private async plan(tx: EntityManager, order: PlacedOrder): Promise<PlannedShipment[]> {
    const { stock, log } = this.d;
    const available = await stock.stock(tx, order.lines.map((l) => l.itemId));
    const destination = estimateLocation(order.address, this.d.geo());
    const rotation = await nextRotation(tx);
    const planFrom = async () => planSplit({
      lines: order.lines, warehouses: await stock.warehouses([...available.values()].flatMap((a) => [...a.keys()])),
      available, destination: destination.point, rotation,
    });
    let plan = await planFrom();
    if (plan.kind === "short") {
      // The view may not have seen the latest deliveries yet: Inventory's own rows decide.
      for (const [itemId, rows] of await stock.read(plan.shortages.map((s) => s.itemId))) available.set(itemId, rows);
      plan = await planFrom();
    }
    if (plan.kind === "short") {
      // Cannot happen while Inventory keeps its invariants (the units were reserved and committed for this order).
      log.error({ orderId: order.orderId, shortages: plan.shortages }, "ORDER CANNOT BE FULFILLED: warehouses hold fewer units than it committed; will retry");
      throw new Error(`order ${order.orderId}: the warehouses hold too few units; retrying later`);
    }
    log.debug({ orderId: order.orderId, method: plan.method, destination: destination.source, warehouses: plan.shipments.map((s) => s.warehouseCode) }, "split planned");
    return plan.shipments.map((s) => ({ warehouseOrderId: warehouseOrderId(order.orderId, s.warehouseId), ...s }));
  }

  /** Inventory.AllocateOrder, its answers sorted into what we do next. */
  private async allocate(orderId: string, split: PlannedShipment[]): Promise<AllocationOutcome> {
    const allocations = split.flatMap((s) => s.lines.map((l) =>
      create(AllocationSchema, { warehouseId: s.warehouseId, itemId: l.itemId, quantity: l.quantity, warehouseOrderId: s.warehouseOrderId })));
    try {
      const r = await this.d.inventory.allocateOrder({ orderId, allocations }, { headers: await this.d.serviceHeaders() });
      if (r.allocated) return "allocated";
      await this.d.stock.refused(r.shortItems);
      this.d.log.info({ orderId, shortages: r.shortages.map((s) => ({ itemId: s.itemId, warehouseId: s.warehouseId, requested: s.requested, available: s.available })) }, "allocation refused: warehouse rows short");
      return "stale";
    } catch (err) {
      const e = ConnectError.from(err);
      // Inventory's FailedPrecondition answers differ only in wording: a cancelled order, an inactive warehouse
      // (the list changed since the plan), or another split already applied (a bug: never re-sent differently).
      if (e.code === Code.FailedPrecondition && /cancel/i.test(e.rawMessage)) return "cancelled";
      if ((e.code === Code.FailedPrecondition && /inactive/i.test(e.rawMessage)) || (e.code === Code.NotFound && /^warehouse /i.test(e.rawMessage))) {
        this.d.stock.dropWarehouses();
        return "stale";
      }
      if (e.code === Code.NotFound) {
        this.d.log.warn({ orderId, err: e.rawMessage }, "Inventory does not know the order (its commit may still be in flight); retrying later");
      } else if (e.code === Code.InvalidArgument || e.code === Code.FailedPrecondition) {
        this.d.log.error({ orderId, err: e.rawMessage }, "ALLOCATION REFUSED: the order's event and Inventory's committed units disagree; retrying later");
      }
      throw err;
    }
  }

  /** Inventory says the order was cancelled (its stock returned): nothing to assign, ever. */
  private async cancelled(tx: EntityManager, orderId: string): Promise<void> {
    this.d.log.warn({ orderId }, "order was cancelled before assignment; no warehouse orders");
    await setAssignment(tx, orderId, "CANCELLED");
  }

  private async writeWarehouseOrders(tx: EntityManager, order: PlacedOrder, split: PlannedShipment[]): Promise<void> {
    const written = await insertWarehouseOrders(tx, split.map((s) => ({
      id: s.warehouseOrderId, orderId: order.orderId, warehouseId: s.warehouseId, warehouseCode: s.warehouseCode,
      lines: s.lines, shippingAddress: order.address,
    })), ACTOR);
    const views = written.map(warehouseOrderView);
    const occurTime = timestampNow();
    // One outbox write: an event per warehouse (what its system subscribes to) and the order's whole split.
    await enqueueRows(tx, "assignment", [
      ...views.map((view) => outboxRow(EVENTS.warehouseOrderAssigned.at(view.warehouseCode),
        create(WarehouseOrderAssignedSchema, { eventId: randomUUID(), warehouseOrder: view, occurTime }))),
      outboxRow(EVENTS.ordersAssigned, create(OrderAssignedSchema, { eventId: randomUUID(), orderId: order.orderId, warehouseOrders: views, occurTime })),
    ]);
    await setAssignment(tx, order.orderId, "ASSIGNED", split);
    this.d.log.info({ orderId: order.orderId, warehouses: split.map((s) => s.warehouseCode) }, "order assigned");
  }
}
