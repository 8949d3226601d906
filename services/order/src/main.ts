// Order service wiring (placeholder until its handlers land: every RPC answers Unimplemented).
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";

export const order: ServiceModule = {
  name: "order",
  nats: true,
  async build() {
    return { routes: (router) => router.service(OrderService, {}) };
  },
};

runIfEntry(import.meta.url, order);
