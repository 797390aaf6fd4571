/** The sync contract (docs/protocol.md §2) end to end over loopback HTTP, once per storage driver. */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { applyChangesPage, hqSnapshot, shownBalance } from '../../gateway/src/ledger/sync-store.ts';
import { createHqClient, type HqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../gateway/src/sync/sync-service.ts';
import { type LedgerBatch, toWireEntry, type WireEntry } from '../../gateway/src/sync/wire.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import { createEnrollmentToken, enrollDevice } from '../../hq/src/enroll.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { earn, openStore, spend } from '../gateway/sync/store-fixture.ts';
import { availableDrivers } from './drivers.ts';
import { enroll, hqLedger, startHub } from './hub-fixture.ts';

const drivers = await availableDrivers();

describe.each(drivers)('hq sync core ($name)', (driver) => {
  let db: SqlDb;
  let hub: Hub;
  let url: string;
  const dir = makeTempDir();
  const stores: Array<{ ledger: Ledger; client: HqClient; deviceId: string }> = [];

  beforeAll(async () => {
    db = await driver.open();
    ({ hub, url } = await startHub(db));
    for (const [storeId, deviceId] of [
      ['s1', 'gw-1'],
      ['s2', 'gw-2'],
    ] as const) {
      const token = await enroll(db, url, storeId, deviceId);
      stores.push({
        ledger: openStore(dir.file(`${deviceId}.db`)),
        client: createHqClient({ url, token }),
        deviceId,
      });
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of stores) {
      s.client.close();
      s.ledger.close();
    }
    await hub.stop();
    await db.close();
    dir.remove();
  });

  it('an enrollment token is single use, and a device token acts only as its own device', async () => {
    const again = createHqClient({ url });
    await expect(again.enroll({ enrollmentToken: 'enr_nope', deviceId: 'x', storeId: 's1' })).rejects.toThrow(
      /403/,
    );
    again.close();
    const stored = await db.query<{ token_hash: string }>('SELECT token_hash FROM devices');
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    // gw-1's token on gw-2's ledger path
    const batch: LedgerBatch = { batchId: 'b', fromSeq: 1, toSeq: 1, entries: [] };
    await expect(stores[0]!.client.postBatch('gw-2', batch)).rejects.toThrow(/403/);
  });

  it('uploads in seq-ordered gzip batches; duplicates get the same answer, gaps a 409 with ackedSeq', async () => {
    const s = stores[0]!;
    for (let i = 0; i < 7; i++) earn(s.ledger, 's1', `s1:e${i}`, 'm1', 10 + i);
    expect(spend(s.ledger, 's1', 's1:sp', 'm1', 25)).toBe(true);
    const entries = s.ledger.entriesAfter(0, 100);
    const wire = (from: number, to: number): LedgerBatch => ({
      batchId: `t${from}`,
      fromSeq: from,
      toSeq: to,
      entries: entries.filter((e) => e.seq >= from && e.seq <= to).map((e) => toWireEntry('gw-1', e)),
    });
    expect(await s.client.postBatch('gw-1', wire(1, 3))).toEqual({ kind: 'acked', ackedSeq: 3 });
    expect(await s.client.postBatch('gw-1', wire(1, 3))).toEqual({ kind: 'acked', ackedSeq: 3 });
    expect(await s.client.postBatch('gw-1', wire(6, 7))).toEqual({ kind: 'gap', ackedSeq: 3 });
    // overlap (a retry after a lost answer that also carries newer entries)
    expect(await s.client.postBatch('gw-1', wire(2, 5))).toEqual({ kind: 'acked', ackedSeq: 5 });
    const { keys, balances } = await hqLedger(db);
    expect(keys).toHaveLength(5);
    expect(balances.get('m1')?.points).toBe(10 + 11 + 12 + 13 + 14);
  });

  it('the sync service resumes from hq, and every store shows hq balance + its own later entries', async () => {
    const a = createSyncService({
      ledger: stores[0]!.ledger,
      client: stores[0]!.client,
      deviceId: 'gw-1',
      logger: silentLogger,
      batchSize: 3,
    });
    const b = createSyncService({
      ledger: stores[1]!.ledger,
      client: stores[1]!.client,
      deviceId: 'gw-2',
      logger: silentLogger,
      batchSize: 3,
    });
    earn(stores[1]!.ledger, 's2', 's2:e0', 'm1', 1000);
    await a.runOnce();
    await b.runOnce();
    await a.runOnce();
    const { balances, keys } = await hqLedger(db);
    const total = 10 + 11 + 12 + 13 + 14 + 15 + 16 - 25 + 1000;
    expect(balances.get('m1')?.points).toBe(total);
    expect(keys).toHaveLength(stores[0]!.ledger.lastSeq() + stores[1]!.ledger.lastSeq());
    expect(shownBalance(stores[0]!.ledger.db, 'm1').points).toBe(total);
    expect(shownBalance(stores[1]!.ledger.db, 'm1').points).toBe(total);
    // A local entry after the snapshot shows at once, on top of hq's balance.
    earn(stores[1]!.ledger, 's2', 's2:e1', 'm1', 5);
    expect(shownBalance(stores[1]!.ledger.db, 'm1').points).toBe(total + 5);
    expect(hqSnapshot(stores[1]!.ledger.db, 'm1')?.points).toBe(total);
    expect(a.progress().pending).toBe(0);
  });

  it('batches arriving reordered are refused with a gap, then accepted in order', async () => {
    const s = stores[1]!;
    const base = await hqAcked('gw-2'); // this store also has an entry hq has not seen yet
    for (let i = 0; i < 4; i++) earn(s.ledger, 's2', `s2:r${i}`, 'm2', 7);
    const last = s.ledger.lastSeq();
    const entries = s.ledger.entriesAfter(base, 10);
    const batch = (from: number, to: number): LedgerBatch => ({
      batchId: `r${from}`,
      fromSeq: from,
      toSeq: to,
      entries: entries.filter((e) => e.seq >= from && e.seq <= to).map((e) => toWireEntry('gw-2', e)),
    });
    expect(await s.client.postBatch('gw-2', batch(base + 3, last))).toEqual({ kind: 'gap', ackedSeq: base });
    expect(await s.client.postBatch('gw-2', batch(base + 1, base + 2))).toEqual({
      kind: 'acked',
      ackedSeq: base + 2,
    });
    expect(await s.client.postBatch('gw-2', batch(base + 3, last))).toEqual({
      kind: 'acked',
      ackedSeq: last,
    });
    expect((await hqLedger(db)).balances.get('m2')?.points).toBe(28);
  });

  it('a change page applied twice, or an older page after a newer one, changes nothing', async () => {
    const s = stores[0]!;
    const first = await s.client.getChanges('gw-1', 0, 1000);
    expect(first.balances.find((b) => b.memberId === 'm2')?.points).toBe(28);
    applyChangesPage(s.ledger.db, first, 0, new Date().toISOString());
    const shown = shownBalance(s.ledger.db, 'm2');
    applyChangesPage(s.ledger.db, first, 0, new Date().toISOString());
    expect(shownBalance(s.ledger.db, 'm2')).toEqual(shown);
    // An old page (m2 at an earlier snapshot) arriving late does not regress the snapshot.
    const old = {
      ...first,
      cursor: 1,
      balances: [{ memberId: 'm2', points: 0, credit: 0, tier: null, includesDeviceSeq: 0 }],
    };
    expect(applyChangesPage(s.ledger.db, old, 0, new Date().toISOString()).applied).toBe(false);
    expect(shownBalance(s.ledger.db, 'm2')).toEqual(shown);
  });

  const hqAcked = async (deviceId: string) =>
    Number(
      (await db.query<{ a: string }>('SELECT acked_seq AS a FROM devices WHERE id = $1', [deviceId]))[0]?.a,
    );

  it('a member enrolled at one store reaches hq and the other store, with its card', async () => {
    const [a, b] = [stores[0]!, stores[1]!];
    a.ledger.addMember(
      { id: 'local-1', firstName: 'Local', tier: 'bronze', enrolledAt: '2026-11-23T10:00:00+04:00' },
      [{ uid: '04BEEF01', memberId: 'local-1', createdAt: '2026-11-23T10:00:00+04:00' }],
    );
    earn(a.ledger, 's1', 's1:local', 'local-1', 40);
    const sa = createSyncService({
      ledger: a.ledger,
      client: a.client,
      deviceId: 'gw-1',
      logger: silentLogger,
    });
    const sb = createSyncService({
      ledger: b.ledger,
      client: b.client,
      deviceId: 'gw-2',
      logger: silentLogger,
    });
    await sa.runOnce();
    await sb.runOnce();
    expect(b.ledger.getMember('local-1')?.firstName).toBe('Local');
    expect(b.ledger.findCard({ uid: '04beef01' })?.memberId).toBe('local-1');
    expect(shownBalance(b.ledger.db, 'local-1').points).toBe(40);
    // Sent once: the next batch carries no members.
    earn(a.ledger, 's1', 's1:local2', 'local-1', 1);
    await sa.runOnce();
    expect((await db.query('SELECT 1 FROM members WHERE id = $1', ['local-1'])).length).toBe(1);
  });

  it('an idempotency key hq already holds, sent again under a new seq, is skipped: the rest lands once', async () => {
    const token = await enroll(db, url, 's3', 'gw-3');
    const client = createHqClient({ url, token });
    const entry = (seq: number, key: string, member: string, amount: number): WireEntry => ({
      seq,
      key,
      txKey: key.split('/')[1] ?? key,
      owner: { member },
      asset: 'points',
      bucket: 'available',
      kind: 'earn',
      amount,
      qualifying: amount,
      ruleId: 'base',
      meta: null,
      at: '2026-11-23T10:00:00+04:00',
      programVersion: 1,
    });
    try {
      const first = [entry(1, 'gw-3/t1/1', 'dup-a', 10), entry(2, 'gw-3/t2/2', 'dup-b', 20)];
      expect(await client.postBatch('gw-3', { batchId: 'd1', fromSeq: 1, toSeq: 2, entries: first })).toEqual(
        {
          kind: 'acked',
          ackedSeq: 2,
        },
      );
      // seq 3 repeats seq 1's key: it must not count twice; seq 4 is new.
      const second = [entry(3, 'gw-3/t1/1', 'dup-a', 10), entry(4, 'gw-3/t4/4', 'dup-a', 5)];
      expect(
        await client.postBatch('gw-3', { batchId: 'd2', fromSeq: 3, toSeq: 4, entries: second }),
      ).toEqual({
        kind: 'acked',
        ackedSeq: 4,
      });
      const rows = await db.query<{ seq: string; idempotency_key: string }>(
        "SELECT seq, idempotency_key FROM entries WHERE device_id = 'gw-3' ORDER BY seq",
      );
      expect(rows.map((r) => [Number(r.seq), r.idempotency_key])).toEqual([
        [1, 'gw-3/t1/1'],
        [2, 'gw-3/t2/2'],
        [4, 'gw-3/t4/4'],
      ]);
      const { balances } = await hqLedger(db);
      expect(balances.get('dup-a')?.points).toBe(15);
      expect(balances.get('dup-b')?.points).toBe(20);
    } finally {
      client.close();
    }
  });

  it('refuses malformed batches with 400 naming the field, and oversized inflated bodies', async () => {
    const token = await enroll(db, url, 's9', 'gw-9');
    const post = (body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${url}/v1/devices/gw-9/ledger`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      });
    const bad = await post(Buffer.from(JSON.stringify({ batchId: 'b', fromSeq: 1, toSeq: 0, entries: [] })));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/toSeq/);
    // 100 MB of zeros gzip to ~100 KB: inflating stops at the limit.
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
    const r = await post(bomb, { 'content-encoding': 'gzip' });
    expect([400, 413]).toContain(r.status);
    expect((await post(Buffer.from('{}'), { 'content-encoding': 'br' })).status).toBe(400);
  });

  it('an enrollment token expires, and is bound to its store', async () => {
    const t0 = new Date('2026-11-23T10:00:00Z');
    const { token } = await createEnrollmentToken(db, 's7', t0, 24);
    const later = new Date(t0.getTime() + 25 * 3_600_000);
    await expect(
      enrollDevice(db, { enrollmentToken: token, deviceId: 'gw-7', storeId: 's7' }, later),
    ).rejects.toThrow(/expired/);
    const { token: t2 } = await createEnrollmentToken(db, 's7', t0, 24);
    await expect(
      enrollDevice(db, { enrollmentToken: t2, deviceId: 'gw-7', storeId: 's8' }, t0),
    ).rejects.toThrow(/store s7/);
    const stored = await db.query<{ token_hash: string }>('SELECT token_hash FROM enrollment_tokens');
    expect(stored.some((r) => r.token_hash === token)).toBe(false);
  });
});
