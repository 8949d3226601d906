// A network namespace joined to the host by one veth pair, so that a server run inside it can be cut off from
// everything else by taking its link down (bench:chaos partitions a NATS node this way). The two addresses
// exist only on that pair: nothing outside this machine is reachable through it. Needs root (CAP_NET_ADMIN).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { findBinary } from "../infra/process.js";

const exec = promisify(execFile);

export interface IsolatedNetwork {
  /** the namespace's name, for `ip netns exec` */
  name: string;
  /** this side's address on the pair (servers on the host that the namespace must reach listen here) */
  hostAddr: string;
  /** the address inside the namespace */
  nsAddr: string;
  /** takes the namespace's end of the link down: no packet in or out */
  cut(): Promise<void>;
  /** brings it up again */
  heal(): Promise<void>;
  /** deletes the namespace and its link (idempotent) */
  remove(): Promise<void>;
}

export async function canIsolate(): Promise<string | undefined> {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "creating a network namespace needs root";
  if (!findBinary("ip")) return "the `ip` command (iproute2) is missing";
  return undefined;
}

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await exec(findBinary("ip") ?? "ip", args);
  return stdout;
}

/**
 * Creates the namespace and its link, on a /30 of 10.254.0.0/16 that no interface of this machine uses yet.
 * On failure everything created so far is removed again.
 */
export async function isolatedNetwork(): Promise<IsolatedNetwork> {
  const why = await canIsolate();
  if (why) throw new Error(`cannot cut a node off: ${why}`);
  const tag = `${process.pid % 100000}`;
  const name = `shopchaos-${tag}`;
  const hostIf = `shc${tag}h`;
  const nsIf = `shc${tag}n`;
  const used = await ip("-o", "-4", "addr", "show");
  let subnet = 1 + (process.pid % 250);
  while (used.includes(` 10.254.${subnet}.`)) subnet = (subnet % 250) + 1;
  const hostAddr = `10.254.${subnet}.1`;
  const nsAddr = `10.254.${subnet}.2`;

  const remove = async () => {
    await ip("netns", "del", name).catch(() => undefined); // takes the pair with it
    await ip("link", "del", hostIf).catch(() => undefined);
  };
  try {
    await remove(); // a namespace left by a killed run with the same pid
    await ip("netns", "add", name);
    await ip("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
    await ip("link", "set", nsIf, "netns", name);
    await ip("addr", "add", `${hostAddr}/30`, "dev", hostIf);
    await ip("link", "set", hostIf, "up");
    await ip("netns", "exec", name, "ip", "addr", "add", `${nsAddr}/30`, "dev", nsIf);
    await ip("netns", "exec", name, "ip", "link", "set", nsIf, "up");
    await ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
  } catch (err) {
    await remove();
    throw err;
  }
  // The host's end stays up: its address keeps answering for the servers on the host, which listen on it.
  return {
    name, hostAddr, nsAddr, remove,
    cut: async () => { await ip("netns", "exec", name, "ip", "link", "set", nsIf, "down"); },
    heal: async () => { await ip("netns", "exec", name, "ip", "link", "set", nsIf, "up"); },
  };
}
