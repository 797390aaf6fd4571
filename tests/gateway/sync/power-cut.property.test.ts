/**
 * Power cuts at any moment (property, fast-check; docs/sync.md "Only what is on disk goes
 * up", docs/protocol.md §2: nothing counted twice, nothing dropped). A real SQLite store
 * syncing to a real hub on PGlite runs a random mix of till groups (flush deferred, fsync
 * through the seam, completed or failed at random), FULL commits and uploads; then the power
 * goes — at the end, or just after hq took a batch and before the store heard back (where a
 * sent but unflushed group is lost at the store and kept by hq): the store's files are
 * copied with the log cut back to what the disk holds — the longest of what the last
 * completed fsync covered and what each FULL commit flushed. The
 * store restarted on the copy re-sends every sale and takes new ones, and uploads. hq must
 * then hold exactly the store's entries, and no answered sale may be missing.
 */
import { fstatSync, fsync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { runBatch } from '../../../gateway/src/ledger/batch.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { lastSeq } from '../../../gateway/src/ledger/outbox.ts';
import type { LedgerCommit } from '../../../gateway/src/ledger/types.ts';
import { createHqClient } from '../../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../../gateway/src/sync/sync-service.ts';
import { audit } from '../../../hq/src/audit.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { enroll, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';
import { storeKeys } from './durable-support.ts';
import { AT, ensureMember } from './store-fixture.ts';

const realFsync = promisify(fsync);

let db: SqlDb;
let hub: Hub;
let url: string;
beforeAll(async () => {
  db = await openTestPglite();
  const started = await startHub(db);
  hub = started.hub;
  url = started.url;
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await db?.close();
});

type Act = { t: 'group'; n: number } | { t: 'full' } | { t: 'complete' } | { t: 'fail' } | { t: 'upload' };
const actArb: fc.Arbitrary<Act> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('group' as const), n: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'full' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'complete' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'fail' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'upload' as const }) },
);

const sale = (key: string, member: string, amount: number): LedgerCommit => ({
  idempotencyKey: key,
  type: 'sale',
  at: AT,
  programVersion: 1,
  storeId: 'pc-store',
  postings: [
    {
      owner: { member },
      asset: 'points',
      bucket: 'available',
      kind: 'earn',
      amount,
      lot: { availableAt: AT, expiresAt: null },
    },
  ],
  response: { ok: true },
});

/** The log's checkpoint sequence (WAL header bytes 12–15): it changes when the log restarts. */
const logGeneration = (wal: Buffer) => (wal.length >= 16 ? wal.readUInt32BE(12) : null);

let runs = 0;

describe('power cuts at any moment (property)', () => {
  it('hq ends equal to the restarted store, with every answered sale', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        async (acts, newSales, cutDuringUpload) => {
          const run = ++runs;
          const deviceId = `pc-${run}`;
          const token = await enroll(db, url, 'pc-store', deviceId);
          const dir = makeTempDir('le-pcprop-');
          const walPath = dir.file('a.db-wal');
          let durableBytes = 0; // how much of the log the disk holds
          const queue: Array<(ok: boolean) => Promise<void>> = [];
          const a = openLedger(dir.file('a.db'), {
            seams: {
              fsync: (fd) =>
                new Promise<void>((resolve, reject) => {
                  const st = fstatSync(fd);
                  queue.push(async (ok) => {
                    if (!ok) return reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
                    await realFsync(fd);
                    if (st.isFile()) durableBytes = Math.max(durableBytes, st.size);
                    resolve();
                  });
                }),
            },
          });
          const flushedByFull = () => {
            durableBytes = Math.max(durableBytes, statSync(walPath).size);
          };
          // The power cut: what the disk holds at this moment.
          let cut: { db: Buffer; wal: Buffer; generation: number | null } | null = null;
          let cutOnNextBatch = false;
          const powerCut = () => {
            const wal = readFileSync(walPath);
            cut ??= {
              db: readFileSync(dir.file('a.db')),
              wal: wal.subarray(0, durableBytes),
              generation: logGeneration(wal),
            };
          };
          const syncOf = (ledger: Ledger) => {
            const client = createHqClient({ url, token });
            return createSyncService({
              ledger,
              client: {
                ...client,
                postBatch: async (...args: Parameters<typeof client.postBatch>) => {
                  const answer = await client.postBatch(...args);
                  if (cutOnNextBatch) powerCut(); // hq committed the batch; the store never hears back
                  return answer;
                },
              },
              deviceId,
              logger: silentLogger,
              batchSize: 4,
            });
          };
          const syncA = syncOf(a);
          let b: Ledger | null = null;
          try {
            for (const m of ['m0', 'm1', 'm2']) ensureMember(a, m);
            expect(a.db.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
            const sent: LedgerCommit[] = [];
            const answered = new Set<string>();
            let generation: number | null = null;
            for (const act of acts) {
              if (act.t === 'group') {
                const txs = Array.from({ length: act.n }, (_, i) =>
                  sale(`${run}:k${sent.length + i}`, `m${(sent.length + i) % 3}`, 1 + i),
                );
                sent.push(...txs);
                const wal = a.groupSync!;
                wal.deferred(txs.length, () =>
                  runBatch(
                    a.db,
                    txs.map((commit) => () => ({ commit, value: null })),
                    () => new Date(),
                  ),
                );
                wal.durable().then(
                  () => {
                    for (const t of txs) answered.add(t.idempotencyKey);
                  },
                  () => undefined,
                );
              } else if (act.t === 'full') {
                const tx = sale(`${run}:k${sent.length}`, 'm1', 9);
                sent.push(tx);
                a.commit(tx);
                flushedByFull();
                answered.add(tx.idempotencyKey);
              } else if (act.t === 'upload') {
                await syncA.runOnce();
                flushedByFull(); // its bookkeeping commits with FULL
              } else {
                await queue.shift()?.(act.t === 'complete');
              }
              await new Promise((r) => setImmediate(r));
              generation ??= logGeneration(readFileSync(walPath));
            }

            // The power cut, during one more upload or after everything.
            if (cutDuringUpload) {
              cutOnNextBatch = true;
              await syncA.runOnce();
            }
            powerCut();
            await syncA.stop();
            const { db: dbFile, wal, generation: atCut } = cut!;
            if (generation !== null) expect(atCut).toBe(generation); // the log only grew: a length is a point in it
            writeFileSync(dir.file('b.db'), dbFile);
            writeFileSync(dir.file('b.db-wal'), wal);

            // Restarted on what the disk kept: tills re-send everything, and new sales come.
            b = openLedger(dir.file('b.db'));
            const kept = new Set(storeKeys(b.db, deviceId).map((k) => k.key.split('/')[1]));
            for (const key of answered) expect(kept.has(key), `answered ${key} lost`).toBe(true);
            for (let i = 0; i < newSales; i++) b.commit(sale(`${run}:new${i}`, 'm2', 4));
            for (const tx of sent) b.commit(tx);
            const syncB = syncOf(b);
            for (let i = 0; i < 50 && (await audit(db, deviceId)).ackedSeq !== lastSeq(b.db); i++)
              await syncB.runOnce();
            await syncB.stop();
            const held = await audit(db, deviceId);
            expect(held.ackedSeq).toBe(lastSeq(b.db));
            expect(held.keys).toEqual(storeKeys(b.db, deviceId).map((k) => k.key));
            expect(held.drift).toEqual([]);
          } finally {
            for (const next of queue.splice(0)) await next(true).catch(() => undefined);
            a.close();
            b?.close();
            dir.remove();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 180_000);
});
