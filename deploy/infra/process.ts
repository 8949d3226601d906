/**
 * Child processes of the local infrastructure: spawning with logs in <dataDir>/logs, readiness polling,
 * stopping (graceful signal, then SIGKILL), and the safety nets that make children die with us.
 *
 * Children write to `<dataDir>/logs/<name>.log` (never inherited stdio), are `unref()`ed once ready (infra
 * alone never keeps the process alive), are stopped by `stop()` and by a synchronous `process.on("exit")`
 * safety net. When `setpriv` (util-linux) is available each child is started through
 * `setpriv --pdeathsig <sig>`, so the kernel signals it even when this Node process is SIGKILLed.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type Log = (msg: string) => void;
export type ServerName = "postgres" | "redis" | "nats";

export const HOST = "127.0.0.1";
/** how long a child gets between the graceful signal and SIGKILL */
export const STOP_GRACE_MS = 5000;
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export const defaultLog: Log = (msg) => console.error(msg);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)}s`;

// ---------------------------------------------------------------------------------------------
// Safety net: children die with us
// ---------------------------------------------------------------------------------------------

/** live children -> signal to send from the synchronous "exit" handler */
export const liveChildren = new Map<ChildProcess, NodeJS.Signals>();
/** ephemeral data dirs of infras not stopped yet: removed (best effort) on exit */
export const ephemeralDirs = new Set<string>();
let exitHookInstalled = false;

export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [child, sig] of liveChildren) {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    }
    for (const dir of ephemeralDirs) {
      for (const p of ephemeralPaths(dir)) {
        try {
          fs.rmSync(p, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
        } catch {
          /* best effort: a server may still be writing while it dies */
        }
      }
      for (const d of [path.join(dir, "logs"), dir]) {
        try {
          fs.rmdirSync(d); // only when empty
        } catch {
          /* not empty */
        }
      }
    }
  });
}

/**
 * What an ephemeral infra removes: only what it created (the caller's dir may hold other things, e.g.
 * start.ts writes its service logs to <dataDir>/logs too). The logs dir and dataDir itself are then
 * removed only if empty.
 */
export function ephemeralPaths(dataDir: string): string[] {
  return [
    ...["postgres", "redis", "nats"].map((d) => path.join(dataDir, d)),
    // nats-<i>.log: the nodes of a NATS cluster
    ...["postgres", "redis", "nats", ...Array.from({ length: 9 }, (_, i) => `nats-${i + 1}`)]
      .flatMap((n) => [`${n}.log`, `${n}.log.old`].map((f) => path.join(dataDir, "logs", f))),
  ];
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

export function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const out = `${stdout ?? ""}${stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
        reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${out}`));
      } else resolve(String(stdout));
    });
  });
}

export const EXTRA_BIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin", "/bin"];

/** Look a binary up in PATH, plus the sbin dirs (nats-server lives in /usr/sbin on Debian). */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export const isRoot = () => process.getuid?.() === 0;

let setprivChecked: Promise<string | undefined> | undefined;
/** `setpriv --pdeathsig` (util-linux >= 2.33), used to make children die even if we are SIGKILLed. */
export function pdeathsigWrapper(): Promise<string | undefined> {
  setprivChecked ??= (async () => {
    if (os.platform() !== "linux") return undefined;
    const setpriv = findBinary("setpriv");
    if (!setpriv) return undefined;
    try {
      await run(setpriv, ["--pdeathsig", "SIGTERM", "--", "true"]);
      return setpriv;
    } catch {
      return undefined;
    }
  })();
  return setprivChecked;
}

/** Last lines of a log file, starting at byte offset `from`. */
export function logTail(file: string, from = 0, lines = 25): string {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(from, size - 16384);
      const buf = Buffer.alloc(Math.max(0, size - start));
      fs.readSync(fd, buf, 0, buf.length, start);
      const text = buf.toString("utf8").trimEnd();
      return text.split("\n").slice(-lines).map((l) => `    | ${l}`).join("\n");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return "    | (no log)";
  }
}

export function rotateLog(file: string): void {
  try {
    if (fs.statSync(file).size > LOG_ROTATE_BYTES) fs.renameSync(file, `${file}.old`);
  } catch {
    /* no log yet */
  }
}

/** Ask the OS for `n` distinct free ports (all held open at once so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen({ host: HOST, port: 0, exclusive: true }, () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/**
 * `n` free ports whose companions at each of `offsets` are free too: a throwaway mesh on free ports puts a
 * service's replicas at +100, +200 and every process's metrics at +1000.
 */
export async function freePortsWith(n: number, offsets: number[]): Promise<number[]> {
  for (;;) {
    const ports = await freePorts(n);
    const companions = ports.flatMap((p) => offsets.map((o) => p + o));
    if ((await Promise.all(companions.map((p) => p < 65536 && portIsFree(p)))).every(Boolean)) return ports;
  }
}

/** Can we listen on 127.0.0.1:port right now? (fails when anything listens on it, incl. 0.0.0.0 / [::]) */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE" || err.code === "EACCES") resolve(false);
      else reject(err);
    });
    srv.listen({ host: HOST, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export function tcpConnectable(port: number, timeoutMs = 1000, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Managed child process
// ---------------------------------------------------------------------------------------------

export interface SpawnSpec {
  name: ServerName | "initdb";
  cmd: string;
  args: string[];
  cwd: string;
  logFile: string;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  /** signal the kernel sends when we die (setpriv --pdeathsig) */
  pdeathsig: NodeJS.Signals;
  /** signal sent from the synchronous process "exit" handler */
  exitSignal: NodeJS.Signals;
}

export class Managed {
  readonly child: ChildProcess;
  readonly logFrom: number;
  exited = false;
  exitReason = "";
  readonly done: Promise<void>;

  constructor(readonly spec: SpawnSpec, setpriv: string | undefined) {
    const fd = fs.openSync(spec.logFile, "a");
    try {
      this.logFrom = fs.fstatSync(fd).size;
      fs.writeSync(fd, `\n=== ${new Date().toISOString()} starting ${spec.cmd} ${spec.args.join(" ")}\n`);
      const [file, argv] = setpriv
        ? [setpriv, ["--pdeathsig", spec.pdeathsig, "--", spec.cmd, ...spec.args]]
        : [spec.cmd, spec.args];
      this.child = spawn(file, argv, {
        cwd: spec.cwd,
        uid: spec.uid,
        gid: spec.gid,
        env: spec.env ?? process.env,
        stdio: ["ignore", fd, fd],
        // With pdeathsig the kernel stops the child when we die, so it can live in its own process group:
        // a Ctrl-C in the terminal then reaches only us, and we stop the servers after the services that
        // use them (instead of postgres/redis/nats dying under services that are still draining).
        // Without setpriv, stay in our process group so that Ctrl-C at least stops them.
        detached: setpriv !== undefined,
      });
    } finally {
      fs.closeSync(fd);
    }
    const child = this.child;
    liveChildren.set(child, spec.exitSignal);
    installExitHook();
    this.done = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exited = true;
        this.exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        liveChildren.delete(child);
        resolve();
      });
      child.once("error", (err) => {
        // spawn failure (ENOENT, EACCES...): there will be no "exit" event
        if (child.pid === undefined || child.exitCode !== null) {
          this.exited = true;
          this.exitReason = `failed to start: ${err.message}`;
          liveChildren.delete(child);
          resolve();
        }
      });
    });
  }

  /** Once the server is ready it must not keep the event loop alive by itself (a test that forgets stop() still exits). */
  detach(): void {
    this.child.unref();
  }

  /** Resolves when the process is gone, with how it went. */
  get exitedHow(): Promise<string> {
    return this.done.then(() => this.exitReason);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  tail(lines = 25): string {
    return logTail(this.spec.logFile, this.logFrom, lines);
  }

  /** Graceful signal, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(signal: NodeJS.Signals, graceMs = STOP_GRACE_MS): Promise<boolean> {
    if (this.exited) return true;
    try {
      this.child.kill(signal);
    } catch {
      /* gone */
    }
    let timer: NodeJS.Timeout | undefined;
    // the (ref'ed) timer also keeps the event loop alive while we wait for the unref'ed child
    const timedOut = await Promise.race([
      this.done.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return true;
    try {
      this.child.kill("SIGKILL");
    } catch {
      /* gone */
    }
    await Promise.race([this.done, sleep(3000)]);
    return false;
  }
}

export class StartupError extends Error {}

/**
 * Poll `probe` until it resolves to true. Fails with the child's last log lines if the child exits
 * or `timeoutMs` passes. A probe throwing a StartupError fails immediately.
 */
export async function waitReady(m: Managed, what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastErr = "";
  let delay = 25;
  for (;;) {
    if (m.exited) throw new StartupError(`${what} ${m.exitReason} during startup; last log lines (${m.spec.logFile}):\n${m.tail()}`);
    try {
      if (await probe()) {
        if (m.exited) continue; // answered, but our child died meanwhile: report the exit
        m.detach();
        return;
      }
    } catch (err) {
      if (err instanceof StartupError) throw err;
      lastErr = (err as Error).message ?? String(err);
    }
    if (performance.now() > deadline) {
      throw new StartupError(
        `${what} not ready after ${timeoutMs / 1000}s (last probe error: ${lastErr || "none"}); last log lines (${m.spec.logFile}):\n${m.tail()}`,
      );
    }
    await Promise.race([sleep(delay), m.done]);
    delay = Math.min(delay * 2, 200);
  }
}

// ---------------------------------------------------------------------------------------------
// The three servers
// ---------------------------------------------------------------------------------------------

export interface Ctx {
  dataDir: string;
  logsDir: string;
  ephemeral: boolean;
  /** Postgres with fsync, synchronous_commit and full_page_writes on (InfraOptions.durable). */
  durable: boolean;
  /** Extra Postgres settings (InfraOptions.postgresSettings). */
  postgresSettings: Record<string, string>;
  log: Log;
  setpriv: string | undefined;
}

export interface Started {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Resolves when the server exits (for whatever reason), with how: "killed by SIGKILL". */
  exited: Promise<string>;
}

export const ADDR_IN_USE = /address already in use/i;

/**
 * Start a server on `port` (or on OS-picked ports, retrying with a new one when another process
 * grabbed the picked port between our check and the server's bind).
 */
export async function withPortRetry(port: number | undefined, start: (port: number) => Promise<Started>): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const p = port ?? (await freePorts(1))[0];
    try {
      return await start(p);
    } catch (err) {
      if (port === undefined && attempt < 3 && err instanceof StartupError && ADDR_IN_USE.test(err.message)) continue;
      throw err;
    }
  }
}
