import fsp from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { HOST, Managed, StartupError, rotateLog, secs, waitReady, type Ctx, type Started } from "./process.js";

/** One RESP request over a raw socket (no client library needed for a readiness probe). */
export function redisCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
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

export async function startRedis(ctx: Ctx, bin: string, port: number): Promise<Started> {
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
  return { url: `redis://${HOST}:${port}`, port, stop, exited: m.exitedHow };
}
