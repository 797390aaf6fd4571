import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { makePrivate } from '../core/private-files.ts';
import { LedgerError } from './errors.ts';
import type { Db } from './sql.ts';

export interface OpenOptions {
  /** How long a writer waits for another connection's lock (ms). */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** Another folder of `NNN-name.sql` files (tests); defaults to ./migrations beside this module. */
  migrationsDir?: string;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_FILE = /^(\d{3})-([a-z0-9-]+)\.sql$/;

/**
 * Opens (creating if needed) the ledger database and brings its schema up to date.
 * docs/protocol.md: "Durable before answered": WAL + synchronous=FULL, so a commit that returned
 * survives a power cut.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const db = new Database(path, { readonly: options.readonly ?? false });
  try {
    // SQLite creates a new database 0644 less the umask (0644 under the usual 022) and gives
    // the WAL and SHM the database file's own mode: 0600 before WAL mode creates them
    // (core/private-files.ts).
    if (!options.readonly && path !== ':memory:' && path !== '')
      makePrivate(path, `${path}-wal`, `${path}-shm`, `${path}-journal`);
    if (!options.readonly) db.pragma('journal_mode = WAL'); // ':memory:' answers 'memory', harmless
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (!options.readonly) migrate(db, loadMigrations(options.migrationsDir));
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL('./migrations/', import.meta.url));
}

export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = MIGRATION_FILE.exec(file);
    if (!m) continue;
    migrations.push({
      version: Number(m[1]),
      name: m[2] ?? file,
      sql: readFileSync(`${dir.replace(/\/?$/, '/')}${file}`, 'utf8'),
    });
  }
  const versions = new Set<number>();
  for (const m of migrations) {
    if (versions.has(m.version))
      throw new LedgerError('MIGRATION_FAILED', `two migrations numbered ${m.version}`);
    versions.add(m.version);
  }
  return migrations;
}

/** Applies every migration not yet recorded, each in its own transaction; returns the versions applied. */
export function migrate(db: Db, migrations: Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    const apply = db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new LedgerError('MIGRATION_FAILED', `${m.version}-${m.name}: ${(err as Error).message}`);
    }
    applied.push(m.version);
  }
  return applied;
}

export function appliedMigrations(db: Db): Array<{ version: number; name: string }> {
  return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as Array<{
    version: number;
    name: string;
  }>;
}
