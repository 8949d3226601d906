// Admission control: past its in-flight limit a service refuses at once (ResourceExhausted with a retry hint)
// instead of queueing, and SubmitOrder is admitted into the reserved share while BeginCheckout is refused.
// Served by the services' own gRPC server and called through the mesh transport, as in a deployment.
import * as grpc from "@grpc/grpc-js";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { expect } from "chai";
import { OrderService } from "../../../gen/shop/order/v1/order_pb.js";
import { eventually, failure } from "../../../test/harness.js";
import { AdmissionGate, admissionInterceptor, admissionSettings, RETRY_AFTER_HEADER } from "../admission.js";
import { grpcServer } from "../grpc-host.js";
import { meshTransport } from "../transport.js";

/** Calls that wait until the test lets them go: they hold their admission slots meanwhile. */
class Holds {
  private waiting: (() => void)[] = [];
  entered = 0;
  hold = async () => {
    this.entered++;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  };
  releaseAll() {
    for (const r of this.waiting.splice(0)) r();
  }
}

describe("admission control (services/lib/admission.ts)", () => {
  let server: grpc.Server;
  let order: Client<typeof OrderService>;
  let gate: AdmissionGate;
  const holds = new Holds();
  // 4 in flight, 50% reserved: two ordinary calls at once, two more only for SubmitOrder.
  const settings = admissionSettings({ MAX_IN_FLIGHT: "4", MAX_IN_FLIGHT_RESERVED_PERCENT: "50", ADMISSION_RETRY_AFTER_MS: "150" }, "", 512);

  before(async () => {
    gate = new AdmissionGate(settings);
    server = grpcServer((router) => router.service(OrderService, {
      beginCheckout: async () => { await holds.hold(); return {}; },
      submitOrder: async () => { await holds.hold(); return {}; },
      getCheckout: async () => ({}),
    }), [admissionInterceptor(() => ({ gate, what: "order" }))]);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    order = createClient(OrderService, meshTransport(`http://127.0.0.1:${port}`, 10_000));
    // The channel connected before the tests count calls reaching the handler (a call on a channel still
    // connecting can fail Unavailable without reaching it).
    await eventually(() => order.getCheckout({}).then(() => true), 10_000, "the test server answering");
  });

  after(() => {
    holds.releaseAll();
    server?.forceShutdown();
  });

  afterEach(async () => {
    holds.releaseAll();
    for (let i = 0; i < 50 && gate.running > 0; i++) await new Promise((r) => setTimeout(r, 20));
  });

  /** Waits for `n` calls in the handler; on failure says how the calls that did not get there ended. */
  async function untilEntered(n: number, calls: Promise<unknown>[]) {
    for (let i = 0; i < 250 && holds.entered < n; i++) await new Promise((r) => setTimeout(r, 20));
    const ended = await Promise.race([
      Promise.allSettled(calls).then((all) => all.map((r) => (r.status === "rejected" ? String(r.reason) : "answered")).join("; ")),
      new Promise<string>((r) => setTimeout(() => r("some still running"), 10)),
    ]);
    expect(holds.entered, `calls reaching the handler (the calls: ${ended})`).to.equal(n);
  }

  it("refuses calls beyond the limit at once with ResourceExhausted and a retry hint, and admits again when calls finish", async () => {
    holds.entered = 0;
    const running = [order.beginCheckout({}), order.beginCheckout({})];
    await untilEntered(2, running);
    const t0 = performance.now();
    const refused = await failure(order.beginCheckout({}));
    const refusedMs = performance.now() - t0;
    expect(refused.code).to.equal(Code.ResourceExhausted);
    expect(refused.metadata.get(RETRY_AFTER_HEADER)).to.equal("150");
    // Refused without waiting for the calls ahead of it (they hold until released); a loose sanity bound.
    expect(refusedMs).to.be.below(2000);
    expect(gate.refused.get("/shop.order.v1.OrderService/BeginCheckout")).to.equal(1);

    holds.releaseAll();
    await Promise.all(running);
    const again = order.beginCheckout({});
    await untilEntered(3, [again]);
    holds.releaseAll();
    await again;
  });

  it("admits SubmitOrder into the reserved share while BeginCheckout is refused, up to the whole limit", async () => {
    holds.entered = 0;
    const running: Promise<unknown>[] = [order.beginCheckout({}), order.beginCheckout({})];
    await untilEntered(2, running);
    expect((await failure(order.beginCheckout({}))).code).to.equal(Code.ResourceExhausted);
    running.push(order.submitOrder({}), order.submitOrder({}));
    await untilEntered(4, running);
    expect(gate.running).to.equal(4);
    // The whole limit is taken: SubmitOrder too is refused now.
    const refused = await failure(order.submitOrder({}));
    expect(refused.code).to.equal(Code.ResourceExhausted);
    holds.releaseAll();
    await Promise.all(running);
  });

  it("refuses bad settings naming them", () => {
    expect(() => admissionSettings({ MAX_IN_FLIGHT: "-1" }, "", 512)).to.throw(/MAX_IN_FLIGHT/);
    expect(() => admissionSettings({ MAX_IN_FLIGHT_RESERVED_PERCENT: "120" }, "", 512)).to.throw(/MAX_IN_FLIGHT_RESERVED_PERCENT/);
    expect(() => admissionSettings({ GATEWAY_MAX_IN_FLIGHT: "x" }, "GATEWAY_", 512)).to.throw(/GATEWAY_MAX_IN_FLIGHT/);
  });
});
