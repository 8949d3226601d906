// Admission control (docs/performance.md "Admission control"): each service process, and the gateway for each
// service it calls, lets a bounded number of unary calls run at once and refuses the next one at once with
// ResourceExhausted and a retry hint (`retry-after-ms`), instead of queueing it toward its deadline. Past a share
// of the limit only revenue calls (SubmitOrder and the calls it makes) are admitted, so under load an order being
// paid for goes ahead of a new checkout. The gates also count the calls they admit and refuse, per procedure:
// what benchmarks divide by orders to count mesh calls per order.
import fs from "node:fs";
import path from "node:path";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { intFrom } from "./config.js";

/** The response header or trailer a refusal carries: milliseconds the caller should wait before trying again. */
export const RETRY_AFTER_HEADER = "retry-after-ms";

/**
 * Calls admitted into the reserved share: the order being placed (its payment may already be taken) and the
 * inventory commit it makes. A refused BeginCheckout costs a retry; a refused SubmitOrder may cost the sale.
 */
export const PRIORITY_PROCEDURES: ReadonlySet<string> = new Set([
  "/shop.order.v1.OrderService/SubmitOrder",
  "/shop.inventory.v1.InventoryService/Commit",
]);

/** Never limited nor counted: probes must answer however loaded the process is. */
const UNLIMITED_SERVICES = new Set(["grpc.health.v1.Health"]);

export interface AdmissionSettings {
  /** Unary calls in flight at once; 0 turns the limit off (calls are still counted). */
  maxInFlight: number;
  /** Percent of maxInFlight that only PRIORITY_PROCEDURES may use. */
  reservedPercent: number;
  /** The retry hint a refusal carries. */
  retryAfterMs: number;
}

/**
 * The settings from the environment: `<prefix>MAX_IN_FLIGHT` (a service process: MAX_IN_FLIGHT; the gateway, per
 * service it calls: GATEWAY_MAX_IN_FLIGHT; both 1000 by default), MAX_IN_FLIGHT_RESERVED_PERCENT (20),
 * ADMISSION_RETRY_AFTER_MS (200). The defaults leave a flash sale's 500 buyers at once unrefused; a deployment
 * sets the limit near its throughput times the wait it accepts (40 orders/s and 1 s: about 40), so that
 * overload is refused instead of waiting seconds.
 */
export function admissionSettings(env: Record<string, string | undefined>, prefix: "" | "GATEWAY_", fallbackMax: number): AdmissionSettings {
  const s = {
    maxInFlight: intFrom(env, `${prefix}MAX_IN_FLIGHT`, fallbackMax),
    reservedPercent: intFrom(env, "MAX_IN_FLIGHT_RESERVED_PERCENT", 20),
    retryAfterMs: intFrom(env, "ADMISSION_RETRY_AFTER_MS", 200),
  };
  if (s.maxInFlight < 0) throw new Error(`${prefix}MAX_IN_FLIGHT must be >= 0 (0: no limit), got ${s.maxInFlight}`);
  if (s.reservedPercent < 0 || s.reservedPercent > 100) throw new Error(`MAX_IN_FLIGHT_RESERVED_PERCENT must be 0-100, got ${s.reservedPercent}`);
  if (s.retryAfterMs < 0) throw new Error(`ADMISSION_RETRY_AFTER_MS must be >= 0, got ${s.retryAfterMs}`);
  return s;
}

/** Calls in flight against one limit, and the calls admitted and refused so far by procedure. */
export class AdmissionGate {
  private inFlight = 0;
  private readonly ordinaryCap: number;
  readonly admitted = new Map<string, number>();
  readonly refused = new Map<string, number>();

  constructor(readonly settings: AdmissionSettings) {
    this.ordinaryCap = Math.floor((settings.maxInFlight * (100 - settings.reservedPercent)) / 100);
  }

  get running(): number {
    return this.inFlight;
  }

  /** Takes a slot for `procedure` and returns true, or counts a refusal and returns false. Give the slot back with leave(). */
  enter(procedure: string): boolean {
    const max = this.settings.maxInFlight;
    if (max > 0 && this.inFlight >= (PRIORITY_PROCEDURES.has(procedure) ? max : this.ordinaryCap)) {
      this.refused.set(procedure, (this.refused.get(procedure) ?? 0) + 1);
      return false;
    }
    this.inFlight++;
    this.admitted.set(procedure, (this.admitted.get(procedure) ?? 0) + 1);
    return true;
  }

  leave(): void {
    this.inFlight--;
  }

  refusal(what: string): ConnectError {
    return new ConnectError(`${what} is at capacity; retry in ${this.settings.retryAfterMs} ms`, Code.ResourceExhausted,
      { [RETRY_AFTER_HEADER]: String(this.settings.retryAfterMs) });
  }
}

/**
 * Admits each unary call through the gate `gateFor` picks for its procedure (undefined: not limited), refusing
 * at once past the limit. Streams (order tracking stays open for minutes) and health checks are not limited.
 */
export function admissionInterceptor(gateFor: (procedure: string) => { gate: AdmissionGate; what: string } | undefined): Interceptor {
  return (next) => async (req) => {
    if (req.stream || UNLIMITED_SERVICES.has(req.service.typeName)) return next(req);
    const procedure = `/${req.service.typeName}/${req.method.name}`;
    const picked = gateFor(procedure);
    if (!picked) return next(req);
    if (!picked.gate.enter(procedure)) throw picked.gate.refusal(picked.what);
    try {
      return await next(req);
    } finally {
      picked.gate.leave();
    }
  };
}

/**
 * With RPC_COUNTS_DIR set, SIGUSR2 makes the process write its gates' counts to `<dir>/<name>-<pid>.json`
 * ({ admitted, refused } by procedure, summed over its gates): how benchmarks count the calls an order makes
 * without a metrics system.
 */
export function writeCountsOnSignal(name: string, env: Record<string, string | undefined>, gates: () => AdmissionGate[]): void {
  const dir = env.RPC_COUNTS_DIR;
  if (!dir) return;
  process.on("SIGUSR2", () => {
    const sum = (which: "admitted" | "refused") => {
      const out: Record<string, number> = {};
      for (const g of gates()) for (const [p, n] of g[which]) out[p] = (out[p] ?? 0) + n;
      return out;
    };
    const file = path.join(dir, `${name}-${process.pid}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ name, pid: process.pid, admitted: sum("admitted"), refused: sum("refused") }));
    fs.renameSync(`${file}.tmp`, file);
  });
}
