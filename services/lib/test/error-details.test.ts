// Error details on the mesh's gRPC wire: a handler's InvalidArgument carries a google.rpc.BadRequest naming the
// field and its other errors a google.rpc.ErrorInfo with a reason, in grpc-status-details-bin, so a plain grpc-js
// client reads them; the mesh's transport decodes them into the ConnectError, and a service that passes a
// callee's error on passes them on too.
import { fromBinary } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { BadRequestSchema, ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../../gen/google/rpc/status_pb.js";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.js";
import { failure } from "../../../test/harness.js";
import { badFields, Code, ERROR_DOMAIN, errorReason, failedPrecondition } from "../errors.js";
import { grpcServer } from "../grpc-host.js";
import { meshTransport } from "../transport.js";
import { uuid } from "../validate.js";

async function listen(server: grpc.Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return `http://127.0.0.1:${port}`;
}

describe("error details on the mesh's gRPC wire", () => {
  let callee: grpc.Server;
  let relay: grpc.Server;
  let calleeUrl: string;
  let relayUrl: string;

  before(async () => {
    // Check(service) validates `service` as a UUID, or refuses "sold-out" with a reason.
    callee = grpcServer((router) => router.service(Health, {
      async check(req) {
        if (req.service === "sold-out") throw failedPrecondition("OUT_OF_STOCK", "item 42 is out of stock");
        uuid(req.service, "service");
        return { status: Status.SERVING };
      },
      async *watch() { /* not called */ },
    }), []);
    calleeUrl = await listen(callee);
    // A second service that calls the first and lets its errors through, as order does with inventory's.
    const downstream: Client<typeof Health> = createClient(Health, meshTransport(calleeUrl));
    relay = grpcServer((router) => router.service(Health, {
      async check(req) {
        return downstream.check(req);
      },
      async *watch() { /* not called */ },
    }), []);
    relayUrl = await listen(relay);
  });
  after(() => {
    callee.forceShutdown();
    relay.forceShutdown();
  });

  it("sends InvalidArgument's BadRequest in grpc-status-details-bin, readable by a plain grpc-js client", async () => {
    const client = new grpc.Client(new URL(calleeUrl).host, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError>((resolve, reject) => client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check", (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]), // service: "abc"
        (e) => (e ? resolve(e) : reject(new Error("expected the call to fail")))));
      expect(err.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(err.details).to.equal("service: must be a UUID");
      const [bin] = err.metadata.get("grpc-status-details-bin");
      expect(bin, "grpc-status-details-bin").to.be.instanceOf(Buffer);
      const status = fromBinary(StatusSchema, bin as Buffer);
      expect(status.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(status.details.map((d) => d.typeUrl)).to.deep.equal(["type.googleapis.com/google.rpc.BadRequest"]);
      const bad = fromBinary(BadRequestSchema, status.details[0].value);
      expect(bad.fieldViolations.map((v) => [v.field, v.description])).to.deep.equal([["service", "must be a UUID"]]);
    } finally {
      client.close();
    }
  });

  it("decodes the details into the ConnectError a mesh client gets", async () => {
    const client = createClient(Health, meshTransport(calleeUrl));
    const bad = await failure(client.check({ service: "abc" }));
    expect(bad.code).to.equal(Code.InvalidArgument);
    expect(bad.rawMessage).to.equal("service: must be a UUID");
    expect(badFields(bad)).to.deep.equal(["service"]);
    const refused = await failure(client.check({ service: "sold-out" }));
    expect(refused.code).to.equal(Code.FailedPrecondition);
    expect(refused.rawMessage).to.equal("item 42 is out of stock");
    const [info] = refused.findDetails(ErrorInfoSchema);
    expect(info.reason).to.equal("OUT_OF_STOCK");
    expect(info.domain).to.equal(ERROR_DOMAIN);
  });

  it("keeps a callee's details when a service passes its error on", async () => {
    const client = createClient(Health, meshTransport(relayUrl));
    const refused = await failure(client.check({ service: "sold-out" }));
    expect(refused.code).to.equal(Code.FailedPrecondition);
    expect(errorReason(refused)).to.equal("OUT_OF_STOCK");
    expect(refused.details).to.have.length(1);
    const bad = await failure(client.check({ service: "abc" }));
    expect(badFields(bad)).to.deep.equal(["service"]);
  });
});
