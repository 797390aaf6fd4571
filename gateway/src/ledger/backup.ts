import { closeSync, fsyncSync, mkdtempSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makePrivate } from '../core/private-files.ts';
import type { Db } from './sql.ts';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

const fsyncFolder = (dir: string): void => {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/**
 * `loyalty-edge backup FILE`: an online, consistent copy (SQLite's backup API, through
 * better-sqlite3's `db.backup()`); commits keep running while it copies, and the copy is a
 * single snapshot. Copies `pagesPerStep` pages between progress reports.
 *
 * A backup holds every member's data and leaves the data folder (often for a USB stick or
 * /var/backups): it is written inside a fresh 0700 folder beside `destination`, made 0600
 * (SQLite creates it 0644 under the usual umask 022), fsynced and only then renamed into place,
 * so no one else can read it at any moment and a crash never leaves half a backup there.
 */
export async function backup(
  db: Db,
  destination: string,
  onProgress?: (p: BackupProgress) => void,
  pagesPerStep = 256,
): Promise<BackupProgress> {
  const work = mkdtempSync(join(dirname(destination), `.${basename(destination)}.tmp-`));
  try {
    const copy = join(work, 'backup.db');
    const result = await db.backup(copy, {
      progress: (info) => {
        onProgress?.(info);
        return pagesPerStep;
      },
    });
    makePrivate(copy);
    const fd = openSync(copy, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(copy, destination);
    fsyncFolder(dirname(destination)); // the rename itself survives a power cut
    onProgress?.(result);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
