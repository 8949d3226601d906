// The network namespace bench:chaos cuts a NATS node off with: a cluster with node 3 inside it forms, the cut
// makes node 3 unreachable while the two others keep serving, healing brings it back, and removal leaves no
// namespace or link behind. Needs root (as CI and this project's test machines have); skipped otherwise.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect } from "nats";
import { natsRetry } from "../../services/lib/nats.js";
import { testInfra } from "../../test/harness.js";
import { freePorts, tcpConnectable } from "../infra/process.js";
import { startInfra, type Infra } from "../infra.js";
import { canIsolate, isolatedNetwork, type IsolatedNetwork } from "./netns.js";

describe("chaos: a NATS node in its own network namespace", function () {
  this.timeout(120_000);
  let net: IsolatedNetwork | undefined;
  let infra: Infra | undefined;
  let dataDir = "";

  before(async function () {
    if (await canIsolate()) this.skip();
  });

  after(async function () {
    await infra?.stop();
    await net?.remove();
    if (dataDir) await fsp.rm(dataDir, { recursive: true, force: true });
  });

  it("forms a cluster across the link, is cut off while the others serve, comes back, and is removed without a trace", async function () {
    net = await isolatedNetwork();
    const ports = await freePorts(6);
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "netns-test-"));
    infra = await startInfra({
      dataDir, ephemeral: true, databaseUrl: testInfra().databaseUrl, redisUrl: testInfra().redisUrl, log: () => {},
      natsPlacement: [0, 1, 2].map((i) => ({
        host: i === 2 ? net!.nsAddr : net!.hostAddr, clientPort: ports[i], clusterPort: ports[3 + i], ...(i === 2 ? { netns: net!.name } : {}),
      })),
    });
    const [, , isolated] = infra.natsNodes;
    expect(isolated.url).to.equal(`nats://${net.nsAddr}:${ports[2]}`);
    const servers = async (url: string) => {
      const nc = await connect({ servers: url, reconnect: false, timeout: 3000 });
      try {
        return new Set(nc.info?.connect_urls ?? []).size;
      } finally {
        await nc.close();
      }
    };
    expect(await servers(isolated.url)).to.equal(3); // routes across the link: one cluster of three

    // A stream on all three nodes, made before the cut: cut off, node 3 leaves the other two a quorum, which keeps
    // taking events (after electing a new stream leader when node 3 led it: natsRetry, as the services do).
    const nc = await connect({ servers: infra.natsNodes[0].url, reconnect: false, timeout: 3000 });
    const jsm = await natsRetry("JetStream", () => nc.jetstreamManager(), undefined, 20_000);
    await natsRetry("stream CUT", () => jsm.streams.add({ name: "CUT", subjects: ["cut.>"], num_replicas: 3 }), undefined, 20_000);
    await net.cut();
    expect(await tcpConnectable(ports[2], 1000, net.nsAddr)).to.equal(false);
    const ack = await natsRetry("publish cut.x", () => nc.jetstream().publish("cut.x", new TextEncoder().encode("while node 3 is cut off")), undefined, 30_000);
    expect(ack.stream).to.equal("CUT");
    await nc.close();

    await net.heal();
    expect(await tcpConnectable(ports[2], 3000, net.nsAddr)).to.equal(true);

    await infra.stop();
    infra = undefined;
    const name = net.name;
    await net.remove();
    net = undefined;
    expect(execFileSync("ip", ["netns", "list"]).toString()).to.not.include(name);
    expect(execFileSync("ip", ["-o", "link"]).toString()).to.not.match(new RegExp(`${name.replace("shopchaos-", "shc")}h`));
  });
});
