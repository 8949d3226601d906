// Rate limits at the gateway, kept in Redis so every gateway replica counts together: requests per client
// address and per signed-in user, failed sign-ins per (email, address) and per address, registrations per
// address. A sliding-window counter (two fixed windows, the previous one weighted by how much of it still
// overlaps) in one Lua script: one round trip, no race between reading and counting.
// Redis is a guard, not a dependency: when it is down or slow the request is allowed and the outage logged.
import { createHash } from "node:crypto";
import { createContextKey, type Interceptor } from "@connectrpc/connect";
import type { RedisClientType } from "redis";
import { authenticate, principalKey, type Principal, type TokenVerifier } from "../../services/lib/auth.js";
import { intFrom } from "../../services/lib/config.js";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { resourceExhausted, type ConnectError, type ErrorReason } from "../../services/lib/errors.js";
import { guardRedisClient } from "../../services/lib/redis.js";
import type { Logger } from "../../services/lib/log.js";
import { rateLimitRefusals } from "./metrics.js";

export interface RateLimitSettings {
  /** Length of the request-rate window. */
  windowMs: number;
  /** Requests per window from one client address (all users behind it). */
  perAddress: number;
  /** Requests per window from one signed-in user (any address). */
  perUser: number;
  loginFailureWindowMs: number;
  /** Failed sign-ins per window for one email from one address; then even the right password waits. */
  loginFailuresPerEmailAddress: number;
  /** Failed sign-ins per window from one address, whatever the email (password spraying). */
  loginFailuresPerAddress: number;
  registrationWindowMs: number;
  /** New accounts per window from one address. */
  registrationsPerAddress: number;
}

/** Settings from the environment (documented in README "Configuration"). */
export function rateLimitSettings(env: Record<string, string | undefined>): RateLimitSettings {
  return {
    windowMs: intFrom(env, "RATE_LIMIT_WINDOW_SECONDS", 60) * 1000,
    perAddress: intFrom(env, "RATE_LIMIT_PER_ADDRESS", 1200),
    perUser: intFrom(env, "RATE_LIMIT_PER_USER", 600),
    loginFailureWindowMs: intFrom(env, "LOGIN_FAILURE_WINDOW_SECONDS", 900) * 1000,
    loginFailuresPerEmailAddress: intFrom(env, "LOGIN_FAILURES_PER_EMAIL", 5),
    loginFailuresPerAddress: intFrom(env, "LOGIN_FAILURES_PER_ADDRESS", 50),
    registrationWindowMs: intFrom(env, "REGISTRATION_WINDOW_SECONDS", 3600) * 1000,
    registrationsPerAddress: intFrom(env, "REGISTRATIONS_PER_ADDRESS", 30),
  };
}

// KEYS: each limit's current and previous window; ARGV: window position in [0,1), window ms, cost, then each
// limit. Counts the cost under every limit only when all of them allow one more; else returns the 1-based index of
// the first that refuses. Refused attempts are not counted, so a client that backs off gets through again as the
// window slides.
const SLIDING_WINDOW = `
local position = tonumber(ARGV[1])
local limits = #KEYS / 2
for i = 1, limits do
  local cur = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  if prev * (1 - position) + cur + 1 > tonumber(ARGV[3 + i]) then return i end
end
local cost = tonumber(ARGV[3])
if cost > 0 then
  for i = 1, limits do
    redis.call('INCRBY', KEYS[2 * i - 1], cost)
    redis.call('PEXPIRE', KEYS[2 * i - 1], tonumber(ARGV[2]) * 2)
  end
end
return 0`;

/** One limit: at most `limit` events under `key` per sliding window (0 or less: no limit). */
export interface Limit {
  key: string;
  limit: number;
}

export interface Verdict {
  allowed: boolean;
  /** When refused: seconds until the current window ends (an upper bound on the wait). */
  retryAfterSeconds: number;
  /** When refused: the key whose limit ran out. */
  refusedKey?: string;
}

const ALLOW: Verdict = { allowed: true, retryAfterSeconds: 0 };
const REDIS_TIMEOUT_MS = 250;

export class RateLimiter {
  private lastWarn = 0;
  private scriptSha?: string;

  constructor(private readonly redis: RedisClientType | undefined, private readonly log: Logger) {}

  /** Counts one event under `key` if fewer than `limit` happened in the sliding window; else refuses. */
  hit(key: string, limit: number, windowMs: number): Promise<Verdict> {
    return this.run([{ key, limit }], windowMs, 1);
  }

  /** Counts one event under every key if each is under its limit (one Redis call); else counts none and refuses. */
  hitEach(limits: Limit[], windowMs: number): Promise<Verdict> {
    return this.run(limits, windowMs, 1);
  }

  /** Would one more event under `key` be allowed? Counts nothing. */
  check(key: string, limit: number, windowMs: number): Promise<Verdict> {
    return this.run([{ key, limit }], windowMs, 0);
  }

  /** Counts one event under `key` whatever the count (a failed sign-in is recorded even past the limit). */
  async record(key: string, windowMs: number): Promise<void> {
    await this.run([{ key, limit: Number.MAX_SAFE_INTEGER }], windowMs, 1);
  }

  /** Forgets a key's current window (a successful sign-in clears its failures). */
  async reset(key: string, windowMs: number): Promise<void> {
    const [cur, prev] = windowKeys(key, windowMs, Date.now());
    await this.guard(() => this.redis!.del([cur, prev]), undefined);
  }

  private async run(all: Limit[], windowMs: number, cost: number): Promise<Verdict> {
    const limits = all.filter((l) => l.limit > 0); // a limit of 0 turns that limit off
    if (limits.length === 0) return ALLOW;
    const now = Date.now();
    const keys = limits.flatMap((l) => windowKeys(l.key, windowMs, now));
    const args = [String((now % windowMs) / windowMs), String(windowMs), String(cost), ...limits.map((l) => String(l.limit))];
    const refused = await this.guard(() => this.evalScript(keys, args), 0);
    if (!refused) return ALLOW;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowMs - (now % windowMs)) / 1000)), refusedKey: limits[refused - 1].key };
  }

  private async evalScript(keys: string[], args: string[]): Promise<number> {
    const redis = this.redis!;
    if (this.scriptSha) {
      try {
        return (await redis.evalSha(this.scriptSha, { keys, arguments: args })) as number;
      } catch (err) {
        if (!String((err as Error).message).includes("NOSCRIPT")) throw err;
      }
    }
    this.scriptSha = await redis.scriptLoad(SLIDING_WINDOW);
    return (await redis.evalSha(this.scriptSha, { keys, arguments: args })) as number;
  }

  /** Runs a Redis call with a short deadline; any failure is logged (at most every 10 s) and yields `fallback`. */
  private async guard<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.redis?.isReady) {
      this.warn(new Error("redis not connected"));
      return fallback;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("redis timed out")), REDIS_TIMEOUT_MS); }),
      ]);
    } catch (err) {
      this.warn(err as Error);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  private warn(err: Error): void {
    if (Date.now() - this.lastWarn < 10_000) return;
    this.lastWarn = Date.now();
    this.log.warn({ err: err.message }, "rate limits not enforced: redis unavailable");
  }
}

function windowKeys(key: string, windowMs: number, now: number): [string, string] {
  const idx = Math.floor(now / windowMs);
  return [`rl:${key}:${idx}`, `rl:${key}:${idx - 1}`];
}

/** Emails are hashed before they become Redis keys: the limiter needs identity, not the address itself. */
export function emailKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url").slice(0, 22);
}

/** ResourceExhausted for a limit that ran out: `reason` says which (RATE_LIMITED, SIGN_IN_LIMITED...). */
export function tooMany(reason: ErrorReason, what: string, v: Verdict): ConnectError {
  rateLimitRefusals.inc();
  const wait = v.retryAfterSeconds >= 120 ? `${Math.ceil(v.retryAfterSeconds / 60)} minutes` : `${v.retryAfterSeconds} seconds`;
  const err = resourceExhausted(reason, `${what}; try again in ${wait}`);
  // RetryInfo: when to try again, for clients that back off by themselves.
  err.details.push({ desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(v.retryAfterSeconds) } } });
  return err;
}

/** The client's address for this request (set from the HTTP connection by the gateway). */
export const clientAddressKey = createContextKey<string>("unknown", { description: "client address" });

/**
 * The request limits, counted in one Redis call: the caller's address, and its user when its token is valid. The
 * token is checked first so that one script can count both; a request whose token is refused is still counted
 * against its address before the refusal, so a flood of bad tokens is limited too. Sets the caller for the rest of
 * the chain, as authInterceptor does.
 */
export function requestLimits(limiter: RateLimiter, s: RateLimitSettings, verifier: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    let caller: Principal | undefined;
    let refusal: unknown;
    try {
      caller = await authenticate(req, verifier);
    } catch (err) {
      refusal = err;
    }
    const address = `addr:${req.contextValues.get(clientAddressKey)}`;
    const limits = [{ key: address, limit: s.perAddress }];
    if (caller) limits.push({ key: `user:${caller.subject}`, limit: s.perUser });
    const v = await limiter.hitEach(limits, s.windowMs);
    if (!v.allowed) throw tooMany("RATE_LIMITED", v.refusedKey === address ? "too many requests from your network" : "too many requests", v);
    if (refusal) throw refusal;
    if (caller) req.contextValues.set(principalKey, caller);
    return next(req);
  };
}

/**
 * A Redis client that never queues commands while disconnected and reconnects in the background. Resolves
 * once connected, or after `waitMs` without it: the gateway starts either way, with limits relaxed until Redis
 * is reachable.
 */
export async function connectRateLimitRedis(url: string, log: Logger, waitMs = 2000): Promise<RedisClientType> {
  const client = guardRedisClient(url);
  let lastWarn = 0;
  client.on("error", (err: Error) => {
    if (Date.now() - lastWarn > 10_000) {
      lastWarn = Date.now();
      log.warn({ err: err.message }, "redis connection error (rate limits relaxed until it is back)");
    }
  });
  const connected = client.connect().then(() => true, () => false); // failures are reported by the error handler
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([connected, new Promise<boolean>((r) => { timer = setTimeout(() => r(false), waitMs); })]);
  clearTimeout(timer);
  if (!ready) log.warn({ url }, "redis not reachable at start-up: rate limits are relaxed until it is");
  return client;
}
