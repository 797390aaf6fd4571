import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from './errors.ts';

/**
 * The store's and hq's data are the service user's alone: 0600 files, 0700 folders, whatever
 * the umask (docs/troubleshooting.md, "file permissions"). SQLite creates a new database
 * 0644 less the umask and then forces its WAL and SHM to the database's mode; PGlite's
 * initdb writes 0666 files and its relcache files 0644 whatever the umask. So modes are set
 * here, not left to the umask.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/**
 * Gives `path` `mode` unless it has it already. A file that vanished meanwhile (a WAL
 * checkpointed away) is skipped; one of another user (copied in as root) cannot be
 * changed, and the error says whose it is and what to do.
 */
const setMode = (path: string, mode: number, stat = lstatSync(path)): void => {
  if ((stat.mode & 0o777) === mode) return;
  try {
    chmodSync(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EPERM') throw error;
    const me = process.getuid?.();
    throw new CodedError(
      'DATA_FILE_OWNER',
      `${path} belongs to uid ${stat.uid}, not to this service (uid ${me}), so it cannot be made ` +
        `private (${mode.toString(8)}): chown it to the service user ` +
        '(docs/troubleshooting.md "file permissions")',
    );
  }
};

/** Creates `dir` (and missing parents) and makes it 0700, also when it already existed. */
export const ensurePrivateDir = (dir: string): void => {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  setMode(dir, PRIVATE_DIR);
};

/** Makes each existing file 0600; missing ones are skipped. */
export const makePrivate = (...files: string[]): void => {
  for (const file of files) if (existsSync(file)) setMode(file, PRIVATE_FILE);
};

/**
 * Makes everything under `root` (and `root`) private: files 0600, folders 0700. Symbolic
 * links are left alone (chmod would follow them out of the tree); files that vanish while
 * walking are skipped.
 */
export const privatiseTree = (root: string): void => {
  const walk = (path: string): void => {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      setMode(path, PRIVATE_DIR, stat);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile()) setMode(path, PRIVATE_FILE, stat);
  };
  walk(root);
};
