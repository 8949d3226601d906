// Group commit for reservations. Concurrent Reserve calls wait here while earlier ones are in flight and
// are then decided together in ONE transaction (store/reservations.ts reserveBatch). On a hot item every
// transaction waits for the previous one's row lock and commit; deciding a whole queue per lock and per
// commit is what lets hundreds of buyers of one item reserve thousands of times a second.
//
// Correctness does not depend on this queue: a batch locks its items in item order and decides requests one
// by one exactly as lone transactions would (pure planReservations), and batches from several processes
// serialize on the same row locks.
import type { DataSource } from "typeorm";
import { PG, pgCode } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { ReserveInput } from "./domain/stock.js";
import type { InventorySettings } from "./settings.js";
import { reserveBatchSize } from "./metrics.js";
import { reclaimExpired, reserveBatch, type ReserveOutcome } from "./store/reservations.js";

interface Pending {
  input: ReserveInput;
  /** Already decided once and re-queued after reclaiming expired holds: the next answer is final. */
  retried: boolean;
  resolve: (o: ReserveOutcome) => void;
  reject: (err: unknown) => void;
}

export class ReserveQueue {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly ds: DataSource, private readonly settings: InventorySettings, private readonly log: Logger) {}

  /**
   * All lines or none. When lines are short, expired holds on those items are reclaimed first (even if the
   * sweeper has not run) and the request is decided once more if that freed enough.
   */
  reserve(input: ReserveInput): Promise<ReserveOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, retried: false, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.settings.reserveBatchConcurrency && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** Up to reserveBatchMax requests, and at most ~2,000 lines, so one transaction stays short. */
  private takeBatch(): Pending[] {
    let n = 0;
    let lines = 0;
    while (n < this.queue.length && n < this.settings.reserveBatchMax && (n === 0 || lines + this.queue[n].input.lines.length <= 2000)) {
      lines += this.queue[n].input.lines.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async run(batch: Pending[]): Promise<void> {
    reserveBatchSize.observe(batch.length);
    const outcomes = await this.decide(batch.map((p) => p.input));
    const toReclaim: Pending[] = [];
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o instanceof Error) p.reject(o);
      else if (o.kind === "short" && !p.retried) toReclaim.push(p);
      else p.resolve(o);
    });
    if (toReclaim.length === 0) return;

    const shortOf = new Map(toReclaim.map((p) => [p, (outcomes[batch.indexOf(p)] as Extract<ReserveOutcome, { kind: "short" }>).shortages]));
    let now: Map<string, number>;
    try {
      const items = [...new Set([...shortOf.values()].flatMap((s) => s.map((x) => x.itemId)))];
      now = await reclaimExpired(this.ds, items, this.settings.lowStockThreshold);
    } catch (err) {
      // Reclaiming is an improvement, not a requirement: answer with the shortages already known.
      this.log.warn({ err }, "reclaiming expired reservations failed");
      for (const p of toReclaim) p.resolve({ kind: "short", shortages: shortOf.get(p)! });
      return;
    }
    const again: Pending[] = [];
    for (const p of toReclaim) {
      const shortages = shortOf.get(p)!;
      if (shortages.every((s) => (now.get(s.itemId) ?? 0) >= s.requested)) {
        p.retried = true;
        again.push(p);
      } else {
        p.resolve({ kind: "short", shortages: shortages.map((s) => ({ ...s, available: now.get(s.itemId) ?? 0 })) });
      }
    }
    // Ahead of newcomers: they were here first.
    this.queue.unshift(...again);
  }

  /** Outcome per input; an input whose transaction failed gets its Error. */
  private async decide(inputs: ReserveInput[]): Promise<(ReserveOutcome | Error)[]> {
    try {
      return await reserveBatch(this.ds, inputs, this.settings.lowStockThreshold);
    } catch (err) {
      if (pgCode(err) === PG.uniqueViolation) {
        // Another process stored one of these checkouts meanwhile; decided again, the batch sees it as a retry.
        try {
          return await reserveBatch(this.ds, inputs, this.settings.lowStockThreshold);
        } catch (again) {
          err = again;
        }
      }
      if (inputs.length === 1) return [err instanceof Error ? err : new Error(String(err))];
      // Keep one failing request from failing its neighbours: decide each alone.
      this.log.warn({ err, batch: inputs.length }, "reserve batch failed; deciding its requests one by one");
      const out: (ReserveOutcome | Error)[] = [];
      for (const input of inputs) out.push(...await this.decide([input]));
      return out;
    }
  }
}
