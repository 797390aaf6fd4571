import { join } from 'node:path';
import type { Config } from './config/load.ts';
import { ensurePrivateDir, privatiseTree } from './core/private-files.ts';
import { type Ledger, openLedger, type WalSyncSeams } from './ledger/index.ts';

/** The store database inside the config's data folder. */
export const databasePath = (config: Pick<Config, 'dataDir'>): string => join(config.dataDir, 'store.db');

/**
 * Opens (creating the data folder and migrating on first use) the store's ledger. Everything
 * in the data folder is made the service user's alone first (0600 files, 0700 folders):
 * files restored or copied in by hand keep no wider mode. `seams`: the WAL fsync, for tests
 * that hold it (ledger/wal-sync.ts).
 */
export const openStoreLedger = (
  config: Pick<Config, 'dataDir'>,
  now?: () => Date,
  seams?: WalSyncSeams,
): Ledger => {
  ensurePrivateDir(config.dataDir);
  privatiseTree(config.dataDir);
  return openLedger(databasePath(config), { ...(now ? { now } : {}), ...(seams ? { seams } : {}) });
};
