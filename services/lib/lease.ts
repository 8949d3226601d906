// Leader election for background jobs that must run on one replica at a time: a lease row per job in the
// service's schema, taken when free or expired and renewed every couple of seconds by its holder. A holder that
// dies stops renewing, and another replica takes the job over once the lease expires (within ttl + renew).
// A row rather than a Postgres advisory lock: session advisory locks belong to a server connection, which a
// transaction-pooling PgBouncer hands to other clients between transactions (docs/replicas.md).
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { DataSource, MigrationInterface } from "typeorm";
import { sqlMigration } from "./db.js";
import type { Logger } from "./log.js";

export interface LeaseTiming {
  /** How long a lease lasts without renewal: a dead holder's job waits this long at most. */
  ttlMs: number;
  /** How often the holder renews, and the others try to take it. */
  renewMs: number;
}

export const LEASE_TIMING: LeaseTiming = { ttlMs: 10_000, renewMs: 2_000 };

/** Migration adding the lease table to a service's schema. */
export function jobLeasesTable(schema: string): new () => MigrationInterface {
  return sqlMigration("JobLeases1769100000000",
    `CREATE TABLE IF NOT EXISTS "${schema}".job_leases (job text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL)`,
    `DROP TABLE IF EXISTS "${schema}".job_leases`);
}

/** This process's claim on one job. `held` is true only while the lease is certainly ours. */
export class JobLease {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private heldUntil = 0;
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;

  constructor(
    private readonly ds: DataSource, private readonly schema: string, readonly job: string, private readonly log: Logger,
    private readonly timing: LeaseTiming = LEASE_TIMING,
  ) {}

  get held(): boolean {
    return Date.now() < this.heldUntil;
  }

  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => { this.renewing ??= this.renew().finally(() => { this.renewing = undefined; }); }, this.timing.renewMs);
  }

  /** Gives the job up at once (a clean stop), so another replica need not wait for the lease to expire. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (!this.held) return;
    this.heldUntil = 0;
    await this.ds.query(`DELETE FROM "${this.schema}".job_leases WHERE job = $1 AND holder = $2`, [this.job, this.holder])
      .catch((err) => this.log.warn({ err: (err as Error).message, job: this.job }, "releasing the job lease failed; it expires by itself"));
  }

  /** Takes the lease if it is free or expired, or extends ours. */
  private async renew(): Promise<void> {
    const asked = Date.now();
    const was = this.held;
    try {
      const rows: unknown[] = await this.ds.query(
        `INSERT INTO "${this.schema}".job_leases (job, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at < now()
         RETURNING 1`,
        [this.job, this.holder, this.timing.ttlMs],
      );
      // Counted from before the statement was sent, so a slow answer never makes us think we hold it longer.
      this.heldUntil = rows.length ? asked + this.timing.ttlMs : 0;
    } catch (err) {
      // Database unreachable: keep the lease only for what is left of it.
      if (was) this.log.warn({ err: (err as Error).message, job: this.job }, "renewing the job lease failed");
    }
    if (this.held !== was) this.log.info({ job: this.job, holder: this.holder }, this.held ? "took the job lease: running the job here" : "lost the job lease");
  }
}
