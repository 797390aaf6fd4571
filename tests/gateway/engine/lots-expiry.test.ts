import { describe, expect, it } from 'vitest';
import { adjustBalance } from '../../../gateway/src/engine/adjustments.ts';
import { expiringSoon, runExpiry } from '../../../gateway/src/engine/expiry.ts';
import { memberBalances, newPointsLot } from '../../../gateway/src/engine/lots.ts';
import { processSale } from '../../../gateway/src/engine/sale.ts';
import { ctx, member, pointsLot, program, sale } from './helpers.ts';

describe('lots and expiry (docs/program.md: Balances, lots, expiry, pending)', () => {
  it('afterMonths: end of the same local day N months later', () => {
    const p = program({ points: { expiry: { afterMonths: 12 } } });
    // 2026-03-15T22:30Z is 2026-03-16 02:30 in Yerevan (+04:00) → end of 2027-03-16 local
    expect(newPointsLot(p, '2026-03-15T22:30:00Z').expiresAt).toBe('2027-03-16T19:59:59.999Z');
    // 31 Jan + 1 month → 28 Feb (2027 is a common year)
    const one = program({ points: { expiry: { afterMonths: 1 } } });
    expect(newPointsLot(one, '2027-01-31T10:00:00+04:00').expiresAt).toBe('2027-02-28T19:59:59.999Z');
  });

  it('endOfYearAfter: end of Dec 31, N years after earning', () => {
    const p = program({ points: { expiry: { endOfYearAfter: 1 } } });
    expect(newPointsLot(p, '2026-06-10T10:00:00+04:00').expiresAt).toBe('2027-12-31T19:59:59.999Z');
    const same = program({ points: { expiry: { endOfYearAfter: 0 } } });
    expect(newPointsLot(same, '2026-12-31T21:00:00Z').expiresAt).toBe('2027-12-31T19:59:59.999Z'); // already 2027 locally
  });

  it('inactivityMonths: every points lot expires N months after the last sale', () => {
    const p = program({ points: { expiry: { inactivityMonths: 18 } } });
    const m = member({
      lastSaleAt: '2025-01-10T10:00:00+04:00',
      lots: [pointsLot(1, 40, '2024-12-01T10:00:00+04:00'), pointsLot(2, 60, '2025-01-10T10:00:00+04:00')],
    });
    expect(newPointsLot(p, '2025-01-10T10:00:00+04:00').expiresAt).toBeNull();
    // still alive on 2026-07-10 (end of that day), gone on 2026-07-11
    expect(memberBalances(p, m, '2026-07-10T23:00:00+04:00').points).toBe(100);
    expect(memberBalances(p, m, '2026-07-11T00:00:00+04:00').points).toBe(0);
    expect(runExpiry(ctx(p, '2026-07-10T23:00:00+04:00'), m)).toBeNull();
    const job = runExpiry(ctx(p, '2026-07-11T00:00:00+04:00'), m);
    expect(job?.postings.map((x) => [x.lotId, x.amount, x.kind])).toEqual([
      [1, -40, 'expire'],
      [2, -60, 'expire'],
    ]);
  });

  it('none: lots never expire', () => {
    const p = program({ points: { expiry: 'none' } });
    expect(newPointsLot(p, '2026-06-10T10:00:00+04:00').expiresAt).toBeNull();
    const m = member({ lots: [pointsLot(1, 5, '2000-01-01T00:00:00Z')] });
    expect(runExpiry(ctx(p, '2099-01-01T00:00:00Z'), m)).toBeNull();
  });

  it('balances leave expired lots out even before the job runs; the job posts what is left', () => {
    const p = program({ points: { expiry: { afterMonths: 12 } } });
    const m = member({
      lots: [
        pointsLot(1, 30, '2025-11-01T10:00:00+04:00', '2026-11-01T19:59:59.999Z'),
        pointsLot(2, 12, '2026-11-02T10:00:00+04:00', '2027-11-02T19:59:59.999Z'),
      ],
    });
    expect(memberBalances(p, m, '2026-12-02T10:00:00+04:00')).toEqual({
      points: 12,
      pendingPoints: 0,
      credit: 0,
    });
    const job = runExpiry(ctx(p), m);
    expect(job?.postings).toEqual([expect.objectContaining({ lotId: 1, amount: -30, kind: 'expire' })]);
    expect(expiringSoon(ctx(p), m, '2027-12-31T00:00:00Z')).toEqual([
      { points: 12, at: '2027-11-02T19:59:59.999Z' },
    ]);
  });

  it('spending consumes soonest-expiring first, then oldest', () => {
    const p = program();
    const m = member({
      lots: [
        pointsLot(1, 10, '2026-05-01T10:00:00+04:00', '2027-05-01T19:59:59.999Z'),
        pointsLot(2, 10, '2025-01-01T10:00:00+04:00', null),
        pointsLot(3, 10, '2026-01-01T10:00:00+04:00', '2027-01-01T19:59:59.999Z'),
        pointsLot(4, 10, '2025-12-01T10:00:00+04:00', '2027-01-01T19:59:59.999Z'),
      ],
    });
    const r = adjustBalance(ctx(p), m, {
      asset: 'points',
      amount: -25,
      reason: 'correction',
      operator: 'op-7',
    });
    // lots 4 and 3 expire first (same day; 4 is older), then lot 1: 10 + 10 + 5
    expect(r.transaction.postings.map((x) => [x.lotId, x.amount])).toEqual([
      [4, -10],
      [3, -10],
      [1, -5],
    ]);
    expect(r.response.balances.points).toBe(15);
  });
});

describe('inactivity and a new sale', () => {
  it('a sale after the inactivity period posts the expiry instead of reviving the lots', () => {
    const p = program({ points: { expiry: { inactivityMonths: 18 } } });
    const m = member({
      lastSaleAt: '2025-01-10T10:00:00+04:00',
      lots: [pointsLot(1, 40, '2025-01-10T10:00:00+04:00')],
    });
    const r = processSale(ctx(p, '2026-12-02T10:00:00+04:00'), m, sale([{ amount: 30000 }]));
    // the qualifying rides on the earning, not on the expiry
    expect(r.transaction.postings.map((x) => [x.kind, x.amount, x.lotId, x.qualifying])).toEqual([
      ['expire', -40, 1, undefined],
      ['earn', 3, undefined, 3],
    ]);
    expect(r.response.balances.points).toBe(3);
  });
});
