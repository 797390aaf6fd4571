import { PGlite } from '@electric-sql/pglite';
import type { SqlDb, SqlRunner } from './sql.ts';

/** PGlite (PostgreSQL in WASM) in this process; `dataDir` undefined = in memory (tests). */
export async function openPglite(dataDir?: string): Promise<SqlDb> {
  const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const runner = (q: Pick<PGlite, 'query'>): SqlRunner => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await q.query<T>(sql, [...params])).rows,
  });
  return {
    driver: 'pglite',
    ...runner(pg),
    exec: async (sql) => {
      await pg.exec(sql);
    },
    // PGlite has one connection: its transaction holds it for the whole callback, so
    // concurrent requests are serialised (which also orders ingests per device).
    transaction: (fn) => pg.transaction((tx) => fn(runner(tx))),
    close: () => pg.close(),
  };
}
