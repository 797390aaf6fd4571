import { join } from 'node:path';
import { ensurePrivateDir, privatiseTree } from '../../../gateway/src/core/private-files.ts';
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
    const { dataDir } = choice;
    ensurePrivateDir(dataDir);
    ensurePrivateDir(join(dataDir, 'hq-pglite'));
    const pglite = await openPglite(join(dataDir, 'hq-pglite'));
    // PGlite's initdb writes its files 0666 whatever the umask, and the relcache files it
    // writes at start 0644: every file made the service user's alone (private-files.ts).
    // Files PostgreSQL creates later are 0600 by its own umask.
    db = {
      ...pglite,
      close: async () => {
        await pglite.close();
        privatiseTree(dataDir);
      },
    };
  } else db = await openPglite();
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  if (choice.dataDir !== undefined) privatiseTree(choice.dataDir);
  return db;
}
