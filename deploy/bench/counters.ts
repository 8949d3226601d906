// Counted, not estimated: what a phase of a benchmark made the stack do, from two readings around it.
//   - SQL statements by normalized text (pg_stat_statements, loaded in a throwaway stack's Postgres) and
//     transactions committed or rolled back (pg_stat_database), in the stack's database;
//   - mesh calls each process admitted and refused, by procedure (admission.ts's counts, written on SIGUSR2 when
//     the processes run with RPC_COUNTS_DIR).
// Postgres publishes a backend's transaction counts at most once a second, so a reading taken a second or more
// after the load stops is complete; statements are counted as they end.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { MeshProcess } from "../mesh.js";

export interface PostgresReading {
  statements: Map<string, { query: string; calls: number }>;
  transactions: number;
}

/** Makes pg_stat_statements readable in the stack's database; false when the server did not load it. */
export async function enableStatementStatistics(databaseUrl: string): Promise<boolean> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const loaded = await db.query("SELECT 1 FROM pg_settings WHERE name = 'shared_preload_libraries' AND setting LIKE '%pg_stat_statements%'");
    if (loaded.rowCount === 0) return false;
    await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    return true;
  } finally {
    await db.end();
  }
}

export async function readPostgres(databaseUrl: string, statements: boolean): Promise<PostgresReading> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const xact = await db.query<{ n: string }>("SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()");
    const out: PostgresReading = { statements: new Map(), transactions: Number(xact.rows[0].n) };
    if (statements) {
      const { rows } = await db.query<{ queryid: string; query: string; calls: string }>(
        "SELECT s.queryid::text, s.query, s.calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()");
      for (const r of rows) out.statements.set(r.queryid, { query: r.query, calls: Number(r.calls) });
    }
    return out;
  } finally {
    await db.end();
  }
}

/** Statements run between two readings by normalized text, most frequent first (readings' own queries left out). */
export function statementsBetween(before: PostgresReading, after: PostgresReading): { query: string; calls: number }[] {
  const out: { query: string; calls: number }[] = [];
  for (const [id, s] of after.statements) {
    const calls = s.calls - (before.statements.get(id)?.calls ?? 0);
    if (calls > 0 && !/pg_stat_(statements|database)|pg_settings/.test(s.query)) out.push({ query: s.query, calls });
  }
  return out.sort((a, b) => b.calls - a.calls);
}

export type CallCounts = Map<string, { admitted: Record<string, number>; refused: Record<string, number> }>;

/** Each mesh process's admitted and refused calls by procedure, keyed by process name ("order", "gateway"). */
export async function readCallCounts(processes: MeshProcess[], dir: string): Promise<CallCounts> {
  const asked = processes.filter((p) => p.pid !== undefined);
  const since = Date.now();
  for (const p of asked) process.kill(p.pid!, "SIGUSR2");
  const out: CallCounts = new Map();
  for (const p of asked) {
    const file = path.join(dir, `${p.service}-${p.pid}.json`);
    for (let i = 0; i < 100; i++) {
      try {
        if (fs.statSync(file).mtimeMs >= since - 5) break;
      } catch { /* not written yet */ }
      await new Promise((r) => setTimeout(r, 20));
    }
    const counts = JSON.parse(fs.readFileSync(file, "utf8"));
    out.set(p.name, { admitted: counts.admitted, refused: counts.refused });
  }
  return out;
}

/**
 * Calls received between two readings, by procedure: by the services (the gateway's forwarded calls and the
 * services' own), or with `gateway`, the browser requests the gateway forwarded.
 */
export function callsBetween(before: CallCounts, after: CallCounts, gateway = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, c] of after) {
    if ((name === "gateway") !== gateway) continue;
    for (const [procedure, n] of Object.entries(c.admitted)) {
      const d = n - (before.get(name)?.admitted[procedure] ?? 0);
      if (d > 0) out[procedure] = (out[procedure] ?? 0) + d;
    }
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}
