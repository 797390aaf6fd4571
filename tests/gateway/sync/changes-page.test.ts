/**
 * A changes page's balances carry hq's tier for the member (docs/program.md: in a chain, head
 * office decides): the store adopts it, unless the store itself moved the tier after the
 * entries hq has seen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../../gateway/src/ledger/ledger.ts';
import { applyChangesPage } from '../../../gateway/src/ledger/sync-store.ts';
import type { ChangesPage } from '../../../gateway/src/sync/wire.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { AT, balancesPage, earn, ensureMember, openStore } from './store-fixture.ts';

const page = (cursor: number, tier: string, includesDeviceSeq: number): ChangesPage =>
  balancesPage(cursor, [{ memberId: 'm1', points: 100, credit: 0, tier, includesDeviceSeq }]);

describe('hq tiers in a changes page', () => {
  const dir = makeTempDir();
  let ledger: Ledger;
  afterEach(() => {
    ledger?.close();
  });

  it('adopts hq’s tier, but not over a tier change this store made after what hq has seen', () => {
    ledger = openStore(dir.file('tiers.db'));
    ensureMember(ledger, 'm1');
    earn(ledger, 's1', 'k1', 'm1', 10); // seq 1
    const apply = (p: ChangesPage, since: number) =>
      applyChangesPage(ledger.db, p, since, '2026-11-23T10:00:00+04:00');

    expect(apply(page(1, 'silver', 1), 0).tiers).toBe(1);
    expect(ledger.getMember('m1')?.tier).toBe('silver');

    // This store moves the member to gold (a sale's upgrade), after seq 1.
    ledger.commit({
      idempotencyKey: 'tier-up',
      type: 'tier',
      at: AT,
      programVersion: 1,
      storeId: 's1',
      postings: [],
      effects: { tierChange: { memberId: 'm1', from: 'silver', to: 'gold', upgrade: true } },
    });
    // hq has not seen it yet: its page still says silver, and the store keeps gold.
    expect(apply(page(2, 'silver', 1), 1).tiers).toBe(0);
    expect(ledger.getMember('m1')?.tier).toBe('gold');

    // Once hq has seen a later entry of this device, its word is the tier again.
    earn(ledger, 's1', 'k2', 'm1', 10); // seq 2, after the tier change
    expect(apply(page(3, 'silver', 2), 2).tiers).toBe(1);
    expect(ledger.getMember('m1')?.tier).toBe('silver');
    // The same page again changes nothing.
    expect(apply(page(3, 'silver', 2), 2).tiers).toBe(0);
    dir.remove();
  });
});
