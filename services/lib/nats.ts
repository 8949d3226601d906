// NATS JetStream: connection, the streams of the event catalog (events.ts), event headers. Consumers: consumers.ts.
// Payloads are protobuf binary of messages in proto/; the Nats-Msg-Id header is the event id.
import {
  StorageType, connect, headers as natsHeaders,
  type JetStreamClient, type JetStreamManager, type NatsConnection, type StreamConfig,
} from "nats";
import { bytesFrom, durationFrom, intFrom } from "./config.js";
import { STREAMS } from "./events.js";
import type { Logger } from "./log.js";

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** NATS_URL: one server URL, or several comma-separated (the nodes of a cluster). */
export function natsServers(url: string): string[] {
  return url.split(",").map((u) => u.trim()).filter(Boolean);
}

/**
 * Connects to any of the servers and keeps reconnecting forever, to whichever node answers, with jitter so
 * that a mesh of processes does not reconnect in lockstep: a NATS outage (or a lost node) must delay events
 * (they wait in outboxes), never crash a service.
 */
export async function connectNats(url: string, name: string): Promise<Nats> {
  const nc = await connect({
    servers: natsServers(url),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    pingInterval: 5000,
    // a partitioned node accepts no TCP: give up on it quickly and try the next one
    timeout: 5000,
    // Without it every request (each JetStream publish) captures three stacks to decorate errors that rarely
    // come: 2-2.5% of Inventory's and Assignment's busy time in a profile. A timeout still says what timed out.
    noAsyncTraces: true,
  });
  const jsm = await natsRetry("JetStream", () => nc.jetstreamManager({ timeout: 5000 }));
  return { nc, js: nc.jetstream({ timeout: 5000 }), jsm };
}

/**
 * Retries a JetStream API call made while starting (streams, consumers) for up to `withinMs`: in a cluster it
 * fails for a few seconds while a node is lost and leaders are elected again, or while the node this process
 * reached is cut off and the client moves to another. A process that started then must not crash for it.
 */
export async function natsRetry<T>(what: string, call: () => Promise<T>, log?: Logger, withinMs = 60_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      log?.warn({ err: (err as Error).message, retryInMs: delay }, `${what}: JetStream not answering; retrying`);
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)));
    }
  }
}

/** How the mesh's streams are kept: replicas and retention limits (EVENTS_* settings; docs/nats.md). */
export interface StreamSettings {
  /** Replicas; undefined: min(3, servers in the cluster), asked from the server. */
  replicas?: number;
  /** Messages older than this are dropped (consumers are expected to keep up far within it). */
  maxAgeMs: number;
  /** Per stream: the oldest messages are dropped beyond it. */
  maxBytes: number;
}

export const STREAM_DEFAULTS = { maxAge: "7d", maxBytes: "1GiB" };

export function streamSettings(env: Record<string, string | undefined>): StreamSettings {
  const replicas = env.EVENTS_REPLICAS ? intFrom(env, "EVENTS_REPLICAS", 1) : undefined;
  if (replicas !== undefined && (replicas < 1 || replicas > 5)) throw new Error(`EVENTS_REPLICAS must be 1 to 5, got ${replicas}`);
  return {
    replicas,
    maxAgeMs: durationFrom(env, "EVENTS_MAX_AGE", STREAM_DEFAULTS.maxAge),
    maxBytes: bytesFrom(env, "EVENTS_MAX_BYTES", STREAM_DEFAULTS.maxBytes),
  };
}

/**
 * Servers in the cluster, as the server we are connected to announces them (its INFO lists every node's
 * client URL, itself included; a lone server lists none).
 */
export function clusterServers(nc: NatsConnection): number {
  return Math.max(1, new Set(nc.info?.connect_urls ?? []).size);
}

/**
 * Creates the mesh's streams if missing, and brings existing ones to the settings (replicas, max_age,
 * max_bytes): idempotent, safe from every process at start-up. Replicas: as configured, else min(3, servers),
 * never fewer than a stream already has (a node that is down while a service starts must not shrink streams).
 * When the cluster cannot place that many (nodes down), the stream gets as many as it can and a later start
 * raises them again.
 */
export async function ensureStreams(
  nats: { nc: NatsConnection; jsm: JetStreamManager }, settings: StreamSettings = streamSettings({}), log?: Logger,
): Promise<void> {
  for (const s of STREAMS) await natsRetry(`stream ${s.name}`, () => ensureStream(nats.jsm, s, settings, nats.nc, log), log);
}

async function ensureStream(
  jsm: JetStreamManager, s: (typeof STREAMS)[number], settings: StreamSettings, nc: NatsConnection, log?: Logger,
): Promise<void> {
  let info = await jsm.streams.info(s.name).catch(() => undefined);
  const wanted = settings.replicas ?? Math.max(Math.min(3, clusterServers(nc)), info?.config.num_replicas ?? 1);
  const config = (replicas: number): Partial<StreamConfig> & { name: string } => ({
    name: s.name, subjects: [...s.subjects], storage: StorageType.File, duplicate_window: 120e9,
    num_replicas: replicas, max_age: settings.maxAgeMs * 1e6, max_bytes: settings.maxBytes,
  });
  for (let replicas = wanted; ; replicas--) {
    try {
      if (!info) {
        try {
          await jsm.streams.add(config(replicas));
          break;
        } catch (err) {
          // another process created it meanwhile: update that one instead
          info = await jsm.streams.info(s.name).catch(() => { throw err; });
        }
      }
      const c = info.config;
      if (c.num_replicas === replicas && c.max_age === settings.maxAgeMs * 1e6 && c.max_bytes === settings.maxBytes) break;
      info = await jsm.streams.update(s.name, { ...c, ...config(replicas) });
      log?.info({ stream: s.name, replicas, maxAgeMs: settings.maxAgeMs, maxBytes: settings.maxBytes }, "stream settings updated");
      break;
    } catch (err) {
      if (replicas <= 1 || !/insufficient resources|no suitable peers/i.test((err as Error).message)) throw err;
      log?.warn({ err, stream: s.name, replicas }, "the cluster cannot place this many stream replicas now; trying fewer");
    }
  }
}

/** Round trip to the server: a real health check, failing while disconnected. */
export async function pingNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) throw new Error("NATS connection closed");
  await withTimeout(nc.flush(), 1500, "NATS ping");
}

export function eventHeaders(eventId: string, traceparent?: string) {
  const h = natsHeaders();
  h.set("Nats-Msg-Id", eventId);
  if (traceparent) h.set("traceparent", traceparent);
  return h;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}
