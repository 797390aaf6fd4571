/**
 * Head-office management flowing down through the changes feed (docs/protocol.md §2, §3):
 * program publish, members import, card block, manual adjustment, chain events. Once per
 * storage driver.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { latestSyncedProgram, shownBalance } from '../../gateway/src/ledger/sync-store.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService, type SyncService } from '../../gateway/src/sync/sync-service.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { openStore } from '../gateway/sync/store-fixture.ts';
import { availableDrivers } from './drivers.ts';
import { enroll, startHub } from './hub-fixture.ts';

const PROGRAM = fileURLToPath(new URL('../../gateway/demo/program.yaml', import.meta.url));
const MEMBERS = fileURLToPath(new URL('../../gateway/demo/members.csv', import.meta.url));
const drivers = await availableDrivers();

describe.each(drivers)('hq management ($name)', (driver) => {
  let db: SqlDb;
  let hub: Hub;
  let url: string;
  let ledger: Ledger;
  let sync: SyncService;
  const dir = makeTempDir();
  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': type } });

  beforeAll(async () => {
    db = await driver.open();
    ({ hub, url } = await startHub(db));
    const token = await enroll(db, url, 's1', 'gw-1');
    ledger = openStore(dir.file('s1.db'));
    sync = createSyncService({
      ledger,
      client: createHqClient({ url, token }),
      deviceId: 'gw-1',
      logger: silentLogger,
    });
  }, 120_000);
  afterAll(async () => {
    await sync.stop();
    ledger.close();
    await hub.stop();
    await db.close();
    dir.remove();
  });

  it('publishes a checked program; an invalid one or an old version is refused with every problem', async () => {
    const bad = await post('/v1/admin/program', 'version: x\ncurrency: 12\n', 'application/yaml');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { problems: unknown[] }).problems.length).toBeGreaterThan(1);
    const ok = await post(
      '/v1/admin/program?operator=ops-1',
      readFileSync(PROGRAM, 'utf8'),
      'application/yaml',
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ version: 1 });
    expect((await post('/v1/admin/program', readFileSync(PROGRAM, 'utf8'), 'application/yaml')).status).toBe(
      409,
    );
    await sync.runOnce();
    expect(latestSyncedProgram(ledger.db)?.version).toBe(1);
  });

  it('imports members with cards and opening balances; a bad file imports nothing', async () => {
    const badFile = dir.file('bad.csv');
    writeFileSync(badFile, 'member_id,first_name,opening_points\nX-1,Ann,-5\n');
    const bad = await post('/v1/admin/members/import', readFileSync(badFile, 'utf8'), 'text/csv');
    expect(bad.status).toBe(422);
    const ok = await post('/v1/admin/members/import', readFileSync(MEMBERS, 'utf8'), 'text/csv');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ members: 7, cards: 8 });
    await sync.runOnce();
    expect(ledger.getMember('M-1002')?.firstName).toBe('Արամ');
    expect(ledger.findCard({ uid: '04A1B2C3D4E5F6' })?.memberId).toBe('M-1002');
    expect(shownBalance(ledger.db, 'M-1002')).toEqual({ points: 5400, credit: 150000 });
    // Importing the same file again posts no second opening balance.
    await post('/v1/admin/members/import', readFileSync(MEMBERS, 'utf8'), 'text/csv');
    await sync.runOnce();
    expect(shownBalance(ledger.db, 'M-1002')).toEqual({ points: 5400, credit: 150000 });
  });

  it('a card blocked at hq is blocked at the store', async () => {
    expect((await post('/v1/admin/cards/04A1B2C3D4E5F6/block', '')).status).toBe(200);
    await sync.runOnce();
    expect(ledger.findCard({ uid: '04A1B2C3D4E5F6' })?.status).toBe('blocked');
  });

  it('a manual adjustment needs reason and operator, is idempotent, never goes negative', async () => {
    const adj = {
      key: 'a1',
      memberId: 'M-1002',
      asset: 'points',
      amount: 100,
      reason: 'goodwill',
      operator: 'ops-1',
    };
    expect((await post('/v1/admin/adjustments', JSON.stringify({ ...adj, reason: undefined }))).status).toBe(
      400,
    );
    expect((await post('/v1/admin/adjustments', JSON.stringify(adj))).status).toBe(200);
    expect((await post('/v1/admin/adjustments', JSON.stringify(adj))).status).toBe(200);
    const negative = await post(
      '/v1/admin/adjustments',
      JSON.stringify({ ...adj, key: 'a2', amount: -999_999 }),
    );
    expect(negative.status).toBe(400);
    await sync.runOnce();
    expect(shownBalance(ledger.db, 'M-1002').points).toBe(5500);
  });

  it('birthdays run at hq once per member per year (29 Feb on 28 Feb in common years)', async () => {
    // M-1002 was born 1958-11-23; the demo program gives 500 points on birthdays.
    const run = async (at: string) =>
      (await (await post(`/v1/admin/events/run?at=${encodeURIComponent(at)}`, '')).json()) as {
        events: number;
      };
    expect((await run('2026-11-23T08:00:00Z')).events).toBe(1);
    expect((await run('2026-11-23T15:00:00Z')).events).toBe(0);
    // M-1003 was born 1996-02-29, M-1001 on 1990-02-28: both on 28 Feb 2027.
    expect((await run('2027-02-28T08:00:00Z')).events).toBe(2);
    await sync.runOnce();
    expect(shownBalance(ledger.db, 'M-1002').points).toBe(6000);
    expect(shownBalance(ledger.db, 'M-1003').points).toBe(800);
  });
});
