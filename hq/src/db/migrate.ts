import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SqlDb } from './sql.ts';

const MIGRATION_FILE = /^(\d{3})-([a-z0-9-]+)\.sql$/;
/** Any constant: serialises hq processes migrating the same server at once. */
const MIGRATION_LOCK = 7_243_001;

/** Plain numbered SQL migrations (architecture.md), each in its own transaction; returns versions applied. */
export async function migrate(
  db: SqlDb,
  dir = fileURLToPath(new URL('./migrations/', import.meta.url)),
): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const files = readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const m = MIGRATION_FILE.exec(f);
      return m ? [{ version: Number(m[1]), name: m[2] ?? f, sql: readFileSync(`${dir}/${f}`, 'utf8') }] : [];
    });
  const applied: number[] = [];
  for (const m of files) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (seen.length > 0) return false;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/** Our migrations have no functions or quoted semicolons: statements split on `;` at line ends. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) =>
      s
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((s) => s !== '');
}
