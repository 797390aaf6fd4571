import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_MEMBERS, DEMO_PROGRAM, testConfigValue } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { cli } from './run-cli.ts';

const dir = makeTempDir('le-cli-');
const config = join(dir.path, 'config.yaml');
const db = join(dir.path, 'data', 'store.db');

beforeAll(() => writeFileSync(config, stringify(testConfigValue(join(dir.path, 'data')))));
afterAll(() => dir.remove());

describe('loyalty-edge program check', () => {
  it('accepts the demo program', () => {
    const r = cli(['program', 'check', DEMO_PROGRAM], dir.path);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(version 1, AMD, Asia\/Yerevan/);
  });

  it('lists every problem of a broken program with its path, exit 2', () => {
    const file = join(dir.path, 'broken.yaml');
    writeFileSync(
      file,
      [
        'version: 2',
        'currency: dram',
        'timezone: Asia/Nowhere',
        'names: {points: {hy: Միավոր}}',
        'tiers: {basis: {earnedPointsMonths: 12}, levels: [{id: bronze, threshold: 10}, {id: bronze, threshold: 5}]}',
        'earn:',
        '  - {id: base, type: spend, points: 1}',
      ].join('\n'),
    );
    const r = cli(['program', 'check', file], dir.path);
    expect(r.code).toBe(2);
    for (const path of [
      'currency',
      'timezone',
      'names.points.en',
      'earn[0].per',
      'tiers.levels[0].threshold',
    ])
      expect(r.stderr).toMatch(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `, 'm'));
    expect(r.stderr).toMatch(/duplicate id "bronze"/);
  });
});

describe('loyalty-edge members import', () => {
  it('applies nothing from a file with bad rows, naming each row', () => {
    const file = join(dir.path, 'bad.csv');
    writeFileSync(
      file,
      'member_id,card_uid,first_name,pin,opening_points\nA1,04AAAAAA,Ani,1234,10\nA2,XYZ,Aram,12,5\nA3,04AAAAAA,Sara,,x\nA4,04aaaaaa,Dan,,\n',
    );
    const r = cli(['members', 'import', file, '--config', config], dir.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing was imported');
    expect(r.stderr).toMatch(/^line 3: card_uid "XYZ"/m);
    expect(r.stderr).toMatch(/^line 3: pin must be 4 to 8 digits/m);
    expect(r.stderr).toMatch(/^line 4: opening_points "x"/m);
    expect(r.stderr).toMatch(/^line 5: card_uid 04AAAAAA is already on line 2/m);
    // The file is checked before the store is touched: no database was even created.
    expect(existsSync(db)).toBe(false);
  });

  it('imports the demo members, and a second import of the same file is refused whole', () => {
    const r = cli(['members', 'import', DEMO_MEMBERS, '--config', config], dir.path);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 7 members, 8 cards, 6 opening balances/);
    const again = cli(['members', 'import', DEMO_MEMBERS, '--config', config], dir.path);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^line 2: .*already exists/m);
  });
});

describe('loyalty-edge ledger verify and backup', () => {
  it('is clean after the import and reports drift in a tampered projection (exit 1)', () => {
    expect(cli(['ledger', 'verify', '--config', config], dir.path)).toMatchObject({ code: 0 });
    const store = new Database(db);
    store
      .prepare("UPDATE balances SET amount = amount + 7 WHERE owner_id = 'M-1001' AND asset = 'points'")
      .run();
    store.close();
    const r = cli(['ledger', 'verify', '--config', config], dir.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BALANCE_DRIFT: .*M-1001/);
    const fix = new Database(db);
    fix
      .prepare("UPDATE balances SET amount = amount - 7 WHERE owner_id = 'M-1001' AND asset = 'points'")
      .run();
    fix.close();
  });

  it('writes a consistent online backup, and will not overwrite a file without --force', () => {
    const target = join(dir.path, 'backup.db');
    const r = cli(['backup', target, '--config', config], dir.path);
    expect(r.code).toBe(0);
    const copy = new Database(target, { readonly: true });
    const original = new Database(db, { readonly: true });
    const count = (d: Database.Database) =>
      d.prepare('SELECT count(*) AS n, sum(amount) AS s FROM entries').get();
    expect(count(copy)).toEqual(count(original));
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    original.close();
    const again = cli(['backup', target, '--config', config], dir.path);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
  });

  it('names a config error with its path and exits 2', () => {
    const bad = join(dir.path, 'bad-config.yaml');
    writeFileSync(bad, 'storeId: s\nprogram: p.yaml\ntills: [{id: t1, secret: "env:NOT_SET_ANYWHERE"}]\n');
    const r = cli(['ledger', 'verify', '--config', bad], dir.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tills[0].secret: environment variable NOT_SET_ANYWHERE is not set');
  });
});
