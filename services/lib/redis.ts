// The Redis client of the processes that use Redis as a help, never a dependency (the gateway's rate limits,
// Search's result cache): a call while disconnected fails at once instead of queueing, the client reconnects in the
// background, and every call carries a deadline of its caller's.
import { createClient, type RedisClientType } from "redis";

/** A client for `url`, not yet connected; the caller listens for "error" (each reconnect attempt emits one). */
export function guardRedisClient(url: string): RedisClientType {
  return createClient({
    url,
    disableOfflineQueue: true,
    // The client's default per-command timeout would cost each command an AbortSignal.timeout, whose timer fires
    // (and builds an exception) seconds after the answer; the callers' deadlines make it redundant.
    commandOptions: { timeout: 0 },
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  }) as RedisClientType;
}
