/**
 * PGlite's first open runs initdb (5–20 s on a busy 2-core machine). Tests start from one
 * migrated template instead: a `dumpDataDir()` tarball cached in the OS temp dir, keyed by
 * the migrations and the PGlite version, so a run pays initdb once.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../../hq/src/db/migrate.ts';
import { openPglite, wrapPglite } from '../../hq/src/db/pglite-driver.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';

const MIGRATIONS = fileURLToPath(new URL('../../hq/src/db/migrations/', import.meta.url));
const PGLITE_PKG = fileURLToPath(
  new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url),
);

const key = (() => {
  const h = createHash('sha256').update(readFileSync(PGLITE_PKG));
  for (const f of readdirSync(MIGRATIONS).sort()) h.update(f).update(readFileSync(join(MIGRATIONS, f)));
  return h.digest('hex').slice(0, 16);
})();

let blob: Promise<Blob> | undefined;

export function pgliteTemplate(): Promise<Blob> {
  blob ??= (async () => {
    const file = join(tmpdir(), `loyalty-hq-pglite-${key}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const pg = await PGlite.create();
    await migrate(wrapPglite(pg)); // the migrations run through our driver, as in production
    const dump = await pg.dumpDataDir('none');
    await pg.close();
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file); // atomic: concurrent workers never read half a file
    return new Blob([readFileSync(file)]);
  })();
  return blob;
}

/** A fresh, migrated in-memory PGlite from the template. */
export async function openTestPglite(): Promise<SqlDb> {
  const db = await openPglite(undefined, await pgliteTemplate());
  await migrate(db);
  return db;
}

/** Puts a migrated embedded database at `dataDir/hq-pglite` (what `hq start` opens). */
export async function seedHqDataDir(dataDir: string): Promise<void> {
  const dir = join(tmpdir(), `loyalty-hq-pglite-${key}.dir`);
  if (!existsSync(dir)) {
    const tmp = mkdtempSync(`${dir}.tmp-`);
    const db = await openPglite(join(tmp, 'd'), await pgliteTemplate());
    await db.close();
    try {
      renameSync(join(tmp, 'd'), dir);
    } catch {
      // another worker made it first
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  cpSync(dir, join(dataDir, 'hq-pglite'), { recursive: true });
}
