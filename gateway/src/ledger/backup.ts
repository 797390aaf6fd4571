import type { Db } from './sql.ts';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/**
 * `loyalty-edge backup FILE`: an online, consistent copy (SQLite's backup API, through
 * better-sqlite3's `db.backup()`); commits keep running while it copies, and the copy is a
 * single snapshot. Copies `pagesPerStep` pages between progress reports.
 */
export async function backup(
  db: Db,
  destination: string,
  onProgress?: (p: BackupProgress) => void,
  pagesPerStep = 256,
): Promise<BackupProgress> {
  const result = await db.backup(destination, {
    progress: (info) => {
      onProgress?.(info);
      return pagesPerStep;
    },
  });
  onProgress?.(result);
  return result;
}
