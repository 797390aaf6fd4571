import type Database from 'better-sqlite3';

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[], unknown>;

/**
 * Prepared statements cached per connection: the hot paths (commit, import of 100 000 rows)
 * must not re-prepare. Keyed by the connection, so there is no global state to leak
 * between databases.
 */
const caches = new WeakMap<Db, Map<string, Statement>>();

export function stmt(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/** The SQL of every statement prepared on this connection (tests check their query plans). */
export function preparedSql(db: Db): string[] {
  return [...(caches.get(db)?.keys() ?? [])].map((sql) => sql.replace(/^raw:/, ''));
}

/** One row, typed by the caller who wrote the SELECT. */
export function one<T>(db: Db, sql: string, ...params: unknown[]): T | undefined {
  return stmt(db, sql).get(...params) as T | undefined;
}

export function all<T>(db: Db, sql: string, ...params: unknown[]): T[] {
  return stmt(db, sql).all(...params) as T[];
}

/**
 * Rows as arrays (better-sqlite3's raw mode): no object with column names per row, for the
 * reads that return many rows on the hot path (a member's open lots).
 */
export function rows<T extends unknown[]>(db: Db, sql: string, ...params: unknown[]): T[] {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const key = `raw:${sql}`;
  let s = cache.get(key);
  if (!s) {
    s = db.prepare(sql).raw(true);
    cache.set(key, s);
  }
  return s.all(...params) as T[];
}

export function run(db: Db, sql: string, ...params: unknown[]): Database.RunResult {
  return stmt(db, sql).run(...params);
}

export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown);
}
