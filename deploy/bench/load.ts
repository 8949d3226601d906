// The load generator's loops and what they measure, for the benchmark commands: a closed loop (capacity), an
// open loop (latency at a set rate, counted from the scheduled send time so queueing shows), stalls per
// half-second window, and a description of the machine a figure was measured on.
import os from "node:os";
import { cpuPerRequest, cpuReading } from "./stack.js";

export interface Sample {
  kind: string;
  ms: number;
  ok: boolean;
  /** Open loop: when it was due, ms after the phase began. */
  at?: number;
}

/** Half-second windows of an open loop whose slowest request took over 100 ms: stalls, not steady queueing. */
export function stalls(samples: Sample[]) {
  const worst = new Map<number, number>();
  for (const s of samples) {
    if (s.at === undefined) return undefined;
    const w = Math.floor(s.at / 500);
    worst.set(w, Math.max(worst.get(w) ?? 0, s.ms));
  }
  const slow = [...worst.values()].filter((ms) => ms > 100);
  return { windows: worst.size, over_100ms: slow.length, worst_ms: Math.round(Math.max(0, ...worst.values())) };
}

export interface Run {
  samples: Sample[];
  wall: number;
  /** CPU ms per request of each process group over the run. */
  cpu: Record<string, number>;
}

/**
 * A reference for comparing runs on a shared machine: milliseconds to read two typed arrays of a million
 * items (what a full scan of the index columns costs). Best of five.
 */
function machineSpeed(): number {
  const n = 1_000_000;
  const keys = new Float64Array(2 * n).map(() => Math.random());
  const flags = new Uint32Array(n).fill(1);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    let top = -1;
    for (let o = 0; o < n; o++) if ((flags[o] & 1) !== 0 && keys[2 * o + 1] > top) top = keys[2 * o + 1];
    best = Math.min(best, performance.now() - t);
    if (top < 0) best = -1;
  }
  return Math.round(best * 100) / 100;
}

/** 70% of the capacity a closed loop measured: where latency says something (at capacity it only queues). */
export function sustainableRate(run: Run): number {
  return Math.max(1, Math.round((0.7 * run.samples.length) / run.wall));
}

/** Closed loop: `workers` callers, each sending its next request as soon as the last answered. */
export async function closedLoop<R extends { kind: string }>(run: (r: R) => Promise<unknown>, pool: R[], workers: number, durationS: number, cursor: { i: number }, errors: Set<string>): Promise<Run> {
  const samples: Sample[] = [];
  const end = performance.now() + durationS * 1000;
  const t0 = performance.now();
  const cpu0 = cpuReading();
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < end && cursor.i < pool.length) {
      const req = pool[cursor.i++];
      const s = performance.now();
      try {
        await run(req);
        samples.push({ kind: req.kind, ms: performance.now() - s, ok: true });
      } catch (err) {
        samples.push({ kind: req.kind, ms: performance.now() - s, ok: false });
        if (errors.size < 5) errors.add(String((err as Error).message).slice(0, 200));
      }
    }
  }));
  return { samples, wall: (performance.now() - t0) / 1000, cpu: cpuPerRequest(cpu0, cpuReading(), samples.length) };
}

/** Open loop: requests scheduled at `qps`, at most `maxInFlight` at once; latency counts from the schedule. */
export async function openLoop<R extends { kind: string }>(run: (r: R) => Promise<unknown>, pool: R[], qps: number, maxInFlight: number, durationS: number, cursor: { i: number }, errors: Set<string>): Promise<Run> {
  const samples: Sample[] = [];
  const total = Math.min(Math.round(qps * durationS), pool.length - cursor.i);
  const interval = 1000 / qps;
  const t0 = performance.now();
  const cpu0 = cpuReading();
  const inFlight = new Set<Promise<void>>();
  for (let n = 0; n < total; n++) {
    const due = t0 + n * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const req = pool[cursor.i++];
    const p = (async () => {
      try {
        await run(req);
        samples.push({ kind: req.kind, ms: performance.now() - due, ok: true, at: due - t0 });
      } catch (err) {
        samples.push({ kind: req.kind, ms: performance.now() - due, ok: false, at: due - t0 });
        if (errors.size < 5) errors.add(String((err as Error).message).slice(0, 200));
      }
    })().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return { samples, wall: (performance.now() - t0) / 1000, cpu: cpuPerRequest(cpu0, cpuReading(), samples.length) };
}

/** The machine a figure was measured on, with its load and a speed reference. */
export function machine() {
  return {
    cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version,
    load_average_1m: Math.round(os.loadavg()[0] * 100) / 100, scan_1m_items_ms: machineSpeed(),
  };
}
