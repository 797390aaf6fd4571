/**
 * docs/sync.md quarantine: an entry hq cannot store (a date that does not exist, a NUL in
 * its meta) is quarantined, not a 500 for the batch forever; the rest of the batch and the
 * later batches land. Real hub over loopback HTTP, real SQLite store ledger, the real
 * uploader, once per storage driver (PGlite and PostgreSQL 15).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { createHqClient, type HqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../gateway/src/sync/sync-service.ts';
import { readUploadHealth } from '../../gateway/src/sync/upload-health.ts';
import { type LedgerBatch, toWireEntry } from '../../gateway/src/sync/wire.ts';
import { hqQuarantine } from '../../hq/src/cli/quarantine-command.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { earn, ensureMember, openStore } from '../gateway/sync/store-fixture.ts';
import { availableDrivers } from './drivers.ts';
import { enroll, hqLedger, startHub } from './hub-fixture.ts';

const drivers = await availableDrivers();

/** An earning dated `at` with `meta`, as a store whose ledger holds it from before the edge check. */
const earnAt = (
  ledger: Ledger,
  key: string,
  at: string,
  amount: number,
  meta: Record<string, unknown> | null = null,
) => {
  ensureMember(ledger, 'm1');
  ledger.commit({
    idempotencyKey: key,
    type: 'sale',
    at,
    programVersion: 1,
    storeId: 's1',
    postings: [
      {
        owner: { member: 'm1' },
        asset: 'points',
        bucket: 'available',
        kind: 'earn',
        amount,
        ...(meta ? { meta } : {}),
        lot: { availableAt: '2026-11-23T10:00:00+04:00', expiresAt: null },
      },
    ],
    response: { ok: true },
  });
};

describe.each(drivers)('hq quarantine ($name)', (driver) => {
  let db: SqlDb;
  let hub: Hub;
  let url: string;
  let client: HqClient;
  let ledger: Ledger;
  const dir = makeTempDir();

  beforeAll(async () => {
    db = await driver.open();
    ({ hub, url } = await startHub(db));
    client = createHqClient({ url, token: await enroll(db, url, 's1', 'gw-q') });
    ledger = openStore(dir.file('gw-q.db'));
  }, 120_000);
  afterAll(async () => {
    client.close();
    ledger.close();
    await hub.stop();
    await db.close();
    dir.remove();
  });

  const admin = async (path: string) =>
    (await fetch(`${url}${path}`)).json() as Promise<Record<string, unknown>>;

  it('quarantines the poisoned entries of a batch and lands the rest; the ack says which and why', async () => {
    earn(ledger, 's1', 'good-1', 'm1', 10); // seq 1
    earnAt(ledger, 'feb-30', '2026-02-30T10:00:00+04:00', 1000); // seq 2: JavaScript rolls it over to March
    earn(ledger, 's1', 'good-2', 'm1', 20); // seq 3
    earnAt(ledger, 'year-0', '0000-01-01T10:00:00Z', 2000); // seq 4
    earnAt(ledger, 'nul-meta', '2026-11-23T10:00:00+04:00', 3000, { note: 'a\u0000b' }); // seq 5
    earn(ledger, 's1', 'good-3', 'm1', 30); // seq 6
    const batch: LedgerBatch = {
      batchId: 'q1',
      fromSeq: 1,
      toSeq: 6,
      entries: ledger.entriesAfter(0, 100).map((e) => toWireEntry('gw-q', e)),
    };
    const answer = await client.postBatch('gw-q', batch);
    expect(answer).toMatchObject({ kind: 'acked', ackedSeq: 6 });
    const quarantined = answer.kind === 'acked' ? (answer.quarantined ?? []) : [];
    expect(quarantined.map((q) => [q.item, q.seq])).toEqual([
      ['entry', 2],
      ['entry', 4],
      ['entry', 5],
    ]);
    expect(quarantined[0]?.reason).toBe(
      'at: "2026-02-30T10:00:00+04:00" 2026-02-30 is not a real calendar date',
    );
    expect(quarantined[1]?.reason).toMatch(/^at: .*year must be 0001 or later/);
    expect(quarantined[2]?.reason).toMatch(/^meta\.note: holds a NUL/);
    const { keys, balances } = await hqLedger(db);
    expect(keys).toEqual(['gw-q/good-1/1', 'gw-q/good-2/3', 'gw-q/good-3/6']);
    expect(balances.get('m1')?.points).toBe(60);

    // The same batch again (a lost answer): the same answer, nothing added anywhere.
    expect(await client.postBatch('gw-q', batch)).toEqual(answer);
    const rows = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM quarantine');
    expect(Number(rows[0]?.n)).toBe(3);
    expect((await hqLedger(db)).keys).toHaveLength(3);
  });

  it('lists the quarantine in the management API, with what the device sent', async () => {
    const { items } = (await admin('/v1/admin/quarantine?device=gw-q')) as {
      items: Array<Record<string, unknown>>;
    };
    expect(items.map((i) => i.seq).sort()).toEqual([2, 4, 5]);
    const feb = items.find((i) => i.seq === 2)!;
    expect(feb).toMatchObject({ deviceId: 'gw-q', storeId: 's1', item: 'entry', key: 'gw-q/feb-30/2' });
    expect(JSON.parse(String(feb.body))).toMatchObject({ at: '2026-02-30T10:00:00+04:00', amount: 1000 });
    const nul = items.find((i) => i.seq === 5)!;
    expect(JSON.parse(String(nul.body)).meta.note).toBe('a\u0000b');
    expect(((await admin('/v1/admin/quarantine?device=nobody')) as { items: unknown[] }).items).toEqual([]);

    // The dashboard shows them to the operator.
    const page = await (await fetch(`${url}/v1/admin/reports`)).text();
    expect(page).toContain('<h2>Quarantine</h2>');
    expect(page).toContain('gw-q/feb-30/2');
    expect(page).toContain('2026-02-30 is not a real calendar date');

    // The same from the command line, through the running hub.
    const hqConfig = dir.file('hq.yaml');
    writeFileSync(hqConfig, `dataDir: ${dir.path}\nhq:\n  port: ${hub.port()}\n`);
    const lines: string[] = [];
    const io = {
      out: (l: string) => lines.push(l),
      err: (l: string) => lines.push(l),
      progress: () => undefined,
    };
    expect(await hqQuarantine.run(['--device', 'gw-q', '--config', hqConfig], io)).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes('seq 2 '))).toMatch(
      /gw-q \(store s1\) entry seq 2 gw-q\/feb-30\/2: at: .*2026-02-30 is not a real calendar date$/,
    );
  });

  it('quarantines a member or card row it cannot store, and stores the others of the batch', async () => {
    const from = ledger.lastSeq() + 1;
    earn(ledger, 's1', 'good-m', 'm1', 1);
    const member = (id: string, enrolledAt: string) => ({
      id,
      firstName: `First ${id}`,
      lastName: null,
      phone: null,
      email: null,
      birthDate: null,
      anniversaryDate: null,
      language: 'en',
      customerGroup: null,
      tier: 'bronze',
      enrolledAt,
    });
    const card = (uid: string, memberId: string, createdAt: string) => ({
      uid,
      number: null,
      memberId,
      status: 'active' as const,
      expiresAt: null,
      pinHash: null,
      createdAt,
    });
    const batch: LedgerBatch = {
      batchId: 'q-members',
      fromSeq: from,
      toSeq: from,
      entries: ledger.entriesAfter(from - 1, 1).map((e) => toWireEntry('gw-q', e)),
      members: [member('s1-ok', '2026-11-23T10:00:00+04:00'), member('s1-bad', '2026-02-30T10:00:00+04:00')],
      cards: [
        card('0A0B0C0D', 's1-ok', '2026-11-23T10:00:00+04:00'),
        card('0E0F1011', 's1-ok', '2026-11-23T25:00:00Z'),
      ],
    };
    const answer = await client.postBatch('gw-q', batch);
    expect(answer).toMatchObject({ kind: 'acked', ackedSeq: from });
    const quarantined = answer.kind === 'acked' ? (answer.quarantined ?? []) : [];
    expect(quarantined.filter((q) => q.item !== 'entry').map((q) => [q.item, q.key])).toEqual([
      ['member', 's1-bad'],
      ['card', '0E0F1011'],
    ]);
    const members = await db.query<{ id: string }>("SELECT id FROM members WHERE id LIKE 's1-%' ORDER BY id");
    expect(members.map((m) => m.id)).toEqual(['s1-ok']);
    const cards = await db.query<{ uid: string }>("SELECT uid FROM cards WHERE member_id = 's1-ok'");
    expect(cards.map((c) => c.uid)).toEqual(['0A0B0C0D']);
  });

  it('an entry the database refuses for a reason the check does not know is quarantined all the same', async () => {
    // A rule of this hq's database the check knows nothing of (as a future constraint would be).
    await db.query('ALTER TABLE entries ADD CONSTRAINT q_test_no_777 CHECK (amount <> 777) NOT VALID');
    try {
      const from = ledger.lastSeq() + 1;
      earn(ledger, 's1', 'good-6', 'm1', 6);
      earn(ledger, 's1', 'refused-777', 'm1', 777);
      earn(ledger, 's1', 'good-7', 'm1', 7);
      const before = (await hqLedger(db)).balances.get('m1')?.points ?? 0;
      const batch: LedgerBatch = {
        batchId: 'q-777',
        fromSeq: from,
        toSeq: from + 2,
        entries: ledger.entriesAfter(from - 1, 3).map((e) => toWireEntry('gw-q', e)),
      };
      const answer = await client.postBatch('gw-q', batch);
      expect(answer).toMatchObject({ kind: 'acked', ackedSeq: from + 2 });
      const quarantined = answer.kind === 'acked' ? (answer.quarantined ?? []) : [];
      expect(quarantined).toHaveLength(1);
      expect(quarantined[0]).toMatchObject({
        item: 'entry',
        seq: from + 1,
        key: `gw-q/refused-777/${from + 1}`,
      });
      expect(quarantined[0]?.reason).toMatch(/^the database refused it: .*q_test_no_777/);
      expect((await hqLedger(db)).balances.get('m1')?.points).toBe(before + 6 + 7);
      // Sent again: the same answer, one quarantine row.
      expect(await client.postBatch('gw-q', batch)).toEqual(answer);
      const rows = await db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM quarantine WHERE key LIKE 'gw-q/refused-777/%'",
      );
      expect(Number(rows[0]?.n)).toBe(1);
    } finally {
      await db.query('ALTER TABLE entries DROP CONSTRAINT q_test_no_777');
    }
  });

  it('a database that refuses every entry of a batch fails the batch instead of quarantining it all', async () => {
    await db.query('ALTER TABLE entries ADD CONSTRAINT q_test_refuse_all CHECK (amount < 0) NOT VALID');
    const from = ledger.lastSeq() + 1;
    earn(ledger, 's1', 'good-8', 'm1', 8);
    earn(ledger, 's1', 'good-9', 'm1', 9);
    const batch: LedgerBatch = {
      batchId: 'q-all',
      fromSeq: from,
      toSeq: from + 1,
      entries: ledger.entriesAfter(from - 1, 2).map((e) => toWireEntry('gw-q', e)),
    };
    try {
      await expect(client.postBatch('gw-q', batch)).rejects.toThrow(/hq answered 500/);
      const rows = await db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM quarantine WHERE key LIKE 'gw-q/good-%'",
      );
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      await db.query('ALTER TABLE entries DROP CONSTRAINT q_test_refuse_all');
    }
    expect(await client.postBatch('gw-q', batch)).toEqual({ kind: 'acked', ackedSeq: from + 1 });
  });

  it('later batches land, through the real uploader, which records what was quarantined', async () => {
    earn(ledger, 's1', 'good-4', 'm1', 40);
    earnAt(ledger, 'apr-31', '2026-04-31T09:00:00+04:00', 5000);
    earn(ledger, 's1', 'good-5', 'm1', 50);
    // The device restarts its uploader from scratch: hq's ack tells it where it stands.
    const sync = createSyncService({ ledger, client, deviceId: 'gw-q', logger: silentLogger, batchSize: 2 });
    await sync.runOnce();
    expect(sync.progress()).toMatchObject({ pending: 0, ackedSeq: 15, uploadFailing: null });
    // Its first batch (1-2) was acked before, by hand: hq's answer acks through 12 and names
    // every quarantined entry up to there, so a device that lost answers (or never had them)
    // hears of all of them.
    const health = readUploadHealth(ledger.db);
    expect(health.quarantinedItems.map((q) => q.seq)).toEqual([2, 4, 5, 9, 14]);
    expect(health.quarantined).toBe(5);
    expect(sync.progress().quarantined).toBe(5);
    const { keys, balances } = await hqLedger(db);
    expect(keys).toHaveLength(10);
    expect(balances.get('m1')?.points).toBe(60 + 1 + 6 + 7 + 8 + 9 + 40 + 50);
  });
});
