import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config/load.ts';
import { type Ledger, openLedger, type WalSyncSeams } from './ledger/index.ts';

/** The store database inside the config's data folder. */
export const databasePath = (config: Pick<Config, 'dataDir'>): string => join(config.dataDir, 'store.db');

/** Opens (creating the data folder, 0700, and migrating on first use) the store's ledger. */
export const openStoreLedger = (
  config: Pick<Config, 'dataDir'>,
  now?: () => Date,
  seams?: WalSyncSeams,
): Ledger => {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openLedger(databasePath(config), { ...(now ? { now } : {}), ...(seams ? { seams } : {}) });
};
