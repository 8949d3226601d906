// Cart service wiring (placeholder until its handlers land: every RPC answers Unimplemented).
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";

export const cart: ServiceModule = {
  name: "cart",
  nats: true,
  async build() {
    return { routes: (router) => router.service(CartService, {}) };
  },
};

runIfEntry(import.meta.url, cart);
