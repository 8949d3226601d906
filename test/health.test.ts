// Liveness and readiness as orchestrators probe them (grpc.health.v1 "liveness", "readiness" and ""): NATS down
// keeps a service with an outbox ready (events wait in the outbox); its database gone makes it not ready, while
// liveness stays SERVING so nothing restarts a process that would come back by itself.
import net from "node:net";
import { createClient } from "@connectrpc/connect";
import { expect } from "chai";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.js";
import { inventory } from "../services/inventory/src/main.js";
import { meshTransport } from "../services/lib/transport.js";
import { suiteInfra } from "./global-setup.js";
import { eventually, freshDatabase, isolatedConsumers, startServices } from "./harness.js";

const health = (url: string) => createClient(Health, meshTransport(url, 5000));
const statusOf = async (url: string, service: string) => (await health(url).check({ service })).status;

/** A TCP relay to Postgres that can be cut (every connection dropped, new ones refused) and restored. */
async function cuttableRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const open = (port: number) => new Promise<number>((resolve) => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, "127.0.0.1", () => resolve((server!.address() as net.AddressInfo).port));
  });
  const port = await open(0);
  return {
    port,
    cut: async () => {
      await new Promise<void>((resolve) => { server!.close(() => resolve()); for (const s of sockets) s.destroy(); });
    },
    restore: () => open(port),
  };
}

describe("health: liveness and readiness", function () {
  this.timeout(120_000);

  it("stays ready while NATS is down: a service with an outbox keeps serving and reports NATS in List", async () => {
    const mesh = await startServices([inventory], { env: isolatedConsumers() });
    const url = mesh.services.inventory.url;
    try {
      expect(await statusOf(url, "readiness")).to.equal(Status.SERVING);
      await suiteInfra().stopNats();
      try {
        // NATS really is gone for the service before readiness is judged.
        await eventually(async () => (await health(url).list({})).statuses["dependency:nats"]?.status === Status.NOT_SERVING, 20_000, "NATS reported down");
        for (const service of ["", "readiness", "liveness", "inventory"]) {
          expect(await statusOf(url, service), `health of "${service}" with NATS down`).to.equal(Status.SERVING);
        }
      } finally {
        await suiteInfra().startNats();
      }
      await eventually(async () => (await health(url).list({})).statuses["dependency:nats"]?.status === Status.SERVING, 30_000, "NATS reported back");
    } finally {
      await mesh.stop();
    }
  });

  it("is not ready while its database is unreachable, stays live, and is ready again once it is back", async () => {
    const dbUrl = new URL(await freshDatabase("health"));
    const relay = await cuttableRelay(dbUrl);
    const viaRelay = new URL(dbUrl);
    viaRelay.port = String(relay.port);
    const mesh = await startServices([inventory], { databaseUrl: viaRelay.toString(), env: isolatedConsumers() });
    const url = mesh.services.inventory.url;
    try {
      expect(await statusOf(url, "")).to.equal(Status.SERVING);
      await relay.cut();
      await eventually(async () => (await statusOf(url, "readiness")) === Status.NOT_SERVING, 15_000, "readiness NOT_SERVING");
      expect(await statusOf(url, "")).to.equal(Status.NOT_SERVING);
      expect(await statusOf(url, "liveness")).to.equal(Status.SERVING);
      await relay.restore();
      await eventually(async () => (await statusOf(url, "readiness")) === Status.SERVING, 20_000, "readiness SERVING again");
    } finally {
      await relay.cut().catch(() => undefined);
      await mesh.stop();
    }
  });
});
