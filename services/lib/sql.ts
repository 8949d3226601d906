// Raw SQL through TypeORM's connection: rows as plain objects whatever the statement (TypeORM's plain
// query() answers [rows, count] for UPDATE/DELETE ... RETURNING, which is easy to misread).
import type { DataSource, EntityManager } from "typeorm";

/** A DataSource, or a transaction's EntityManager (statements then run inside that transaction). */
export type Db = DataSource | EntityManager;

export async function rows<T = Record<string, unknown>>(db: Db, text: string, params: unknown[] = []): Promise<T[]> {
  const runner = "queryRunner" in db && db.queryRunner ? db.queryRunner : undefined;
  if (runner) return (await runner.query(text, params, true)).records as T[];
  // Outside a transaction: straight to the pg pool, without a TypeORM query runner per statement.
  const ds = "dataSource" in db ? db.dataSource : db;
  const driver = ds.driver as unknown as { master: { query(text: string, params: unknown[]): Promise<{ rows: T[] }> } };
  return (await driver.master.query(text, params)).rows;
}

export async function one<T = Record<string, unknown>>(db: Db, text: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(db, text, params))[0];
}
