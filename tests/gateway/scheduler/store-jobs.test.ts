import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize } from '../../../gateway/src/engine/index.ts';
import { readMembersFile } from '../../../gateway/src/import/read-members.ts';
import type { Ledger } from '../../../gateway/src/ledger/index.ts';
import type { Program } from '../../../gateway/src/program/schema.ts';
import { type JobDeps, runDueJobs, yearlyDays } from '../../../gateway/src/scheduler/store-jobs.ts';
import { openStoreLedger } from '../../../gateway/src/store-ledger.ts';
import { loadState } from '../../../gateway/src/tills/member-view.ts';
import { DEMO_MEMBERS, loadDemoProgram } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

let dir: ReturnType<typeof makeTempDir>;
let ledger: Ledger;
let program: Program;
let deps: JobDeps;
const points = (m: string) => ledger.balance({ member: m }, 'points');

/** A lot earned 10 Jan 2025 that expires at the end of 10 Jan 2026. */
const seedLotExpiring2026 = (l: Ledger, key: string, member: string, amount: number) =>
  l.commit({
    idempotencyKey: key,
    type: 'sale',
    at: '2025-01-10T12:00:00+04:00',
    programVersion: 1,
    storeId: 's1',
    postings: [
      {
        owner: { member },
        asset: 'points',
        bucket: 'available',
        kind: 'earn',
        amount,
        lot: { availableAt: '2025-01-10T12:00:00+04:00', expiresAt: '2026-01-10T23:59:59.999+04:00' },
      },
    ],
  });

beforeEach(async () => {
  dir = makeTempDir('le-jobs-');
  ledger = openStoreLedger({ dataDir: dir.path });
  program = await loadDemoProgram();
  const { rows } = await readMembersFile(DEMO_MEMBERS);
  await ledger.importMembers(rows, {
    at: '2025-01-01T00:00:00+04:00',
    storeId: 's1',
    programVersion: 1,
    tier: 'bronze',
  });
  deps = { ledger, program: () => program, storeId: 's1', chain: false };
});
afterEach(() => {
  ledger.close();
  dir.remove();
});

describe('scheduled jobs of a standalone store', () => {
  it('posts a birthday once, and 29 February birthdays on 28 February in common years', () => {
    expect(yearlyDays('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(yearlyDays('2028-02-28')).toEqual(['02-28']);
    // M-1003 was born 1996-02-29, M-1001 on 1990-02-28; the demo's birthday rule gives 500 points.
    const before = points('M-1003');
    const now = new Date('2027-02-28T12:00:00+04:00');
    expect(runDueJobs(deps, now, true).events).toBe(2);
    expect(points('M-1003')).toBe(before + 500);
    expect(runDueJobs(deps, new Date('2027-02-28T18:00:00+04:00'), true).events).toBe(0);
    expect(points('M-1003')).toBe(before + 500);
  });

  it('takes the birthday day in the program time zone, not UTC', () => {
    // M-1002 was born 23 November; 22 Nov 21:00 UTC is already 23 Nov 01:00 in Yerevan.
    const before = points('M-1002');
    expect(runDueJobs(deps, new Date('2026-11-22T21:00:00Z'), true).events).toBe(1);
    expect(points('M-1002')).toBe(before + 500);
  });

  it('posts what is left of expired lots, and gives expired holds back', () => {
    seedLotExpiring2026(ledger, 'seed-lot', 'M-1001', 40);
    const before = points('M-1001');
    const now = new Date('2026-06-01T12:00:00+04:00');
    expect(runDueJobs(deps, now, false).expiries).toBe(1);
    expect(points('M-1001')).toBe(before - 40);

    const ctx = { program, now: now.toISOString(), storeId: 's1' };
    const hold = authorize(ctx, loadState(ledger, 'M-1002', now, program), { holdId: 'H-9', credit: 5000 });
    ledger.commit(hold.transaction);
    const credit = ledger.balance({ member: 'M-1002' }, 'credit');
    expect(runDueJobs(deps, new Date(now.getTime() + 10 * 60_000), false).holds).toBe(0);
    expect(runDueJobs(deps, new Date(now.getTime() + 16 * 60_000), false).holds).toBe(1);
    expect(ledger.balance({ member: 'M-1002' }, 'credit')).toBe(credit + 5000);
    expect(ledger.verify()).toEqual([]);
  });

  it('downgrades a tier with no qualifying points once the grace period is over', () => {
    ledger.commit({
      idempotencyKey: 'seed-tier',
      type: 'adjust',
      at: '2025-02-01T12:00:00+04:00',
      programVersion: 1,
      storeId: 's1',
      postings: [],
      effects: { tierChange: { memberId: 'M-1004', from: 'bronze', to: 'gold', upgrade: true } },
    });
    expect(runDueJobs(deps, new Date('2026-11-23T12:00:00+04:00'), true).tiers).toBe(1);
    expect(ledger.getMember('M-1004')?.tier).toBe('bronze');
  });

  it('in a chain, leaves member-level jobs to head office, and still expires the lots it holds', () => {
    const chain = { ...deps, chain: true };
    seedLotExpiring2026(ledger, 'seed-chain-lot', 'M-1005', 25);
    const before = points('M-1005');
    // 28 Feb 2027: two demo birthdays are due, but they are head office's to post.
    expect(runDueJobs(chain, new Date('2027-02-28T12:00:00+04:00'), true)).toEqual({
      holds: 0,
      expiries: 1,
      events: 0,
      tiers: 0,
    });
    expect(points('M-1005')).toBe(before - 25);
    expect(ledger.verify()).toEqual([]);
  });
});
