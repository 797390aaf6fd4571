/**
 * Property (docs/sync.md quarantine, docs/protocol.md §2): a store whose ledger holds some
 * entries hq cannot store, uploading in random batch sizes through lost requests, lost
 * answers and restarts. Once synced: hq holds exactly the storable entries, once each, its
 * balance is their sum, its quarantine holds exactly the others, once each, the store's
 * ackedSeq is its last seq, and the store has heard of every quarantined entry.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../gateway/src/sync/sync-service.ts';
import { readUploadHealth } from '../../gateway/src/sync/upload-health.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { type Fault, flakyClient } from '../gateway/sync/flaky-client.ts';
import { ensureMember, openStore } from '../gateway/sync/store-fixture.ts';
import { enroll, startHub } from './hub-fixture.ts';
import { openTestPglite } from './pglite-template.ts';

const GOOD_AT = '2026-11-23T10:00:00+04:00';
/** What an older gateway let into its ledger, and hq cannot store. */
const POISON = [
  { at: '2026-02-30T10:00:00+04:00', meta: null },
  { at: '0000-01-01T10:00:00Z', meta: null },
  { at: '2025-02-29T10:00:00+04:00', meta: null },
  { at: GOOD_AT, meta: { note: 'nul \u0000 here' } },
] as const;

type Cmd =
  | { t: 'entry'; amount: number; poison: number | null }
  | { t: 'sync'; faults: Fault[]; batch: number }
  | { t: 'restart' };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('entry' as const),
      amount: fc.integer({ min: 1, max: 100 }),
      poison: fc.option(fc.integer({ min: 0, max: POISON.length - 1 }), { freq: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('sync' as const),
      faults: fc.array(fc.constantFrom<Fault>('none', 'drop-request', 'lose-answer'), { maxLength: 3 }),
      batch: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);

describe('quarantine under faults (property)', () => {
  let db: SqlDb;
  let hub: Hub;
  let url: string;
  const dir = makeTempDir();
  let run = 0;

  beforeAll(async () => {
    db = await openTestPglite();
    ({ hub, url } = await startHub(db));
  }, 120_000);
  afterAll(async () => {
    await hub.stop();
    await db.close();
    dir.remove();
  });

  it('hq holds exactly the storable entries once, quarantines exactly the rest once, and the store hears of each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 3, maxLength: 25 }), async (cmds) => {
        run++;
        const deviceId = `qp${run}`;
        const member = `qp${run}-m`;
        const path = dir.file(`${deviceId}.db`);
        const client = createHqClient({ url, token: await enroll(db, url, `qp${run}-s`, deviceId) });
        const faults: Fault[] = [];
        let ledger: Ledger = openStore(path);
        const service = (batchSize: number) =>
          createSyncService({
            ledger,
            client: flakyClient(client, faults),
            deviceId,
            logger: silentLogger,
            batchSize,
          });
        const good = new Map<string, number>();
        const poisoned = new Set<string>();
        try {
          ensureMember(ledger, member);
          let n = 0;
          for (const c of cmds) {
            if (c.t === 'entry') {
              const key = `k${++n}`;
              const p = c.poison === null ? null : POISON[c.poison]!;
              ledger.commit({
                idempotencyKey: key,
                type: 'sale',
                at: p?.at ?? GOOD_AT,
                programVersion: 1,
                storeId: `qp${run}-s`,
                postings: [
                  {
                    owner: { member },
                    asset: 'points',
                    bucket: 'available',
                    kind: 'earn',
                    amount: c.amount,
                    ...(p?.meta ? { meta: p.meta } : {}),
                    lot: { availableAt: GOOD_AT, expiresAt: null },
                  },
                ],
                response: { ok: true },
              });
              const wireKey = `${deviceId}/${key}/${ledger.lastSeq()}`;
              if (p) poisoned.add(wireKey);
              else good.set(wireKey, c.amount);
            } else if (c.t === 'sync') {
              faults.push(...c.faults);
              await service(c.batch)
                .runOnce()
                .catch(() => undefined);
            } else {
              ledger.close();
              ledger = openStore(path);
              faults.length = 0;
            }
          }
          faults.length = 0;
          const last = service(3);
          await last.runOnce();
          expect(last.progress()).toMatchObject({
            pending: 0,
            ackedSeq: ledger.lastSeq(),
            uploadFailing: null,
          });

          const keys = (
            await db.query<{ k: string }>(
              'SELECT idempotency_key AS k FROM entries WHERE device_id = $1 ORDER BY 1',
              [deviceId],
            )
          ).map((r) => r.k);
          expect(keys).toEqual([...good.keys()].sort());
          const balance = await db.query<{ points: string | number }>(
            'SELECT points FROM balances WHERE member_id = $1',
            [member],
          );
          const sum = [...good.values()].reduce((a, b) => a + b, 0);
          expect(Number(balance[0]?.points ?? 0)).toBe(sum);
          const kept = (
            await db.query<{ key: string }>(
              "SELECT key FROM quarantine WHERE device_id = $1 AND item = 'entry' ORDER BY 1",
              [deviceId],
            )
          ).map((r) => r.key);
          expect(kept).toEqual([...poisoned].sort());
          const heard = readUploadHealth(ledger.db);
          expect(heard.quarantined).toBe(poisoned.size);
          expect(heard.quarantinedItems.map((q) => q.key).sort()).toEqual([...poisoned].sort());
        } finally {
          client.close();
          ledger.close();
        }
      }),
      {
        numRuns: 20,
        examples: [
          // The answer of the batch holding the poisoned entry is lost; the re-send of a part of
          // it is a duplicate that acks past it: the device must still hear of it.
          [
            [
              { t: 'sync', faults: ['none', 'lose-answer'], batch: 1 },
              { t: 'entry', amount: 1, poison: null },
              { t: 'entry', amount: 1, poison: 0 },
              { t: 'sync', faults: [], batch: 2 },
              { t: 'entry', amount: 1, poison: null },
              { t: 'sync', faults: [], batch: 1 },
              { t: 'sync', faults: [], batch: 1 },
            ],
          ],
        ],
      },
    );
  }, 240_000);
});
