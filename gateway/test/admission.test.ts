// The gateway's admission control: a bounded number of calls in flight to each service; past it a browser's
// call is refused at once with ResourceExhausted and the retry hint as a response header, on both the binary
// (forwarded as bytes) and the JSON path, while the other services stay reachable.
import * as grpc from "@grpc/grpc-js";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.js";
import { OrderService } from "../../gen/shop/order/v1/order_pb.js";
import { RETRY_AFTER_HEADER } from "../../services/lib/admission.js";
import { grpcServer } from "../../services/lib/grpc-host.js";
import { failure, freshDatabase } from "../../test/harness.js";
import type { RunningGateway } from "../src/main.js";
import { gatewayClient, startTestGateway } from "./helpers.js";

describe("gateway admission control", () => {
  let upstream: grpc.Server;
  let gateway: RunningGateway;
  let waiting: (() => void)[] = [];
  let entered = 0;
  const hold = async () => {
    entered++;
    await new Promise<void>((resolve) => waiting.push(resolve));
    return {};
  };
  const releaseAll = () => { for (const r of waiting.splice(0)) r(); };

  before(async () => {
    // The services the gateway forwards to, answering only once the test lets them.
    upstream = grpcServer((router) => {
      router.service(OrderService, { beginCheckout: hold, submitOrder: hold });
      router.service(CartService, { getCart: async () => ({}) });
    }, []);
    const port = await new Promise<number>((resolve, reject) =>
      upstream.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    const url = `http://127.0.0.1:${port}`;
    gateway = await startTestGateway({
      databaseUrl: await freshDatabase("gwadm"),
      services: { order: { url }, cart: { url } },
      env: { GATEWAY_MAX_IN_FLIGHT: "2", MAX_IN_FLIGHT_RESERVED_PERCENT: "50", ADMISSION_RETRY_AFTER_MS: "300" },
    });
  });

  after(async () => {
    releaseAll();
    await gateway?.stop();
    upstream?.forceShutdown();
  });

  it("refuses past the limit per service with the retry hint, admits SubmitOrder into the reserved share, and leaves other services alone", async () => {
    const binary = createClient(OrderService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", useBinaryFormat: true }));
    const json = gatewayClient(OrderService, gateway.url);
    const running: Promise<unknown>[] = [binary.beginCheckout({})];
    for (let i = 0; i < 250 && entered < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(entered).to.equal(1);

    for (const client of [binary, json]) {
      const refused = await failure(client.beginCheckout({}));
      expect(refused.code).to.equal(Code.ResourceExhausted);
      expect(refused.message).to.match(/order service is at capacity/);
      expect(refused.metadata.get(RETRY_AFTER_HEADER)).to.equal("300");
    }
    // The reserved share takes SubmitOrder; then the order service's whole limit is in use.
    running.push(binary.submitOrder({}));
    for (let i = 0; i < 250 && entered < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(entered).to.equal(2);
    expect((await failure(binary.submitOrder({}))).code).to.equal(Code.ResourceExhausted);
    // Another service has its own limit.
    await gatewayClient(CartService, gateway.url).getCart({});

    releaseAll();
    await Promise.all(running);
    expect(gateway.admission.get("order")!.refused.get("/shop.order.v1.OrderService/BeginCheckout")).to.equal(2);
  });
});
