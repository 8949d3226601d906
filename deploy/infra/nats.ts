/**
 * NATS JetStream for the local infrastructure: one server, or a cluster of NATS_NODES servers (routes between
 * them, one JetStream store and one server name each) so that streams can keep 3 replicas and survive a node.
 *
 * Every node runs from a config file written next to its store (`<dataDir>/nats/node-<i>.conf`), with the
 * `nats` dir as working directory (leftovers.ts finds a killed run's servers by it). A node's server name is
 * stable across restarts (JetStream knows its peers by name): random per ephemeral infra, kept in a file for
 * persistent data. Nodes may be placed on another address or inside a network namespace (bench:chaos cuts one
 * off from the others that way).
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import { connect as natsConnect } from "nats";
import { HOST, Managed, StartupError, rotateLog, secs, tcpConnectable, waitReady, type Ctx } from "./process.js";

/** Where one node listens (clients and, in a cluster, routes) and, optionally, the network namespace it runs in. */
export interface NatsNodePlacement {
  host: string;
  clientPort: number;
  /** route port; unused by a single server */
  clusterPort: number;
  /** `ip netns exec <netns> nats-server ...` (the namespace must exist) */
  netns?: string;
}

/** One server of the cluster, for fault injection (tests, bench:chaos). */
export interface NatsNode {
  /** 1-based, as in "nats#2" */
  readonly index: number;
  readonly serverName: string;
  /** nats://host:port */
  readonly url: string;
  readonly clientPort: number;
  readonly pid: number | undefined;
  running(): boolean;
  start(): Promise<void>;
  /** graceful (SIGTERM) */
  stop(): Promise<void>;
  /** SIGKILL: no goodbye to the cluster or the clients */
  kill(): Promise<void>;
  /** Resolves when the node last started exits, with how ("killed by SIGKILL"). */
  exited(): Promise<string>;
}

export interface NatsServer {
  /** every node's client URL, comma-separated (what NATS_URL takes) */
  url: string;
  nodes: NatsNode[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const NATS_CLUSTER_NAME = "shop-nats";

/** The config file of one node: JetStream with its own store, and routes to every other node when clustered. */
export function natsConfig(node: { serverName: string; storeDir: string; placement: NatsNodePlacement }, peers: NatsNodePlacement[]): string {
  const q = JSON.stringify;
  const { host, clientPort, clusterPort } = node.placement;
  const lines = [
    `server_name: ${q(node.serverName)}`,
    `listen: ${q(`${host}:${clientPort}`)}`,
    `jetstream {`,
    `  store_dir: ${q(node.storeDir)}`,
    `}`,
  ];
  if (peers.length) {
    lines.push(
      `cluster {`,
      `  name: ${q(NATS_CLUSTER_NAME)}`,
      `  listen: ${q(`${host}:${clusterPort}`)}`,
      `  routes: [${peers.map((p) => q(`nats-route://${p.host}:${p.clusterPort}`)).join(", ")}]`,
      `}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function natsServer(ctx: Ctx, bin: string, placements: NatsNodePlacement[]): NatsServer {
  if (placements.length < 1) throw new Error("natsServer: at least one node");
  const dir = path.join(ctx.dataDir, "nats");
  const clustered = placements.length > 1;
  const run = crypto.randomBytes(4).toString("hex");
  let wiped = !ctx.ephemeral;

  const nodes = placements.map((placement, i) => {
    const index = i + 1;
    // A single server keeps the store where it always was; cluster nodes get one each.
    const storeDir = clustered ? path.join(dir, `node-${index}`) : dir;
    const confFile = path.join(dir, clustered ? `node-${index}.conf` : "nats.conf");
    const logFile = path.join(ctx.logsDir, clustered ? `nats-${index}.log` : "nats.log");
    let serverName = "";
    let current: Managed | undefined;
    const url = `nats://${placement.host}:${placement.clientPort}`;

    const start = async () => {
      const t0 = performance.now();
      if (current && !current.exited) return;
      rotateLog(logFile);
      await fsp.mkdir(storeDir, { recursive: true });
      serverName ||= ctx.ephemeral ? `shop-${run}-${index}` : await persistentName(storeDir, index);
      const peers = placements.filter((_, j) => j !== i);
      await fsp.writeFile(confFile, natsConfig({ serverName, storeDir, placement }, peers));
      const args = ["-c", confFile];
      const m = new Managed(
        {
          name: "nats",
          ...(placement.netns ? { cmd: "ip", args: ["netns", "exec", placement.netns, bin, ...args] } : { cmd: bin, args }),
          cwd: dir,
          logFile,
          pdeathsig: "SIGTERM",
          exitSignal: "SIGKILL",
        },
        ctx.setpriv,
      );
      current = m;
      const where = `${placement.host}:${placement.clientPort}`;
      try {
        await waitReady(m, `nats on ${where}`, 60_000, async () => {
          if (!(await tcpConnectable(placement.clientPort, 500, placement.host))) return false;
          const nc = await natsConnect({ servers: where, reconnect: false, timeout: 2000, name: "infra-probe" });
          try {
            if (nc.info?.server_name !== serverName) {
              throw new StartupError(`the nats server answering on ${where} is not ours (server_name ${nc.info?.server_name})`);
            }
            const jsm = await nc.jetstreamManager(); // fails unless JetStream is up (in a cluster: a meta leader exists)
            await jsm.getAccountInfo();
            return true;
          } finally {
            await nc.close().catch(() => undefined);
          }
        });
      } catch (err) {
        await m.stop("SIGTERM");
        throw err;
      }
      ctx.log(`nats ${clustered ? `node ${index} ` : ""}ready on ${where} in ${secs(t0)} (JetStream store: ${storeDir})`);
    };

    const node: NatsNode = {
      index,
      get serverName() {
        return serverName;
      },
      url,
      clientPort: placement.clientPort,
      get pid() {
        return current && !current.exited ? current.pid : undefined;
      },
      running: () => !!current && !current.exited,
      start,
      async stop() {
        if (current) await current.stop("SIGTERM");
      },
      async kill() {
        if (current) await current.stop("SIGKILL");
      },
      exited: () => (current ? current.exitedHow : Promise.resolve("never started")),
    };
    return node;
  });

  return {
    url: nodes.map((n) => n.url).join(","),
    nodes,
    async start() {
      if (!wiped) {
        // ephemeral: fresh JetStream stores on the first start (restarts keep them)
        await fsp.rm(dir, { recursive: true, force: true });
        wiped = true;
      }
      await fsp.mkdir(dir, { recursive: true });
      // all at once: a clustered node is ready only when a JetStream meta leader exists, which takes a quorum
      const results = await Promise.allSettled(nodes.map((n) => n.start()));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed.length) {
        await Promise.all(nodes.map((n) => n.stop()));
        throw failed[0].reason;
      }
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

/** A persistent node keeps its server name: the cluster's JetStream peers and stream replicas are bound to it. */
async function persistentName(storeDir: string, index: number): Promise<string> {
  const file = path.join(storeDir, "server-name");
  try {
    return (await fsp.readFile(file, "utf8")).trim();
  } catch {
    const name = `shop-${crypto.randomBytes(4).toString("hex")}-${index}`;
    fs.writeFileSync(file, `${name}\n`);
    return name;
  }
}

/**
 * Ports of an N-node cluster from the one configured client port: clients on port, port+1, ..., routes on
 * port+40, port+41, ... (`NATS_CLUSTER_PORT` moves the routes).
 */
export function clusterPorts(clientPort: number, nodes: number, clusterPort = clientPort + 40): { client: number[]; cluster: number[] } {
  return {
    client: Array.from({ length: nodes }, (_, i) => clientPort + i),
    cluster: Array.from({ length: nodes }, (_, i) => clusterPort + i),
  };
}
