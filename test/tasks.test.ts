// GET /tasks on a service's metrics port: the relay, consumers and jobs the runtime runs for it, each with its
// state, against real Postgres and NATS: running, then failing while NATS is down (the consumer at once, the
// relay once an event waits; readiness stays SERVING), running again once NATS is back; a one-replica job is
// leader on one replica and standby on the other.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { expect } from "chai";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.js";
import { WarehouseOrderAssignedSchema } from "../gen/shop/assignment/v1/assignment_pb.js";
import { assignment } from "../services/assignment/src/main.js";
import { EVENTS } from "../services/lib/events.js";
import { enqueueRows, outboxRow } from "../services/lib/outbox.js";
import type { RunningService } from "../services/lib/server.js";
import type { TaskReport } from "../services/lib/task-status.js";
import { meshTransport } from "../services/lib/transport.js";
import { suiteInfra } from "./global-setup.js";
import { eventually, isolatedConsumers, startServices } from "./harness.js";

async function tasksOf(s: RunningService): Promise<TaskReport[]> {
  const res = await fetch(s.metricsUrl!.replace(/\/metrics$/, "/tasks"));
  expect(res.status).to.equal(200);
  expect(res.headers.get("content-type")).to.equal("application/json");
  return ((await res.json()) as { tasks: TaskReport[] }).tasks;
}

const find = (tasks: TaskReport[], kind: TaskReport["kind"]) => tasks.find((t) => t.kind === kind)!;

describe("tasks: what the runtime runs, as GET /tasks reports it", function () {
  this.timeout(120_000);

  it("lists the relay, the consumer and the job; the consumer and the relay fail while NATS is down and recover after", async () => {
    const env = isolatedConsumers();
    const first = await startServices([assignment], { env });
    // A second replica on the same database: the one-replica job's lease is already held by the first.
    const second = await startServices([assignment], { env, databaseUrl: first.databaseUrl });
    const a = first.services.assignment;
    const b = second.services.assignment;
    try {
      const tasks = await tasksOf(a);
      expect(tasks.map((t) => `${t.kind}:${t.name}`)).to.include.members([
        "outbox:assignment-outbox", "consumer:assignment-orders-placed", "job:shipment-recovery",
      ]);
      expect(find(tasks, "consumer")).to.include({ state: "running", running: true });
      expect(find(tasks, "consumer").stats).to.deep.equal({ applied: 0, rejected: 0, failed: 0 });
      await eventually(async () => find(await tasksOf(a), "outbox").lastSuccessAt, 10_000, "a relay pass");
      expect(find(await tasksOf(a), "outbox").state).to.equal("running");
      expect(find(tasks, "job").state).to.equal("leader");
      expect(find(await tasksOf(b), "job").state).to.equal("standby");
      const brief = (ts: TaskReport[]) => ts.map((t) => `${t.kind}:${t.name}:${t.state}`);
      expect(brief(a.tasks()), "RunningService.tasks() says what /tasks says").to.deep.equal(brief(await tasksOf(a)));

      await suiteInfra().stopNats();
      try {
        const failing = await eventually(async () => {
          const c = find(await tasksOf(a), "consumer");
          return c.state === "failing" && c;
        }, 30_000, "consumer reported failing");
        expect(failing.lastError).to.match(/NATS/);
        expect(Date.parse(failing.failingSince!)).to.be.closeTo(Date.now(), 30_000);
        const readiness = await createClient(Health, meshTransport(a.url, 5000)).check({ service: "readiness" });
        expect(readiness.status, "readiness while NATS is down").to.equal(Status.SERVING);

        // An event waiting in the outbox (on a subject no running consumer reads): the relay cannot publish it.
        const event = create(WarehouseOrderAssignedSchema, { eventId: randomUUID() });
        await enqueueRows(a.ctx.db, "assignment", [outboxRow(EVENTS.warehouseOrderAssigned.at("TASKS"), event)]);
        // The replicas share the outbox: the relay that holds the row at the time reports the failure.
        const relay = await eventually(async () => {
          for (const r of [find(await tasksOf(a), "outbox"), find(await tasksOf(b), "outbox")]) if (r.state === "failing") return r;
        }, 30_000, "a relay reported failing");
        expect(relay.lastError).to.match(/publish/);
      } finally {
        await suiteInfra().startNats();
      }
      await eventually(async () => find(await tasksOf(a), "consumer").state === "running", 30_000, "consumer running again");
      for (const s of [a, b]) await eventually(async () => find(await tasksOf(s), "outbox").state === "running", 30_000, "relays running again");
      // Either replica's relay may publish it (they share the outbox).
      await eventually(async () => (await a.ctx.db.query(`SELECT 1 FROM assignment.outbox WHERE published_at IS NOT NULL`)).length === 1,
        30_000, "the waiting event published once NATS is back");
    } finally {
      await second.stop();
      await first.stop();
    }
    expect(a.tasks().map((t) => t.state)).to.deep.equal(a.tasks().map(() => "stopped"));
  });
});
