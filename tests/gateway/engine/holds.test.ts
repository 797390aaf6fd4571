import { describe, expect, it } from 'vitest';
import type { Lot } from '../../../gateway/src/domain/ledger-types.ts';
import { authorize, capture, expireHolds, voidHold } from '../../../gateway/src/engine/holds.ts';
import { processSale } from '../../../gateway/src/engine/sale.ts';
import { ctx, member, program, sale } from './helpers.ts';

const creditLot: Lot = {
  id: 9,
  asset: 'credit',
  remaining: 10000,
  earnedAt: '2026-11-01T10:00:00+04:00',
  availableAt: '2026-11-01T10:00:00+04:00',
  expiresAt: null,
};
const hold = (amount: number, status: 'open' | 'captured' | 'voided' | 'expired' = 'open') => ({
  holdId: 'h1',
  amount,
  expiresAt: '2026-12-02T10:15:00+04:00',
  status,
});

describe('holds (docs/program.md: Redemption)', () => {
  it('authorize moves credit from available to held, not spendable twice', () => {
    const r = authorize(ctx(program()), member({ lots: [creditLot] }), { holdId: 'h1', credit: 4000 });
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({ bucket: 'available', kind: 'hold', amount: -4000, lotId: 9 }),
      expect.objectContaining({
        bucket: 'held',
        kind: 'hold',
        amount: 4000,
        meta: { holdId: 'h1', expiresAt: '2026-12-02T06:15:00.000Z' },
      }),
    ]);
    // holdMinutes defaults to 15
    expect(r.response).toEqual({
      holdId: 'h1',
      credit: 4000,
      expiresAt: '2026-12-02T06:15:00.000Z',
      balances: { points: 0, pendingPoints: 0, credit: 6000 },
    });
    // asking for more than there is approves what there is
    expect(
      authorize(ctx(program()), member({ lots: [creditLot] }), { holdId: 'h2', credit: 50000 }).response
        .credit,
    ).toBe(10000);
    expect(() => authorize(ctx(program()), member(), { holdId: 'h3', credit: 1 })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }),
    );
  });

  it('capture for less pays the captured part and releases the rest to available', () => {
    const r = capture(ctx(program()), member({ holds: [hold(4000)] }), {
      holdId: 'h1',
      saleId: 'S1',
      credit: 2500,
    });
    // 4000 held: 2500 captured, 1500 released
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({ bucket: 'held', kind: 'capture', amount: -2500 }),
      expect.objectContaining({ bucket: 'held', kind: 'release', amount: -1500 }),
      expect.objectContaining({
        bucket: 'available',
        kind: 'release',
        amount: 1500,
        lot: { availableAt: '2026-12-02T10:00:00+04:00', expiresAt: null },
      }),
    ]);
    expect(r.response.balances.credit).toBe(1500);
    expect(() =>
      capture(ctx(program()), member({ holds: [hold(4000)] }), { holdId: 'h1', saleId: 'S1', credit: 4001 }),
    ).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
  });

  it('an expired hold cannot be captured; the job releases it', () => {
    const late = ctx(program(), '2026-12-02T10:16:00+04:00');
    const m = member({ holds: [hold(4000)] });
    expect(() => capture(late, m, { holdId: 'h1', saleId: 'S1', credit: 100 })).toThrow(
      expect.objectContaining({ code: 'HOLD_EXPIRED' }),
    );
    expect(() =>
      capture(late, member({ holds: [hold(4000, 'expired')] }), { holdId: 'h1', saleId: 'S1', credit: 1 }),
    ).toThrow(expect.objectContaining({ code: 'HOLD_EXPIRED' }));
    const job = expireHolds(late, m);
    expect(job?.postings.map((p) => [p.bucket, p.kind, p.amount])).toEqual([
      ['held', 'release', -4000],
      ['available', 'release', 4000],
    ]);
    expect(expireHolds(ctx(program()), m)).toBeNull();
  });

  it('void releases everything; unknown or finished holds are HOLD_UNKNOWN', () => {
    const r = voidHold(ctx(program()), member({ holds: [hold(700)] }), 'h1');
    expect(r.response.balances.credit).toBe(700);
    expect(() => voidHold(ctx(program()), member(), 'h1')).toThrow(
      expect.objectContaining({ code: 'HOLD_UNKNOWN' }),
    );
    expect(() => voidHold(ctx(program()), member({ holds: [hold(700, 'voided')] }), 'h1')).toThrow(
      expect.objectContaining({ code: 'HOLD_UNKNOWN' }),
    );
  });

  it('a sale paying by loyalty-credit captures its hold for the amount paid, never more than held', () => {
    const input = sale([{ amount: 10000 }], {
      payments: [
        { method: 'cash', amount: 6000 },
        { method: 'loyalty-credit', amount: 4000, holdId: 'h1' },
      ],
    });
    const ok = processSale(ctx(program()), member({ holds: [hold(5000)] }), input);
    expect(ok.transaction.postings.filter((p) => p.bucket === 'held').map((p) => [p.kind, p.amount])).toEqual(
      [
        ['capture', -4000],
        ['release', -1000],
      ],
    );
    expect(() => processSale(ctx(program()), member({ holds: [hold(3000)] }), input)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }),
    );
    expect(() => processSale(ctx(program()), member(), input)).toThrow(
      expect.objectContaining({ code: 'HOLD_UNKNOWN' }),
    );
    // already captured by a capture request: the sale posts no second capture
    const done = processSale(ctx(program()), member({ holds: [hold(0, 'captured')] }), input);
    expect(done.transaction.postings.filter((p) => p.bucket === 'held')).toEqual([]);
  });
});
