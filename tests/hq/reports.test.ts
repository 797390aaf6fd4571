/** Reports and offers over a small chain ledger, once per storage driver. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { offersFor } from '../../gateway/src/ledger/sync-store.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService, type SyncService } from '../../gateway/src/sync/sync-service.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { rfmSegment, toCsv } from '../../hq/src/reports.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { earn, openStore, spend } from '../gateway/sync/store-fixture.ts';
import { availableDrivers } from './drivers.ts';
import { enroll, startHub } from './hub-fixture.ts';

const PROGRAM = fileURLToPath(new URL('../../gateway/demo/program.yaml', import.meta.url));
const MEMBERS = fileURLToPath(new URL('../../gateway/demo/members.csv', import.meta.url));
const drivers = await availableDrivers();
const PERIOD = 'from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z';

describe.each(drivers)('hq reports and offers ($name)', (driver) => {
  let db: SqlDb;
  let hub: Hub;
  let url: string;
  let ledger: Ledger;
  let sync: SyncService;
  const dir = makeTempDir();
  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': type } });
  const get = async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T;

  beforeAll(async () => {
    db = await driver.open();
    ({ hub, url } = await startHub(db));
    await post('/v1/admin/program', readFileSync(PROGRAM, 'utf8'), 'application/yaml');
    await post('/v1/admin/members/import', readFileSync(MEMBERS, 'utf8'), 'text/csv');
    const token = await enroll(db, url, 's1', 'gw-1');
    ledger = openStore(dir.file('s1.db'));
    sync = createSyncService({
      ledger,
      client: createHqClient({ url, token }),
      deviceId: 'gw-1',
      logger: silentLogger,
    });
    await sync.runOnce();
    // M-1001 buys a lot, M-1005 a little; M-1005 redeems some of it.
    for (let i = 0; i < 8; i++) earn(ledger, 's1', `s1:a${i}`, 'M-1001', 100);
    earn(ledger, 's1', 's1:b0', 'M-1005', 50);
    spend(ledger, 's1', 's1:b1', 'M-1005', 20);
    await post(
      '/v1/admin/adjustments',
      JSON.stringify({
        key: 'x1',
        memberId: 'M-1004',
        asset: 'points',
        amount: -1000,
        reason: 'fraud',
        operator: 'ops-2',
      }),
    );
    await sync.runOnce();
  }, 120_000);
  afterAll(async () => {
    await sync.stop();
    ledger.close();
    await hub.stop();
    await db.close();
    dir.remove();
  });

  it('issued / spent by store and origin, adjustments by reason, liability', async () => {
    const issued = await get<{
      rows: Array<{ store: string; origin: string; asset: string; category: string; amount: number }>;
    }>(`/v1/admin/reports/issued?${PERIOD}`);
    const find = (store: string, category: string) =>
      issued.rows.find((r) => r.store === store && r.category === category && r.asset === 'points')?.amount;
    expect(find('s1', 'issued')).toBe(850);
    expect(find('s1', 'spent')).toBe(-20);
    expect(find('hq', 'adjusted')).toBe(-1000);
    const adj = await get<{ rows: Array<{ reason: string; operator: string; amount: number }> }>(
      `/v1/admin/reports/adjustments?${PERIOD}`,
    );
    expect(adj.rows).toEqual([
      expect.objectContaining({ reason: 'fraud', operator: 'ops-2', amount: -1000 }),
    ]);
    const liability = await get<{ rows: Array<{ points: number }> }>('/v1/admin/reports/liability');
    // demo openings 1200+5400+300+21000+... plus the store's net, minus the adjustment
    const openings = (
      await db.query<{ s: string }>(
        "SELECT sum(amount) AS s FROM entries WHERE kind = 'opening' AND asset = 'points'",
      )
    )[0]?.s;
    expect(liability.rows[0]?.points).toBe(Number(openings) + 830 - 1000);
  });

  it('participation, tiers, ABC and RFM segments; CSV, XLSX and an HTML page with inline SVG', async () => {
    const part = await get<{ rows: Array<{ store: string; participants: number; sales: number }> }>(
      `/v1/admin/reports/participation?${PERIOD}`,
    );
    expect(part.rows).toEqual([expect.objectContaining({ store: 's1', participants: 2, sales: 9 })]);
    const seg = await get<{ rows: Array<{ memberId: string; abc: string; segment: string }> }>(
      `/v1/admin/reports/segments?${PERIOD}`,
    );
    expect(seg.rows[0]).toMatchObject({ memberId: 'M-1001', abc: 'A' });
    // 800 of 850 comes before M-1005 (94 %): class B.
    expect(seg.rows.find((r) => r.memberId === 'M-1005')?.abc).toBe('B');
    const tiers = await get<{ rows: Array<{ tier: string; members: number }> }>('/v1/admin/reports/tiers');
    expect(tiers.rows.reduce((s, r) => s + r.members, 0)).toBe(7);
    const csv = await (await fetch(`${url}/v1/admin/reports/adjustments.csv?${PERIOD}`)).text();
    expect(csv.split('\r\n')[0]).toBe('day,reason,operator,asset,n,amount');
    const xlsx = await fetch(`${url}/v1/admin/reports/tiers.xlsx`);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const html = await (await fetch(`${url}/v1/admin/reports?${PERIOD}`)).text();
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });

  it('an offer to a segment reaches exactly its members at the store', async () => {
    const r = await post(
      '/v1/admin/offers',
      JSON.stringify({ id: 'vip-coffee', segment: 'abc:A', body: { en: 'Free coffee' } }),
    );
    expect(await r.json()).toEqual({ id: 'vip-coffee', targets: 1 });
    await sync.runOnce();
    expect(offersFor(ledger.db, 'M-1001')).toEqual([{ id: 'vip-coffee', body: { en: 'Free coffee' } }]);
    expect(offersFor(ledger.db, 'M-1005')).toEqual([]);
  });
});

describe('report helpers', () => {
  it('CSV quotes and defuses formulas; RFM names segments', () => {
    expect(toCsv([{ a: '=1+1', b: 'x,"y"' }])).toBe(`a,b\r\n'=1+1,"x,""y"""\r\n`);
    expect(rfmSegment(5, 5, 5)).toBe('champions');
    expect(rfmSegment(1, 4, 3)).toBe('at-risk');
    expect(rfmSegment(1, 1, 1)).toBe('hibernating');
  });
});
