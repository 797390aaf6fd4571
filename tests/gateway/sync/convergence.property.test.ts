/**
 * Property (docs/protocol.md §2): several stores, random sales / returns / redemptions for shared
 * members, random lost requests, lost answers and restarts. Once everything is synced, every
 * store shows each member hq's balance, nothing is counted twice or dropped, and no balance
 * is negative anywhere (redemptions respect local lots and the offline caps).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import type { Ledger } from '../../../gateway/src/ledger/ledger.ts';
import { getSyncState, shownBalance } from '../../../gateway/src/ledger/sync-store.ts';
import { createHqClient, type HqClient } from '../../../gateway/src/sync/hq-client.ts';
import { checkOfflineSpend } from '../../../gateway/src/sync/offline-caps.ts';
import { createSyncService } from '../../../gateway/src/sync/sync-service.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { enroll, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';
import { type Fault, flakyClient } from './flaky-client.ts';
import { earn, openStore, spend } from './store-fixture.ts';

const STORES = 3;
const MEMBERS = 4;
const POLICY = { maxAgeMs: 3_600_000, spendLimit: { points: 40, credit: 0 } };

type Cmd =
  | { t: 'earn'; store: number; member: number; amount: number }
  | { t: 'spend'; store: number; member: number; amount: number; kind: 'spend' | 'reverse' }
  | { t: 'sync'; store: number; faults: Fault[] }
  | { t: 'restart'; store: number }
  | { t: 'clock'; minutes: number };

const fault = fc.constantFrom<Fault>('none', 'none', 'drop-request', 'lose-answer');
const store = fc.integer({ min: 0, max: STORES - 1 });
const member = fc.integer({ min: 0, max: MEMBERS - 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ t: fc.constant('earn' as const), store, member, amount: fc.integer({ min: 1, max: 60 }) }),
  fc.record({
    t: fc.constant('spend' as const),
    store,
    member,
    amount: fc.integer({ min: 1, max: 50 }),
    kind: fc.constantFrom('spend' as const, 'reverse' as const),
  }),
  fc.record({ t: fc.constant('sync' as const), store, faults: fc.array(fault, { maxLength: 4 }) }),
  fc.record({ t: fc.constant('restart' as const), store }),
  fc.record({ t: fc.constant('clock' as const), minutes: fc.integer({ min: 1, max: 180 }) }),
);

describe('sync convergence (property)', () => {
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

  it('every store ends showing hq’s balance; nothing doubled, dropped or negative', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 30 }), async (cmds) => {
        run++;
        const clock = { ms: Date.parse('2026-11-23T08:00:00Z') };
        const now = () => new Date(clock.ms);
        const m = (i: number) => `r${run}-m${i}`;
        const devices = await Promise.all(
          Array.from({ length: STORES }, async (_, i) => {
            const deviceId = `r${run}-gw${i}`;
            const token = await enroll(db, url, `r${run}-s${i}`, deviceId);
            return {
              deviceId,
              storeId: `r${run}-s${i}`,
              path: dir.file(`${deviceId}.db`),
              token,
              faults: [] as Fault[],
            };
          }),
        );
        const ledgers: Ledger[] = devices.map((d) => openStore(d.path));
        const clients: HqClient[] = devices.map((d) => createHqClient({ url, token: d.token }));
        const service = (i: number) =>
          createSyncService({
            ledger: ledgers[i]!,
            client: flakyClient(clients[i]!, devices[i]!.faults),
            deviceId: devices[i]!.deviceId,
            logger: silentLogger,
            batchSize: 2,
            pageSize: 3,
            now,
          });
        const services = devices.map((_, i) => service(i));
        let n = 0;
        try {
          for (const c of cmds) {
            n++;
            if (c.t === 'clock') clock.ms += c.minutes * 60_000;
            else if (c.t === 'earn')
              earn(ledgers[c.store]!, devices[c.store]!.storeId, `k${n}`, m(c.member), c.amount);
            else if (c.t === 'spend') {
              const l = ledgers[c.store]!;
              const shown = shownBalance(l.db, m(c.member)).points;
              const cap = checkOfflineSpend({
                now: now(),
                lastOkAt: getSyncState(l.db, 'lastOkAt'),
                policy: POLICY,
                asset: 'points',
                amount: c.amount,
                spentToday: l.spentSince(m(c.member), new Date(0)),
              });
              if (c.amount <= shown && (c.kind === 'reverse' || cap.ok))
                spend(l, devices[c.store]!.storeId, `k${n}`, m(c.member), c.amount, 'points', c.kind);
            } else if (c.t === 'sync') {
              devices[c.store]!.faults.push(...c.faults);
              await services[c.store]!.runOnce().catch(() => undefined);
            } else {
              // A restart: the process is gone, the database file is what remains.
              ledgers[c.store]!.close();
              ledgers[c.store] = openStore(devices[c.store]!.path);
              devices[c.store]!.faults.length = 0;
              services[c.store] = service(c.store);
            }
          }
          // Recovery: the network heals; every store uploads, then every store pulls.
          for (const d of devices) d.faults.length = 0;
          for (const s of services) await s.runOnce();
          for (const s of services) await s.runOnce();
          const hq = new Map(
            (
              await db.query<{ member_id: string; points: string }>(
                'SELECT member_id, points FROM balances WHERE member_id LIKE $1',
                [`r${run}-%`],
              )
            ).map((r) => [r.member_id, Number(r.points)]),
          );
          const keys = Number(
            (
              await db.query<{ n: string }>('SELECT count(*) AS n FROM entries WHERE device_id LIKE $1', [
                `r${run}-%`,
              ])
            )[0]?.n,
          );
          expect(keys).toBe(ledgers.reduce((sum, l) => sum + l.lastSeq(), 0));
          for (let i = 0; i < MEMBERS; i++) {
            const want = hq.get(m(i)) ?? 0;
            expect(want).toBeGreaterThanOrEqual(0);
            let local = 0;
            for (const l of ledgers) {
              expect(shownBalance(l.db, m(i)).points, `${m(i)} at a store`).toBe(want);
              local += l.balance({ member: m(i) }, 'points');
            }
            // hq's balance is exactly the sum of what the stores hold (no double count, no loss).
            expect(want).toBe(local);
          }
        } finally {
          for (const c of clients) c.close();
          for (const l of ledgers) l.close();
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
