// Raw SQL through TypeORM's connection, answering rows as plain objects whatever the statement (TypeORM's
// plain query() answers [rows, count] for UPDATE/DELETE ... RETURNING, which is easy to misread).
import type { DataSource, EntityManager } from "typeorm";

export type Db = DataSource | EntityManager;

export async function rows<T = Record<string, unknown>>(db: Db, text: string, params: unknown[] = []): Promise<T[]> {
  const runner = "queryRunner" in db && db.queryRunner ? db.queryRunner : undefined;
  if (runner) return (await runner.query(text, params, true)).records as T[];
  const own = (db as DataSource).createQueryRunner();
  try {
    return (await own.query(text, params, true)).records as T[];
  } finally {
    await own.release();
  }
}

export async function one<T = Record<string, unknown>>(db: Db, text: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(db, text, params))[0];
}
