/**
 * The one small SQL interface hq's storage runs on. Two drivers run the SAME SQL
 * (PostgreSQL 15 syntax, `$1` placeholders): PGlite embedded in-process, and `pg` against a
 * PostgreSQL server. Keeping the interface this small is what keeps them interchangeable.
 */
export interface SqlRunner {
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface SqlDb extends SqlRunner {
  readonly driver: 'pglite' | 'pg';
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** One database transaction: committed when `fn` resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** BIGINT and NUMERIC come back as strings from `pg` (and may from PGlite): one place turns them into numbers. */
export const num = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
};

/** `($1,$2,$3),($4,$5,$6)` for a multi-row INSERT of `rows` rows of `width` columns. */
export const valuesList = (rows: number, width: number, offset = 0): string => {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(`$${offset + r * width + c}`);
    out.push(`(${cells.join(',')})`);
  }
  return out.join(',');
};
