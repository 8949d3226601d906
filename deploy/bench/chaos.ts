// `npm run bench:chaos`: ordering through the gateway while processes die. Starts its own stack (REPLICAS=2,
// NATS_NODES=3, npm start's supervision), orders as bench:checkout does, and meanwhile kills (SIGKILL), one at a
// time, one replica of every service and one NATS node, and cuts another NATS node off for a while (network
// namespace; needs root). Prints one JSON line: orders attempted/placed, lost, duplicates, audit violations,
// internal and client errors, what was killed, restarts, orders/s (deploy/chaos/run.ts; docs/nats.md).
import { SERVICE_NAMES, type ServiceName } from "../../services/lib/config.js";
import { cliFlags } from "../../services/lib/cli.js";
import { runChaos } from "../chaos/run.js";
import { buyerFlags } from "./shopper.js";
import { canIsolate } from "../chaos/netns.js";

const flags = cliFlags({
  usage: "npm run bench:chaos --",
  summary: "Orders through the gateway of a throwaway stack (REPLICAS=2, NATS_NODES=3) while one replica of every "
    + "service and one NATS node are killed with SIGKILL, one at a time, and one NATS node is cut off from the others "
    + "(network namespace, needs root). npm start's supervision restarts what died. Prints one JSON line: lost, "
    + "duplicates, audit_violations and internal_errors should all be 0.",
  flags: {
    seconds: { type: "int", default: 90, min: 10, help: "how long the buyers order" },
    ...buyerFlags({ users: 500, items: 60, concurrency: 8 }),
    replicas: { type: "int", default: 2, min: 2, help: "processes of every service" },
    "nats-nodes": { type: "int", default: 3, min: 3, max: 5, help: "JetStream cluster size" },
    kill: { type: "string", default: [...SERVICE_NAMES, "nats"].join(","), help: "what to kill one replica of, comma-separated" },
    keep: { type: "boolean", help: "keep logs, NATS stores and evidence.json (kept anyway when an order is lost)" },
    "partition-seconds": { type: "int", default: 10, help: "how long one NATS node is cut off (0: no partition)" },
  },
});
const log = (m: string) => console.error(`[chaos] ${m}`);

const kill = flags.kill.split(",").map((k) => k.trim()).filter(Boolean);
for (const k of kill) {
  if (k !== "nats" && !SERVICE_NAMES.includes(k as ServiceName)) {
    console.error(`--kill: unknown process "${k}" (one of ${[...SERVICE_NAMES, "nats"].join(", ")})`);
    process.exit(2);
  }
}
const noPartition = flags["partition-seconds"] > 0 ? await canIsolate() : undefined;
if (noPartition) {
  console.error(`--partition-seconds: ${noPartition} (run as root, or pass --partition-seconds 0)`);
  process.exit(2);
}

const report = await runChaos({
  seconds: flags.seconds, concurrency: flags.concurrency, users: flags.users, items: flags.items,
  replicas: flags.replicas, natsNodes: flags["nats-nodes"], kill: kill as (ServiceName | "nats")[],
  partitionSeconds: flags["partition-seconds"], keep: flags.keep, log,
});
console.log(JSON.stringify(report));
const clean = report.lost === 0 && report.duplicates === 0 && report.audit_violations === 0 && report.internal_errors === 0;
process.exit(clean ? 0 : 1);
