/**
 * The hq storage drivers the suites run against: PGlite (in memory) always, and a real
 * PostgreSQL 15 server at HQ_TEST_DATABASE_URL (default: the CI role/database). Without a
 * reachable server the PostgreSQL suite is skipped with a message, unless CI is set: in CI
 * it must run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../hq/src/db/migrate.ts';
import { openPg } from '../../hq/src/db/pg-driver.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import { openTestPglite } from './pglite-template.ts';

export const PG_URL =
  process.env.HQ_TEST_DATABASE_URL ?? 'postgres://loyalty:loyalty@127.0.0.1:5432/loyalty_hq_test';

async function serverReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export interface Driver {
  name: 'pglite' | 'pg';
  /** A fresh, migrated, empty database (a new schema on the server). */
  open(): Promise<SqlDb>;
}

const pglite: Driver = {
  name: 'pglite',
  open: openTestPglite,
};

/** Each open gets its own schema, dropped on close, so suites never see each other's rows. */
const server: Driver = {
  name: 'pg',
  open: async () => {
    const schema = `hq_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const db = await openPg(url);
    await migrate(db);
    const close = db.close;
    return {
      ...db,
      close: async () => {
        await close();
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  },
};

export async function availableDrivers(): Promise<Driver[]> {
  if (await serverReachable()) return [pglite, server];
  if (process.env.CI) throw new Error(`CI is set but PostgreSQL is not reachable at ${PG_URL}`);
  console.warn(
    `hq tests: no PostgreSQL server at ${PG_URL}; the PostgreSQL suite is SKIPPED (set CI to require it)`,
  );
  return [pglite];
}
