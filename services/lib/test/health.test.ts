// Health tells the truth about real dependencies: a service whose database goes away answers NOT_SERVING (so
// probes take it out of rotation), without anyone telling it. The database is this test's own, dropped under it:
// nothing else in the suite shares it.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "chai";
import pg from "pg";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.js";
import { eventually, startServices, testInfra } from "../../../test/harness.js";
import { cart } from "../../cart/src/main.js";

describe("health", function () {
  this.timeout(60_000);

  it("turns NOT_SERVING when the service's database goes away", async () => {
    const mesh = await startServices([cart]);
    const health = createClient(Health, createGrpcTransport({ baseUrl: mesh.services.cart.url }));
    try {
      expect((await health.check({ service: "" })).status).to.equal(Status.SERVING);
      const admin = new pg.Client({ connectionString: testInfra().databaseUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE "${new URL(mesh.databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      await eventually(async () => (await health.check({ service: "" })).status === Status.NOT_SERVING, 10_000, "NOT_SERVING");
    } finally {
      await mesh.stop().catch(() => {});
    }
  });
});
