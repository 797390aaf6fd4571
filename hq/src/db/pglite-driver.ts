import { PGlite } from '@electric-sql/pglite';
import type { SqlDb, SqlRunner } from './sql.ts';

/**
 * PGlite (PostgreSQL in WASM) in this process; `dataDir` undefined = in memory (tests).
 * `loadDataDir`: a `dumpDataDir()` tarball to start from instead of running initdb (which
 * is most of PGlite's 5–20 s first open; tests share one migrated template).
 */
export async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<SqlDb> {
  const options = loadDataDir === undefined ? {} : { loadDataDir };
  const pg = dataDir === undefined ? await PGlite.create(options) : await PGlite.create(dataDir, options);
  return wrapPglite(pg);
}

export function wrapPglite(pg: PGlite): SqlDb {
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
