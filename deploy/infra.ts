/**
 * deploy/infra.ts — start the project's own Postgres, Redis and NATS JetStream (one file per server under
 * deploy/infra/); NATS as one server or a JetStream cluster of `natsNodes` (NATS_NODES; docs/nats.md).
 *
 * Used by `npm start` (persistent data under `.data/`, fixed non-standard ports) and by the test harness
 * (throwaway data in a temp dir, free ports picked by the OS). The servers that may already listen on the
 * standard ports (5432 / 6379 / 4222) are never used nor touched: every server is started by us, on 127.0.0.1
 * only, on a port we checked is free, and the readiness probe verifies that the server answering on that port is
 * really the child we spawned (postgres: data_directory, redis: process_id, nats: server_name).
 */
import fsp from "node:fs/promises";
import path from "node:path";
import { stopLeftovers } from "./infra/leftovers.js";
import { clusterPorts, natsServer, type NatsNode, type NatsNodePlacement, type NatsServer } from "./infra/nats.js";
import { ensureSystemPackages } from "./infra/packages.js";
import { startPostgres } from "./infra/postgres.js";
import {
  ADDR_IN_USE,
  HOST,
  StartupError,
  freePorts,
  defaultLog,
  ephemeralDirs,
  ephemeralPaths,
  findBinary,
  pdeathsigWrapper,
  portIsFree,
  secs,
  withPortRetry,
  type Ctx,
  type ServerName,
  type Started,
} from "./infra/process.js";
import { startRedis } from "./infra/redis.js";
import { supervise, type Supervised } from "./supervisor.js";

export { ensureSystemPackages };
export type { NatsNode, NatsNodePlacement };

export interface InfraOptions {
  /** e.g. ".data" for npm start, a mkdtemp dir for tests */
  dataDir: string;
  /** true for tests: fresh data, deleted on stop */
  ephemeral: boolean;
  /**
   * Postgres with fsync, synchronous_commit and full_page_writes on, as a deployment runs it. Default: on for
   * persistent data, off for ephemeral (tests throw the data away). Benchmarks ask for it on throwaway data so
   * their figures include what durability costs.
   */
  durable?: boolean;
  /** Extra Postgres settings (`-c name=value`), e.g. shared_preload_libraries for a benchmark's statistics. */
  postgresSettings?: Record<string, string>;
  /** default: pick free ports (ask the OS: listen on port 0). nats: the first node's client port (see natsNodes). */
  ports?: { postgres?: number; redis?: number; nats?: number; natsCluster?: number };
  /**
   * NATS servers to run (default 1). More than one: a JetStream cluster, node i on client port nats+i-1 and
   * route port natsCluster+i-1 (default nats+40+i-1); natsUrl lists every node.
   */
  natsNodes?: number;
  /** Full control over where each NATS node listens (bench:chaos runs one in a network namespace). */
  natsPlacement?: NatsNodePlacement[];
  /** env var names to mention when a fixed port is taken, e.g. { postgres: "POSTGRES_PORT" } */
  portEnvNames?: { postgres?: string; redis?: string; nats?: string };
  /** progress lines; default console.error */
  log?: (msg: string) => void;
  /** External servers override: when a URL is given, that server is NOT started and the URL is returned as is. */
  databaseUrl?: string;
  redisUrl?: string;
  natsUrl?: string;
  /**
   * npm start: restart a server that exits on its own (deploy/supervisor.ts backoff), on the same port with the
   * same data. Tests leave it off: their fault injection stops servers on purpose.
   */
  supervise?: boolean;
}

export interface Infra {
  /** postgres://USER:PASS@127.0.0.1:PORT/shop (database "shop" created if missing) */
  databaseUrl: string;
  /** redis://127.0.0.1:PORT */
  redisUrl: string;
  /** nats://127.0.0.1:PORT, comma-separated when NATS runs as a cluster (one URL per node) */
  natsUrl: string;
  /** the NATS servers started here (empty when natsUrl was given), to stop/kill/restart one node */
  natsNodes: NatsNode[];
  /** stops what this call started (fast, idempotent); for ephemeral, removes data */
  stop(): Promise<void>;
  /** fault injection for tests: stop only NATS (every node) */
  stopNats(): Promise<void>;
  /** restart NATS (every node) on the same ports with the same JetStream store dirs */
  startNats(): Promise<void>;
  /** The servers being restarted when they exit (supervise: true), with their restart counts. */
  supervised: Supervised[];
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
      natsNodes: [],
      stop: noop,
      supervised: [],
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
    const ctx: Ctx = {
      dataDir, logsDir, ephemeral, durable: opts.durable ?? !ephemeral, postgresSettings: opts.postgresSettings ?? {}, log,
      setpriv: await pdeathsigWrapper(),
    };

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
    const natsCount = opts.natsPlacement?.length ?? opts.natsNodes ?? 1;
    if (!Number.isInteger(natsCount) || natsCount < 1) throw new Error(`natsNodes must be a whole number >= 1, got ${natsCount}`);
    const fixedNats = fixed.nats === undefined ? undefined : clusterPorts(fixed.nats, natsCount, fixed.natsCluster);
    const fixedPorts = [
      ...(["postgres", "redis"] as const).map((name) => ({ name, port: fixed[name] })),
      ...(opts.natsPlacement ? [] : [...(fixedNats?.client ?? []), ...(natsCount > 1 ? fixedNats?.cluster ?? [] : [])])
        .map((port) => ({ name: "nats" as const, port })),
    ];
    for (const { name, port } of fixedPorts) {
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
        ? startNatsServers(ctx, natsBin, natsCount, fixedNats, opts.natsPlacement).then((srv) => {
            nats = srv;
            return { url: srv.url, port: srv.nodes[0].clientPort, stop: () => srv.stop(), exited: srv.nodes[0].exited() };
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

    // A restart uses the same port and data; processes left by the dead server (postgres backends) go first.
    const supervised: Supervised[] = [];
    const watch = (name: ServerName, first: Started | undefined, again: (port: number) => Promise<Started>) => {
      if (!first || !opts.supervise) return;
      supervised.push(supervise(name, first, async () => {
        await stopLeftovers({ [name]: path.join(dataDir, name) }, log);
        return again(first.port);
      }, log));
    };
    watch("postgres", pgS, (p) => startPostgres(ctx, p));
    watch("redis", redisS, (p) => startRedis(ctx, redisBin, p));
    // Each NATS node on its own ("nats#2"): the others keep the cluster serving while one restarts. A dead
    // nats-server leaves nothing behind, and its siblings share its working directory: no leftover sweep.
    if (nats && opts.supervise) {
      for (const node of nats.nodes) {
        const incarnation = () => ({ exited: node.exited(), stop: () => node.stop() });
        const name = nats.nodes.length > 1 ? `nats#${node.index}` : "nats";
        supervised.push(supervise(name, incarnation(), async () => {
          await node.start();
          return incarnation();
        }, log));
      }
    }

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
      natsNodes: nats?.nodes ?? [],
      supervised,
      stop() {
        stopping ??= (async () => {
          const ts = performance.now();
          await natsOp;
          if (supervised.length) await Promise.all(supervised.map((s) => s.stop()));
          else await Promise.all([pgS?.stop(), redisS?.stop(), natsS?.stop()]);
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

/**
 * Starts the NATS server(s): where `placement` says, on the fixed ports, or on free ports picked by the OS
 * (picked again when another process grabbed one before a server bound it).
 */
async function startNatsServers(
  ctx: Ctx, bin: string, count: number, fixed: { client: number[]; cluster: number[] } | undefined, placement?: NatsNodePlacement[],
): Promise<NatsServer> {
  for (let attempt = 1; ; attempt++) {
    let ports = fixed;
    if (!placement && !ports) {
      const free = await freePorts(2 * count);
      ports = { client: free.slice(0, count), cluster: free.slice(count) };
    }
    const srv = natsServer(ctx, bin, placement ?? ports!.client.map((clientPort, i) => ({ host: HOST, clientPort, clusterPort: ports!.cluster[i] })));
    try {
      await srv.start();
      return srv;
    } catch (err) {
      if (!placement && !fixed && attempt < 3 && err instanceof StartupError && ADDR_IN_USE.test(err.message)) continue;
      throw err;
    }
  }
}
