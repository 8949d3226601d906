// Postgres through TypeORM: one schema per service (docs/design.md), migrations (never synchronize), and a
// transaction helper that retries the conflicts Postgres asks us to retry.
import { createHash } from "node:crypto";
import { DataSource, type EntityManager, type EntitySchema, type MigrationInterface, type QueryRunner } from "typeorm";
import { booleanFrom } from "./config.js";
import { PG, pgCode } from "./errors.js";

export type { EntityManager };

export interface DatabaseSpec {
  /** The service's own schema, e.g. "catalog". */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  entities?: EntitySchema[];
}

export function createDataSource(url: string, spec: DatabaseSpec, poolSize = 20, appName = spec.schema): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    schema: spec.schema,
    entities: spec.entities ?? [],
    migrations: spec.migrations,
    migrationsTableName: "migrations",
    migrationsTransactionMode: "each",
    synchronize: false,
    logging: false,
    applicationName: appName,
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  });
}

/**
 * Connects and brings the schema up to date. Several processes may start at once (npm start, scale-out),
 * so migrations run under an advisory lock named after the schema.
 */
export async function openDatabase(url: string, spec: DatabaseSpec, poolSize = 20, appName?: string): Promise<DataSource> {
  const ds = createDataSource(url, spec, poolSize, appName);
  await ds.initialize();
  try {
    await migrate(ds, spec.schema);
  } catch (err) {
    await ds.destroy();
    throw err;
  }
  if (booleanFrom(process.env, "DB_PREPARED_STATEMENTS", true)) prepareStatements(ds);
  return ds;
}

/** Most statement texts one process prepares; texts seen after that run unprepared. */
const MAX_PREPARED = 300;
const statementNames = new Map<string, string>();

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED) {
    name = `s_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Every statement with parameters runs as a named prepared statement on the connection that runs it: Postgres
 * parses and plans the same few dozen texts of the hot path thousands of times a second otherwise. Connections
 * the pool opens from now on are patched (those opened for migrations are not, and need not be). A statement
 * without parameters (START TRANSACTION, COMMIT, DDL) keeps the simple protocol. DB_PREPARED_STATEMENTS=false
 * turns it off: behind a transaction-pooling PgBouncer older than 1.21 (docs/deploy.md).
 */
function prepareStatements(ds: DataSource): void {
  type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;
  const pool = (ds.driver as unknown as { master: { on(event: "connect", listener: (client: { query: Query }) => void): void } }).master;
  pool.on("connect", (client) => {
    const query = client.query.bind(client);
    client.query = (config, values, callback) => {
      const name = typeof config === "string" && Array.isArray(values) && values.length > 0 ? statementName(config) : undefined;
      return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
    };
  });
}

export async function migrate(ds: DataSource, schema: string): Promise<void> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock(hashtext($1))", [`migrate:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await ds.runMigrations({ transaction: "each" });
    } finally {
      await runner.query("SELECT pg_advisory_unlock(hashtext($1))", [`migrate:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Runs `work` in a transaction, retrying on serialization failures and deadlocks (which Postgres resolves
 * by aborting one side). Work must therefore be safe to run again: it sees a fresh transaction each time.
 */
export async function inTransaction<T>(ds: DataSource, work: (tx: EntityManager) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(work);
    } catch (err) {
      const code = pgCode(err);
      const retryable = code === PG.serializationFailure || code === PG.deadlockDetected;
      if (!retryable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
    }
  }
}

/**
 * A migration of SQL statements, run in order each way: a service's schema, or the tables the shared libraries
 * add to it. `name` ends with the migration's timestamp, as TypeORM records it.
 */
export function sqlMigration(name: string, up: string | string[], down: string | string[]): new () => MigrationInterface {
  const run = async (q: QueryRunner, statements: string | string[]) => {
    for (const sql of [statements].flat()) await q.query(sql);
  };
  return class implements MigrationInterface {
    name = name;

    async up(q: QueryRunner): Promise<void> {
      await run(q, up);
    }

    async down(q: QueryRunner): Promise<void> {
      await run(q, down);
    }
  };
}

/** SELECT 1 for health checks. */
export async function pingDatabase(ds: DataSource): Promise<void> {
  await ds.query("SELECT 1");
}
