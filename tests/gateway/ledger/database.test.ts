import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, openDatabase } from '../../../gateway/src/ledger/database.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

describe('database', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('runs every migration on :memory:', () => {
    const db = openDatabase(':memory:');
    const versions = appliedMigrations(db).map((m) => m.version);
    expect(versions).toEqual(loadMigrations().map((m) => m.version));
    expect(versions[0]).toBe(1);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
    ).map((t) => t.name);
    for (const t of [
      'members',
      'cards',
      'entries',
      'transactions',
      'lots',
      'balances',
      'outbox',
      'sales',
      'sale_returns',
      'holds',
      'gift_cards',
      'reward_stock',
      'tier_changes',
      'member_events',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('opens a file in WAL with synchronous=FULL and foreign keys, and migrates once', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const db = openDatabase(dir.file('ledger.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    const again = openDatabase(dir.file('ledger.db'));
    expect(appliedMigrations(again)).toHaveLength(loadMigrations().length);
    again.close();
  });

  it('applies a failing migration not at all', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    writeFileSync(dir.file('001-ok.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(dir.file('002-bad.sql'), 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL;');
    expect(() => openDatabase(':memory:', { migrationsDir: dir.path })).toThrow(/MIGRATION_FAILED/);
  });
});
