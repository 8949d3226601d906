// NATS JetStream: connection, the streams of the event catalog (events.ts), event headers. Consumers: consumers.ts.
// Payloads are protobuf binary of messages in proto/; the Nats-Msg-Id header is the event id.
import { StorageType, connect, headers as natsHeaders, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";
import { STREAMS } from "./events.js";

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * Connects and keeps reconnecting forever: a NATS outage must delay events (they wait in outboxes),
 * never crash a service.
 */
export async function connectNats(url: string, name: string): Promise<Nats> {
  const nc = await connect({
    servers: url,
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5000,
  });
  const jsm = await nc.jetstreamManager({ timeout: 5000 });
  return { nc, js: nc.jetstream({ timeout: 5000 }), jsm };
}

/** Creates the mesh's streams if missing (idempotent; safe from every process at start-up). */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const s of STREAMS) {
    try {
      await jsm.streams.info(s.name);
    } catch {
      await jsm.streams.add({ name: s.name, subjects: [...s.subjects], storage: StorageType.File, duplicate_window: 120e9 });
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
