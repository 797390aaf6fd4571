/**
 * The durable watermark under any interleaving (ledger/durable-seq.ts, docs/sync.md): on a
 * real SQLite file, deferred groups (with and without entries), FULL commits, and each WAL
 * fsync completed or failed at a random moment through the WalSync seam. The uploader's read
 * (`entriesAfter`) must never return an entry a completed fsync (or its own FULL commit) has
 * not put on disk, must always be a gap-free prefix, and must hold nothing back once the
 * fsyncs are done.
 */
import { fsync } from 'node:fs';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../gateway/src/ledger/batch.ts';
import { openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { lastSeq } from '../../../gateway/src/ledger/outbox.ts';
import type { LedgerCommit } from '../../../gateway/src/ledger/types.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const AT = '2026-11-23T10:00:00+04:00';
const realFsync = promisify(fsync);

type Action =
  | { t: 'group'; sales: number; empty: boolean }
  | { t: 'full' }
  | { t: 'complete' }
  | { t: 'fail' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('group' as const),
      sales: fc.integer({ min: 1, max: 3 }),
      empty: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'full' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'complete' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'fail' as const }) },
);

let keys = 0;
const sale = (empty: boolean): LedgerCommit => ({
  idempotencyKey: `k${++keys}`,
  type: empty ? 'refused' : 'sale',
  at: AT,
  programVersion: 1,
  storeId: 's',
  postings: empty
    ? []
    : [
        {
          owner: { member: 'm1' },
          asset: 'points',
          bucket: 'available',
          kind: 'earn',
          amount: 5,
          lot: { availableAt: AT, expiresAt: null },
        },
      ],
  response: { ok: true },
});

const settle = () => new Promise((r) => setImmediate(r));

describe('the durable watermark (property)', () => {
  it('the uploader reads exactly the entries on disk, whatever the order of commits and fsyncs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 30 }), async (actions) => {
        const dir = makeTempDir('le-durable-');
        // The seam: each fsync waits in this queue until the run completes or fails it.
        const queue: Array<{ groupsBefore: number; run: (ok: boolean) => Promise<void> }> = [];
        let groups = 0; // deferred groups committed so far (the model's clock)
        let durableGroups = 0; // every group before this index is covered by a completed fsync
        const ledger = openLedger(dir.file('store.db'), {
          seams: {
            fsync: (fd) =>
              new Promise<void>((resolve, reject) => {
                const groupsBefore = groups;
                queue.push({
                  groupsBefore,
                  run: async (ok) => {
                    if (!ok) return reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
                    await realFsync(fd);
                    durableGroups = Math.max(durableGroups, groupsBefore);
                    resolve();
                  },
                });
              }),
          },
        });
        try {
          ledger.addMember({ id: 'm1', firstName: 'M', tier: 'bronze', enrolledAt: AT });
          const wal = ledger.groupSync!;
          expect(wal).not.toBeNull();
          const onDisk = new Set<number>(); // seqs a FULL commit or a completed fsync covers
          const groupSeqs: number[][] = []; // per deferred group, its seqs
          const check = () => {
            for (const [i, seqs] of groupSeqs.entries())
              if (i < durableGroups) for (const s of seqs) onDisk.add(s);
            const read = ledger.entriesAfter(0, 1_000_000).map((e) => e.seq);
            for (const s of read) expect(onDisk.has(s), `seq ${s} sent before it is on disk`).toBe(true);
            // A prefix without holes: every committed seq up to the last one read.
            const all = ledger.db.prepare('SELECT seq FROM entries ORDER BY seq').pluck().all() as number[];
            expect(read).toEqual(all.slice(0, read.length));
          };
          for (const a of actions) {
            if (a.t === 'group') {
              const before = lastSeq(ledger.db);
              const works = Array.from({ length: a.sales }, () => {
                const commit = sale(a.empty);
                return () => ({ commit, value: null });
              });
              wal.deferred(a.sales, () => runBatch(ledger.db, works, () => new Date()));
              const after = lastSeq(ledger.db);
              groupSeqs.push(Array.from({ length: after - before }, (_, i) => before + 1 + i));
              groups++;
              wal.durable().catch(() => undefined); // the group's answers (a failure is the till's)
            } else if (a.t === 'full') {
              const r = ledger.commit(sale(false));
              // FULL: on disk at commit, and so is everything written before it.
              for (let s = 1; s <= (r.seqTo ?? 0); s++) onDisk.add(s);
            } else {
              const next = queue.shift();
              if (next) await next.run(a.t === 'complete');
            }
            await settle();
            check();
          }
          // Every fsync done (one more for groups whose fsync failed): nothing is held back.
          wal.durable().catch(() => undefined);
          for (let i = 0; i < 200 && (ledger.durable.holding || queue.length > 0); i++) {
            const next = queue.shift();
            if (next) await next.run(true);
            // The first fsync of a log opens it on the thread pool before it reaches the seam.
            else await new Promise((r) => setTimeout(r, 2));
          }
          check();
          expect(ledger.durable.holding).toBe(false);
          expect(ledger.entriesAfter(0, 1_000_000).length).toBe(
            ledger.db.prepare('SELECT count(*) FROM entries').pluck().get() as number,
          );
        } finally {
          ledger.close();
          dir.remove();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
