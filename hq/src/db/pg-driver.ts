import pg from 'pg';
import type { SqlDb, SqlRunner } from './sql.ts';

/** A PostgreSQL server through a `pg` pool (`postgres://` URL). */
export async function openPg(url: string, max = 8): Promise<SqlDb> {
  const pool = new pg.Pool({ connectionString: url, max });
  // Fail at open, not at the first request, when the server is not there.
  const probe = await pool.connect();
  probe.release();
  pool.on('error', () => {
    // An idle client lost its server: the pool drops it and the next query reconnects.
  });
  const runner = (q: pg.Pool | pg.PoolClient): SqlRunner => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await q.query(sql, [...params])).rows as T[],
  });
  return {
    driver: 'pg',
    ...runner(pool),
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(runner(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
