import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../gateway/src/ledger/database.ts';
import { WalSync } from '../../../gateway/src/ledger/wal-sync.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

describe('group commits flushed off the event loop (ledger/wal-sync.ts)', () => {
  const dirs: Array<{ remove: () => void }> = [];
  const dbs: Database.Database[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const d of dirs.splice(0)) d.remove();
  });
  const fileDb = (name = 'ledger.db') => {
    const dir = makeTempDir('le-walsync-');
    dirs.push(dir);
    const db = openDatabase(join(dir.path, name));
    dbs.push(db);
    return db;
  };
  const pragmas = (db: Database.Database) => ({
    synchronous: db.pragma('synchronous', { simple: true }),
    autocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }),
  });

  it('only for a WAL file whose commits are synced', () => {
    const memory = openDatabase(':memory:');
    dbs.push(memory);
    expect(WalSync.of(memory)).toBeNull();
    const dir = makeTempDir('le-walsync-');
    dirs.push(dir);
    const rollback = new Database(join(dir.path, 'rollback.db'));
    dbs.push(rollback);
    rollback.pragma('synchronous = FULL');
    expect(WalSync.of(rollback)).toBeNull();
    const normal = fileDb();
    normal.pragma('synchronous = NORMAL');
    expect(WalSync.of(normal)).toBeNull();
    expect(WalSync.of(fileDb('full.db'))).not.toBeNull();
  });

  it('switches synchronous and automatic checkpoints off only inside the group, even when it throws', async () => {
    const db = fileDb();
    db.exec('CREATE TABLE t (v INTEGER)');
    const before = pragmas(db);
    expect(before.synchronous).toBe(2); // FULL, as openDatabase sets it
    const wal = WalSync.of(db)!;
    const inside = wal.deferred(1, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      return pragmas(db);
    });
    expect(inside).toEqual({ synchronous: 0, autocheckpoint: 0 });
    expect(pragmas(db)).toEqual(before);
    expect(() =>
      wal.deferred(1, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(pragmas(db)).toEqual(before);
    await wal.durable();
    await Promise.all([wal.durable(), wal.durable(), wal.durable()]);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });

  it('checkpoints itself, so the log does not grow without bound', async () => {
    const db = fileDb();
    db.pragma('wal_autocheckpoint = 50');
    db.exec('CREATE TABLE t (v TEXT)');
    const wal = WalSync.of(db)!;
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 3000; i++) {
      wal.deferred(1, () => db.transaction(() => insert.run('x'.repeat(500)))());
      if (i % 500 === 0) await wal.durable();
    }
    await wal.durable();
    // 3 000 commits of a page or two each, without checkpoints: well over 6 MB of log.
    expect(statSync(`${db.name}-wal`).size).toBeLessThan(2 * 1024 * 1024);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3000 });
    db.close();
    await wal.durable(); // after close: nothing left to flush, resolves
  });
});
