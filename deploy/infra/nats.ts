import fsp from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import { connect as natsConnect } from "nats";
import { HOST, Managed, StartupError, rotateLog, secs, tcpConnectable, waitReady, type Ctx } from "./process.js";

export interface NatsServer {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the server last started exits, with how. */
  exited(): Promise<string>;
}

export function natsServer(ctx: Ctx, bin: string, port: number): NatsServer {
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
    exited() {
      return current ? current.exitedHow : Promise.resolve("never started");
    },
  };
}
