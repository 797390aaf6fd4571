/** Reports and offers over a small chain ledger, once per storage driver. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { SaleRecord } from '../../gateway/src/domain/ledger-types.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { offersFor } from '../../gateway/src/ledger/sync-store.ts';
import { createHqClient, type HqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService, type SyncService } from '../../gateway/src/sync/sync-service.ts';
import { toWireEntry } from '../../gateway/src/sync/wire.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { rfmSegment, toCsv } from '../../hq/src/reports.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { AT, earn, ensureMember, openStore, spend } from '../gateway/sync/store-fixture.ts';
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
  let store2: Ledger;
  let client2: HqClient;
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

    // Store s2 records its sales with their totals (the store ledger's `sales` table); the
    // ledger's upload read joins each sale entry to its sale (outbox.ts entriesAfter), and it
    // goes up one entry per batch, so sale s2:a's two entries reach hq in two batches:
    //   M-1001: 12 000 (two entries), 3 000; M-1002: 4 500, 1 001.
    store2 = openStore(dir.file('s2.db'));
    client2 = createHqClient({ url, token: await enroll(db, url, 's2', 'gw-2') });
    // Their points are small (8 and 6) so the segments below keep their classes.
    saleWithTotal(store2, 's2:a', 'M-1001', 12_000, [3, 2]);
    saleWithTotal(store2, 's2:b', 'M-1001', 3_000, [3]);
    saleWithTotal(store2, 's2:c', 'M-1002', 4_500, [4]);
    saleWithTotal(store2, 's2:d', 'M-1002', 1_001, [2]);
    const entries = store2.entriesAfter(0, 100);
    expect(entries.map((e) => e.sale?.total)).toEqual([12_000, 12_000, 3_000, 4_500, 1_001]);
    for (const e of entries) {
      const batch = {
        batchId: `s2-${e.seq}`,
        fromSeq: e.seq,
        toSeq: e.seq,
        entries: [toWireEntry('gw-2', e)],
      };
      expect(await client2.postBatch('gw-2', batch)).toEqual({ kind: 'acked', ackedSeq: e.seq });
      // sent again (a lost answer): nothing changes
      expect(await client2.postBatch('gw-2', batch)).toEqual({ kind: 'acked', ackedSeq: e.seq });
    }
  }, 120_000);
  afterAll(async () => {
    await sync.stop();
    ledger.close();
    client2.close();
    store2.close();
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
    // demo openings 1200+5400+300+21000+... plus the stores' net (s1 830, s2 14), minus the adjustment
    const openings = (
      await db.query<{ s: string }>(
        "SELECT sum(amount) AS s FROM entries WHERE kind = 'opening' AND asset = 'points'",
      )
    )[0]?.s;
    expect(liability.rows[0]?.points).toBe(Number(openings) + 830 + 14 - 1000);
  });

  it('participation by store: purchase frequency and average check', async () => {
    const part = await get<{ rows: Array<Record<string, unknown>> }>(
      `/v1/admin/reports/participation?${PERIOD}`,
    );
    expect(part.rows).toEqual([
      // s1 sent no sale totals: 9 sales by 2 members, no average check
      {
        store: 's1',
        participants: 2,
        sales: 9,
        purchaseFrequency: 4.5,
        salesWithTotal: 0,
        averageCheck: null,
        currency: 'AMD',
      },
      // s2: 4 sales by 2 members; (12 000 + 3 000 + 4 500 + 1 001) / 4 = 5 125.25
      {
        store: 's2',
        participants: 2,
        sales: 4,
        purchaseFrequency: 2,
        salesWithTotal: 4,
        averageCheck: 5125,
        currency: 'AMD',
      },
    ]);
    const stored = await db.query<{ tx_key: string; member_id: string; total: string }>(
      "SELECT tx_key, member_id, total FROM sales WHERE device_id = 'gw-2' ORDER BY tx_key",
    );
    expect(stored.map((r) => [r.tx_key, r.member_id, Number(r.total)])).toEqual([
      ['s2:a', 'M-1001', 12_000],
      ['s2:b', 'M-1001', 3_000],
      ['s2:c', 'M-1002', 4_500],
      ['s2:d', 'M-1002', 1_001],
    ]);
    // Outside the period: no rows.
    const none = await get<{ rows: unknown[] }>(
      '/v1/admin/reports/participation?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(none.rows).toEqual([]);
  });

  it('a meta.sale that is not a sale is kept in the entry and not counted', async () => {
    const seq = store2.lastSeq() + 1;
    const entry = {
      ...toWireEntry('gw-2', { ...store2.entriesAfter(0, 1)[0]!, seq }),
      key: `gw-2/s2:bad/${seq}`,
      txKey: 's2:bad',
      amount: 0,
      meta: { sale: { saleId: '', total: -1 } },
    };
    expect(
      await client2.postBatch('gw-2', { batchId: 'bad', fromSeq: seq, toSeq: seq, entries: [entry] }),
    ).toEqual({ kind: 'acked', ackedSeq: seq });
    const kept = await db.query<{ meta: unknown }>("SELECT meta FROM entries WHERE tx_key = 's2:bad'");
    expect(kept).toEqual([{ meta: { sale: { saleId: '', total: -1 } } }]);
    expect(await db.query("SELECT 1 FROM sales WHERE tx_key = 's2:bad'")).toEqual([]);
  });

  it('participation, tiers, ABC and RFM segments; CSV, XLSX and an HTML page with inline SVG', async () => {
    const seg = await get<{ rows: Array<{ memberId: string; abc: string; segment: string }> }>(
      `/v1/admin/reports/segments?${PERIOD}`,
    );
    expect(seg.rows[0]).toMatchObject({ memberId: 'M-1001', abc: 'A' });
    // 808 of 864 (M-1001's 800 + 8 at s2) comes before M-1005 (93.5 %): class B.
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
  it('a sale rides in the meta of its entries, beside what the meta already holds', () => {
    const e = {
      seq: 7,
      txId: 3,
      idempotencyKey: 'till:t1:r9',
      owner: { member: 'M-1' },
      asset: 'points' as const,
      bucket: 'available' as const,
      kind: 'earn',
      amount: 5,
      lotId: null,
      holdId: null,
      qualifying: 5,
      ruleId: 'base',
      meta: { note: 'x' },
      at: AT,
      programVersion: 1,
    };
    expect(toWireEntry('gw', e).meta).toEqual({ note: 'x' });
    expect(toWireEntry('gw', { ...e, sale: { saleId: 'S-9', total: 125_050 } }).meta).toEqual({
      note: 'x',
      sale: { saleId: 'S-9', total: 125_050 },
    });
    expect(toWireEntry('gw', { ...e, meta: null, sale: null }).meta).toBeNull();
  });
  it('CSV quotes and defuses formulas; RFM names segments', () => {
    expect(toCsv([{ a: '=1+1', b: 'x,"y"' }])).toBe(`a,b\r\n'=1+1,"x,""y"""\r\n`);
    expect(rfmSegment(5, 5, 5)).toBe('champions');
    expect(rfmSegment(1, 4, 3)).toBe('at-risk');
    expect(rfmSegment(1, 1, 1)).toBe('hibernating');
  });
});

/** A sale at store s2 as the store ledger records it: its postings and its sale record with the total. */
function saleWithTotal(ledger: Ledger, key: string, memberId: string, total: number, points: number[]): void {
  ensureMember(ledger, memberId);
  const sale: SaleRecord = {
    saleId: key.replace('s2:', 'sale-'),
    memberId,
    at: AT,
    total,
    lines: [{ lineId: '1', sku: 'sku-1', productGroup: null, qty: 1, amount: total }],
    earned: {
      spend: { posted: points.reduce((a, b) => a + b, 0), lines: {} },
      bonus: { posted: 0, lines: {} },
      cashback: { posted: 0, lines: {} },
    },
  };
  ledger.commit({
    idempotencyKey: key,
    type: 'sale',
    at: AT,
    programVersion: 1,
    storeId: 's2',
    ref: sale.saleId,
    postings: points.map((amount) => ({
      owner: { member: memberId },
      asset: 'points' as const,
      bucket: 'available' as const,
      kind: 'earn' as const,
      amount,
      lot: { availableAt: AT, expiresAt: null },
    })),
    records: { sale },
    response: { ok: true },
  });
}
