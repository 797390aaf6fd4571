import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The store's and hq's data are the service user's alone: 0600 files, 0700 folders, whatever
 * the umask (docs/troubleshooting.md, "file permissions"). SQLite creates a new database
 * 0644 less the umask and then forces its WAL and SHM to the database's mode; PGlite's
 * initdb writes 0666 files and its relcache files 0644 whatever the umask. So modes are set
 * here, not left to the umask.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Creates `dir` (and missing parents) and makes it 0700, also when it already existed. */
export const ensurePrivateDir = (dir: string): void => {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  chmodSync(dir, PRIVATE_DIR);
};

/** Makes each existing file 0600; missing ones are skipped. */
export const makePrivate = (...files: string[]): void => {
  for (const file of files) if (existsSync(file)) chmodSync(file, PRIVATE_FILE);
};

/**
 * Makes everything under `root` (and `root`) private: files 0600, folders 0700. Symbolic
 * links are left alone (chmod would follow them out of the tree); files that vanish while
 * walking (a WAL checkpointed away) are skipped.
 */
export const privatiseTree = (root: string): void => {
  const walk = (path: string): void => {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== PRIVATE_DIR) chmodSync(path, PRIVATE_DIR);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile() && (stat.mode & 0o777) !== PRIVATE_FILE) {
      try {
        chmodSync(path, PRIVATE_FILE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  walk(root);
};
