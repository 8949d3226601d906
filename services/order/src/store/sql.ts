// One way to run SQL against a DataSource or a transaction's EntityManager.

/** DataSource or a transaction's EntityManager. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/**
 * The rows a statement returned. TypeORM answers UPDATE and DELETE with `[rows, rowCount]` but everything else
 * with the rows alone; this hides the difference.
 */
export async function rows<T>(q: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await q.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") {
    return result[0] as T[];
  }
  return result as T[];
}

export async function one<T>(q: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(q, sql, params))[0];
}
