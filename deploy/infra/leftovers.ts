/**
 * Leftovers of a killed previous run on the same persistent data dir: a server process whose working directory
 * is one of our data dirs and whose parent is no longer a node process is stopped before we start again.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sleep, type Log, type ServerName } from "./process.js";

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** basename of /proc/PID/exe (Debian's redis-server is a symlink to redis-check-rdb!) */
  exe: string;
  /** process name from /proc/PID/stat (redis-server, postgres, nats-server, node) */
  comm: string;
  cwd: string;
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined; // zombie / dead
    const ppid = Number(fields[1]);
    let exe = "";
    try {
      exe = path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
    } catch {
      /* kernel thread or not ours */
    }
    let cwd = "";
    try {
      cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      /* not ours */
    }
    return { pid, ppid, exe, comm, cwd };
  } catch {
    return undefined;
  }
}

/** Processes whose working directory is one of `dirs` (our servers run with cwd = their data dir). */
export function processesIn(dirs: Set<string>): ProcInfo[] {
  if (os.platform() !== "linux") return [];
  const out: ProcInfo[] = [];
  for (const ent of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(ent)) continue;
    const pid = Number(ent);
    if (pid === process.pid) continue;
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue;
    }
    if (!dirs.has(cwd)) continue;
    const info = procInfo(pid);
    if (info) out.push(info);
  }
  return out;
}

export const SERVER_EXES: Record<ServerName, RegExp> = {
  postgres: /^postgres$/,
  redis: /^redis-server$/,
  nats: /^nats-server$/,
};

/**
 * Persistent data dir only. A server process still running in one of our data dirs is either
 *  - owned by a live node process (another `npm start`, or this process): refuse, or
 *  - a leftover from a run that was killed (its parent is gone): stop it (graceful, then kill).
 */
export async function stopLeftovers(dirs: Partial<Record<ServerName, string>>, log: Log): Promise<void> {
  const byDir = new Map<string, ServerName>();
  for (const [name, dir] of Object.entries(dirs) as [ServerName, string][]) {
    try {
      byDir.set(fs.realpathSync(dir), name);
    } catch {
      /* dir does not exist yet: nothing can run in it */
    }
  }
  if (byDir.size === 0) return;
  const procs = processesIn(new Set(byDir.keys())).filter((p) => {
    const re = SERVER_EXES[byDir.get(p.cwd)!];
    return re.test(p.exe) || re.test(p.comm);
  });
  if (procs.length === 0) return;
  const pids = new Set(procs.map((p) => p.pid));
  const roots = procs.filter((p) => !pids.has(p.ppid)); // postmaster, redis-server, nats-server
  for (const p of roots) {
    const parent = p.ppid === process.pid ? undefined : procInfo(p.ppid);
    const name = byDir.get(p.cwd)!;
    if (p.ppid === process.pid) {
      throw new Error(`${name} in ${p.cwd} was already started by this process (pid ${p.pid}); stop that infra first or use another dataDir`);
    }
    if (parent && p.ppid !== 1 && (/^node/.test(parent.exe) || /^node/.test(parent.comm))) {
      throw new Error(
        `${name} in ${p.cwd} is in use by another running instance (server pid ${p.pid}, owned by node pid ${p.ppid}); stop it first or use another data dir`,
      );
    }
  }
  for (const p of roots) {
    const name = byDir.get(p.cwd)!;
    log(`stopping leftover ${name} (pid ${p.pid}) from a previous run on ${p.cwd}`);
    // postgres: SIGINT = fast shutdown (clean, no client wait); SIGTERM would wait for clients
    try {
      process.kill(p.pid, name === "postgres" ? "SIGINT" : "SIGTERM");
    } catch {
      /* gone */
    }
  }
  const alive = () => procs.filter((p) => procInfo(p.pid) !== undefined);
  const deadline = performance.now() + 10_000;
  while (alive().length && performance.now() < deadline) await sleep(50);
  const stubborn = alive();
  for (const p of stubborn) {
    log(`killing leftover ${byDir.get(p.cwd)} process ${p.pid}`);
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  if (stubborn.length) await sleep(200);
}
