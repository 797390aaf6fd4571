import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrate.ts';
import { openPg } from './pg-driver.ts';
import { openPglite } from './pglite-driver.ts';
import type { SqlDb } from './sql.ts';

export interface DatabaseChoice {
  /** A `postgres://` URL, or undefined for the embedded default under `dataDir` (docs/protocol.md §3). */
  database?: string;
  /** Where the embedded database lives; undefined with no URL = in memory (tests). */
  dataDir?: string;
}

/** Opens hq's database with the driver the config names and brings its schema up to date. */
export async function openHqDatabase(choice: DatabaseChoice): Promise<SqlDb> {
  let db: SqlDb;
  if (choice.database !== undefined) db = await openPg(choice.database);
  else if (choice.dataDir !== undefined) {
    const dir = join(choice.dataDir, 'hq-pglite');
    mkdirSync(dir, { recursive: true });
    db = await openPglite(dir);
  } else db = await openPglite();
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
