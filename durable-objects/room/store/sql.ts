// Thin typed helpers over a Durable Object's synchronous SQLite (`ctx.storage.sql`).
export type Sql = SqlStorage;
type Row = Record<string, SqlStorageValue>;

export function all<T extends Row>(sql: Sql, query: string, ...args: unknown[]): T[] {
  return sql.exec<T>(query, ...args).toArray();
}

export function first<T extends Row>(sql: Sql, query: string, ...args: unknown[]): T | undefined {
  for (const row of sql.exec<T>(query, ...args)) return row;
  return undefined;
}

export function run(sql: Sql, query: string, ...args: unknown[]): void {
  sql.exec(query, ...args);
}

/** A list as one bound parameter, read in SQL with `json_each(?)` (no statement per size). */
export const jsonList = (values: readonly (string | number)[]): string => JSON.stringify(values);
