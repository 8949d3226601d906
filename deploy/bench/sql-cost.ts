// What one SQL round trip costs in CPU before any work is done, client and Postgres side: a trivial statement
// through the services' database layer (services/lib/db.ts: TypeORM, pg, named prepared statements) against
// the stack's Postgres, and the same statement inside an explicit transaction (START and COMMIT: two round
// trips more). bench:checkout measures it in the same run as the orders, beside rpc_floor_us, to say how much
// of an order's CPU its statements explain (docs/cost-per-order.md).
import type { DataSource } from "typeorm";
import { inTransaction, openDatabase } from "../../services/lib/db.js";
import { measureCalls } from "./rpc-cost.js";
import { processCpuMs } from "./stack.js";

const APP = "sql-floor";

export interface SqlCost {
  /** One autocommit statement: this process's CPU and the Postgres backend's, per statement. */
  statement_us: { client: number; postgres: number };
  /** START, the statement, COMMIT. */
  transaction_us: { client: number; postgres: number };
}

/** CPU milliseconds so far of the Postgres backends serving this measurement's connections (from /proc). */
async function backendsCpuMs(ds: DataSource): Promise<number> {
  const pids: { pid: number }[] = await ds.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [APP]);
  return pids.reduce((ms, { pid }) => ms + processCpuMs(pid), 0);
}

/** CPU per call, this process's (the round measureCalls keeps) and Postgres's (over the warm-up and that round). */
async function measure(ds: DataSource, call: () => Promise<unknown>, calls: number, concurrency: number): Promise<{ client: number; postgres: number }> {
  await measureCalls(call, { calls, concurrency, rounds: 0 }); // every pooled connection open, its statement prepared
  const before = await backendsCpuMs(ds);
  const cost = await measureCalls(call, { calls, concurrency, rounds: 1 });
  const postgresMs = (await backendsCpuMs(ds)) - before;
  return { client: cost.cpu_us_per_call, postgres: Math.round((postgresMs * 1000) / (2 * calls)) };
}

/** Against a throwaway stack's Postgres on this machine (it gets a schema "bench"). */
export async function sqlRoundTripCost(databaseUrl: string, calls = 4000, concurrency = 8): Promise<SqlCost> {
  const ds = await openDatabase(databaseUrl, { schema: "bench", migrations: [] }, concurrency, APP);
  try {
    const statement = () => ds.query("SELECT $1::int AS n", [1]);
    return {
      statement_us: await measure(ds, statement, calls, concurrency),
      transaction_us: await measure(ds, () => inTransaction(ds, (tx) => tx.query("SELECT $1::int AS n", [1])), calls, concurrency),
    };
  } finally {
    await ds.destroy();
  }
}

/**
 * What an order's round trips alone cost, from the run's counts and the floors measured in it: each mesh call at
 * the mesh floor, each statement at the statement floor, and each explicit transaction's START and COMMIT at what
 * they add to a statement. The rest of `cpu_ms_per_order` is the work the calls and statements do.
 */
export function roundTripFloor(
  perOrder: { meshCalls: number; statements: number; transactionBrackets: number; cpuMs: number }, rpcFloorUs: number, sql: SqlCost,
) {
  const statementUs = sql.statement_us.client + sql.statement_us.postgres;
  const bracketsUs = sql.transaction_us.client + sql.transaction_us.postgres - statementUs;
  const ms = {
    mesh_calls: (perOrder.meshCalls * rpcFloorUs) / 1000,
    sql_statements: ((perOrder.statements - 2 * perOrder.transactionBrackets) * statementUs) / 1000,
    transaction_brackets: (perOrder.transactionBrackets * bracketsUs) / 1000,
  };
  const total = ms.mesh_calls + ms.sql_statements + ms.transaction_brackets;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(v)])), total: round(total),
    share_of_cpu: round(total / perOrder.cpuMs),
  };
}
