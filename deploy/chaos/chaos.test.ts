// A short bench:chaos: its own stack (a 3-node JetStream cluster, Order as two replicas, npm start's
// supervision), buyers ordering through the gateway for 25 s while an Order replica and a NATS node are killed
// with SIGKILL. Nothing may be lost, doubled or broken, and no call may fail with Internal.
import { expect } from "chai";
import { runChaos } from "./run.js";

describe("chaos: ordering while an Order replica and a NATS node are killed", function () {
  this.timeout(900_000);

  it("loses nothing, doubles nothing, keeps stock consistent and answers no call with Internal", async function () {
    const lines: string[] = [];
    const report = await runChaos({
      seconds: 25, concurrency: 4, users: 100, items: 20, replicas: 1, natsNodes: 3,
      kill: ["nats", "order"], partitionSeconds: 0,
      env: { ORDER_REPLICAS: "2" }, // services and gateway on free ports
      log: (m) => lines.push(m),
    });
    const context = `${JSON.stringify(report)}\n${lines.join("\n")}`;
    expect(report.killed, context).to.have.length(2);
    expect(report.killed.some((k) => /^order#[12]$/.test(k)), context).to.equal(true);
    expect(report.killed.some((k) => /^nats#[123]$/.test(k)), context).to.equal(true);
    expect(report.restarts, context).to.be.at.least(2); // supervision brought both back
    expect(report.orders_placed, context).to.be.at.least(5); // the buyers did order (a busy machine orders slowly)
    expect({
      lost: report.lost, duplicates: report.duplicates, audit_violations: report.audit_violations, internal_errors: report.internal_errors,
    }, context).to.deep.equal({ lost: 0, duplicates: 0, audit_violations: 0, internal_errors: 0 });
  });
});
