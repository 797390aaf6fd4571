/** The store services' small key/value state (migration 003): read and written in one statement each. */
import { type Db, one, run } from './sql.ts';

export type StoreStateKey = 'scheduler.lastDailyRun';

export function getStoreState(db: Db, key: StoreStateKey): string | null {
  return one<{ value: string }>(db, 'SELECT value FROM store_state WHERE key = ?', key)?.value ?? null;
}

export function setStoreState(db: Db, key: StoreStateKey, value: string): void {
  run(
    db,
    'INSERT INTO store_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    value,
  );
}
