import { describe, expect, it } from 'vitest';
import { processSale, simulateSale } from '../../../gateway/src/engine/sale.ts';
import { apply, ctx, member, program, sale } from './helpers.ts';

const weekendDouble = {
  id: 'weekend-double',
  type: 'multiplier' as const,
  factor: 2,
  when: { daysOfWeek: ['sat' as const, 'sun' as const] },
};

describe('sale accrual (docs/program.md: Accrual of one sale)', () => {
  it('spend: floors once per sale, not per line', () => {
    const r = processSale(ctx(program()), member(), sale([{ amount: 15000 }, { amount: 15000 }]));
    // per line: floor(1.5) + floor(1.5) = 2; per sale: floor(1.5 + 1.5) = 3
    expect(r.response.earned).toEqual({ points: 3, credit: 0 });
    expect(r.response.breakdown).toEqual([{ ruleId: 'base', points: 3, credit: 0 }]);
    expect(r.transaction.programVersion).toBe(3);
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({
        kind: 'earn',
        amount: 3,
        ruleId: 'base',
        bucket: 'available',
        qualifying: 3,
      }),
    ]);
  });

  it('multipliers: the highest factor on a line wins, they never compound', () => {
    const p = program({
      earn: [
        { id: 'base', type: 'spend', points: 1, per: 10000 },
        weekendDouble,
        { id: 'vitamin-triple', type: 'multiplier', factor: 3, productGroups: ['vitamins'] },
      ],
    });
    // 2026-12-05 is a Saturday in Yerevan
    const r = processSale(
      ctx(p),
      member(),
      sale([{ amount: 20000, productGroup: 'vitamins' }, { amount: 10000 }], {
        at: '2026-12-05T12:00:00+04:00',
      }),
    );
    // vitamins: 2 × max(2, 3) = 6 (compounding would give 12); other: 1 × 2 = 2; total 8
    expect(r.response.earned.points).toBe(8);
    // base 3; vitamin-triple adds 2 × (3 − 1) = 4; weekend-double adds 1 × (2 − 1) = 1
    expect(r.response.breakdown).toEqual([
      { ruleId: 'base', points: 3, credit: 0 },
      { ruleId: 'vitamin-triple', points: 4, credit: 0 },
      { ruleId: 'weekend-double', points: 1, credit: 0 },
    ]);
  });

  it('timezone: 23:30 UTC on a Friday is Saturday in Asia/Yerevan', () => {
    const p = program({ earn: [{ id: 'base', type: 'spend', points: 1, per: 10000 }, weekendDouble] });
    // 2026-12-04 is a Friday; 23:30Z = 03:30 Saturday +04:00 → 1 × 2 = 2
    const late = processSale(ctx(p), member(), sale([{ amount: 10000 }], { at: '2026-12-04T23:30:00Z' }));
    expect(late.response.earned.points).toBe(2);
    // 19:30Z = 23:30 Friday local → 1
    const early = processSale(ctx(p), member(), sale([{ amount: 10000 }], { at: '2026-12-04T19:30:00Z' }));
    expect(early.response.earned.points).toBe(1);
  });

  it('tier multiplier is the tier before the sale; an upgrade applies from the next sale, same day', () => {
    const p = program();
    const m0 = member({ qualifying: [{ at: '2026-11-01T10:00:00+04:00', amount: 990 }] });
    const first = processSale(ctx(p, '2026-12-02T10:00:00+04:00'), m0, sale([{ amount: 200000 }]));
    // bronze ×1: 200000 / 10000 = 20; qualifying 990 + 20 = 1010 ≥ 1000 → silver
    expect(first.response.earned.points).toBe(20);
    expect(first.response).toMatchObject({ tier: 'silver', tierChanged: true });
    const m1 = {
      ...apply(m0, first.transaction, { n: 1 }),
      tier: 'silver',
      tierSince: '2026-12-02T10:00:00+04:00',
    };
    const second = processSale(
      ctx(p, '2026-12-02T11:00:00+04:00'),
      m1,
      sale([{ amount: 200000 }], { saleId: 'S2', at: '2026-12-02T11:00:00+04:00' }),
    );
    // silver ×1.25: 20 × 1.25 = 25 → base 20, tier bonus 5
    expect(second.response.earned.points).toBe(25);
    expect(second.response.breakdown).toEqual([
      { ruleId: 'base', points: 20, credit: 0 },
      { ruleId: 'tier:silver', points: 5, credit: 0 },
    ]);
    expect(second.response.tierChanged).toBe(false);
  });

  it('product-bonus: points × qty, capped per sale, not multiplied by the tier', () => {
    const p = program({
      earn: [
        { id: 'base', type: 'spend', points: 1, per: 10000 },
        { id: 'vitamin-c', type: 'product-bonus', points: 50, skus: ['VIT-C-500'], maxPerSale: 200 },
      ],
    });
    const r = processSale(
      ctx(p),
      member({ tier: 'silver' }),
      sale([
        { amount: 30000, sku: 'VIT-C-500', qty: 3 },
        { lineId: 'L2', amount: 20000, sku: 'VIT-C-500', qty: 2 },
      ]),
    );
    // spend: 5 × 1.25 = 6.25 → 6 (base 5, tier 1); bonus: 50 × 5 = 250, capped to 200
    expect(r.response.earned.points).toBe(206);
    expect(r.response.breakdown).toEqual([
      { ruleId: 'base', points: 5, credit: 0 },
      { ruleId: 'tier:silver', points: 1, credit: 0 },
      { ruleId: 'vitamin-c', points: 200, credit: 0 },
    ]);
    // the cap is shared pro rata: 150 × 200/250 = 120 and 100 × 200/250 = 80
    expect(r.transaction.records.sale.earned.bonus).toEqual({
      posted: 200,
      lines: { L1: '120/1', L2: '80/1' },
    });
  });

  it('cashback: floor(Σ eligible × percent / 100) into credit, filtered by product and customer group', () => {
    const p = program({
      earn: [
        {
          id: 'otc-cashback',
          type: 'cashback',
          percent: 2,
          productGroups: ['otc'],
          customerGroups: ['pensioner'],
        },
      ],
    });
    const lines = [
      { amount: 12345, productGroup: 'otc' },
      { amount: 6789, productGroup: 'otc' },
      { amount: 50000 },
    ];
    const r = processSale(ctx(p), member({ customerGroup: 'pensioner' }), sale(lines));
    // (12345 + 6789) × 2 / 100 = 382.68 → 382
    expect(r.response.earned).toEqual({ points: 0, credit: 382 });
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({ asset: 'credit', amount: 382, ruleId: 'otc-cashback' }),
    ]);
    expect(r.response.balances.credit).toBe(382);
    const other = processSale(ctx(p), member({ customerGroup: 'student' }), sale(lines));
    expect(other.response.earned.credit).toBe(0);
  });

  it('payments by loyalty-credit and gift-card never earn', () => {
    const p = program();
    const m = member({
      lots: [
        {
          id: 1,
          asset: 'credit',
          remaining: 0,
          earnedAt: '2026-11-01T00:00:00Z',
          availableAt: '2026-11-01T00:00:00Z',
          expiresAt: null,
        },
      ],
      holds: [{ holdId: 'h1', amount: 5000, expiresAt: '2026-12-02T10:15:00+04:00', status: 'open' }],
    });
    const r = processSale(
      ctx(p),
      m,
      sale([{ amount: 40000 }], {
        payments: [
          { method: 'cash', amount: 15000 },
          { method: 'gift-card', amount: 20000 },
          { method: 'loyalty-credit', amount: 5000, holdId: 'h1' },
        ],
      }),
    );
    // 40000 × 15000/40000 × 1/10000 = 1.5 → 1
    expect(r.response.earned.points).toBe(1);
    // the sale captures the hold for what it paid
    expect(r.transaction.postings).toContainEqual(
      expect.objectContaining({
        bucket: 'held',
        kind: 'capture',
        amount: -5000,
        meta: { holdId: 'h1', saleId: 'S1' },
      }),
    );
  });

  it('a spend rule limited to paymentMethods counts only those payments', () => {
    const p = program({
      earn: [{ id: 'card-only', type: 'spend', points: 1, per: 100, paymentMethods: ['card'] }],
    });
    const r = processSale(
      ctx(p),
      member(),
      sale([{ amount: 1000 }], {
        payments: [
          { method: 'card', amount: 250 },
          { method: 'cash', amount: 750 },
        ],
      }),
    );
    // 1000 × 250/1000 / 100 = 2.5 → 2
    expect(r.response.earned.points).toBe(2);
  });

  it('discounts: on each line the highest percent wins (rule or tier)', () => {
    const p = program({
      earn: [
        { id: 'vitamins-10', type: 'discount', percent: 10, productGroups: ['vitamins'] },
        { id: 'december-2', type: 'discount', percent: 2, when: { from: '2026-12-01', to: '2026-12-31' } },
      ],
    });
    const r = processSale(
      ctx(p),
      member({ tier: 'gold' }),
      sale([{ amount: 1000, productGroup: 'vitamins' }, { amount: 1000 }]),
    );
    // L1: max(10, 2, gold 3) = 10; L2: max(2, gold 3) = 3
    expect(r.response.discounts).toEqual([
      { ruleId: 'vitamins-10', percent: 10, lineIds: ['L1'] },
      { ruleId: 'tier:gold', percent: 3, lineIds: ['L2'] },
    ]);
    expect(r.transaction.postings).toEqual([]);
  });

  it('birthday-month discount uses the member date filter', () => {
    const p = program({
      earn: [{ id: 'bday', type: 'discount', percent: 10, member: { birthday: 'month' } }],
    });
    const yes = processSale(ctx(p), member({ birthDate: '1990-12-31' }), sale([{ amount: 1000 }]));
    const no = processSale(ctx(p), member({ birthDate: '1990-11-30' }), sale([{ amount: 1000 }]));
    expect(yes.response.discounts).toEqual([{ ruleId: 'bday', percent: 10, lineIds: ['L1'] }]);
    expect(no.response.discounts).toEqual([]);
  });

  it('pending points count for tiers at once but are not spendable until availableAt', () => {
    const p = program({ points: { pendingDays: 3, expiry: 'none' } });
    const r = processSale(ctx(p), member(), sale([{ amount: 50000 }]));
    expect(r.response.balances).toEqual({ points: 0, pendingPoints: 5, credit: 0 });
    expect(r.transaction.postings[0]).toMatchObject({
      amount: 5,
      qualifying: 5,
      lot: { availableAt: '2026-12-05T06:00:00.000Z', expiresAt: null }, // 10:00+04:00 + 3 days
    });
  });

  it('first sale posts first-purchase and referral (to both sides) in the same transaction', () => {
    const p = program({
      earn: [
        { id: 'base', type: 'spend', points: 1, per: 10000 },
        { id: 'first', type: 'event', event: 'first-purchase', points: 50 },
        { id: 'ref', type: 'event', event: 'referral', points: 300, to: 'both' },
      ],
    });
    const r = processSale(ctx(p), member({ lastSaleAt: null, referrerId: 'm0' }), sale([{ amount: 10000 }]));
    // 1 (spend) + 50 (first purchase) + 300 (referred half of the referral) = 351
    expect(r.response.earned.points).toBe(351);
    expect(r.eventsPosted).toEqual(['first-purchase', 'referral']);
    expect(r.transaction.postings).toContainEqual(
      expect.objectContaining({ owner: { member: 'm0' }, amount: 300, kind: 'event', ruleId: 'ref' }),
    );
    // events do not qualify for tiers: only the spend posting carries qualifying 1
    expect(r.transaction.postings.reduce((s, p) => s + (p.qualifying ?? 0), 0)).toBe(1);
    const again = processSale(
      ctx(p),
      member({
        lastSaleAt: '2026-12-01T10:00:00+04:00',
        referrerId: 'm0',
        eventsPosted: ['first-purchase', 'referral'],
      }),
      sale([{ amount: 10000 }]),
    );
    expect(again.response.earned.points).toBe(1);
  });

  it('under debt, earnings repay the debt first', () => {
    const r = processSale(
      ctx(program()),
      member({ debt: { points: 4, credit: 0 } }),
      sale([{ amount: 100000 }]),
    );
    // earns 10: 4 repay the debt, 6 become a lot
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({ bucket: 'debt', kind: 'debt-repay', amount: -4, qualifying: 10 }),
      expect.objectContaining({ bucket: 'available', kind: 'earn', amount: 6 }),
    ]);
    expect(r.response.balances.points).toBe(6);
  });

  it('receipt lines come in the member language', () => {
    const r = processSale(ctx(program()), member({ language: 'hy' }), sale([{ amount: 30000 }]));
    expect(r.response.receipt[0]).toBe('Կուտակված: 3 Միավոր');
    expect(r.response.receipt).toContain('Մնացորդ: 3 Միավոր');
  });

  it('an anonymous sale is recorded and earns nothing; simulate equals sale', () => {
    const anon = processSale(ctx(program()), null, sale([{ amount: 30000 }]));
    expect(anon.transaction.postings).toEqual([]);
    expect(anon.transaction.records.sale.memberId).toBeNull();
    const m = member();
    const input = sale([{ amount: 30000 }]);
    expect(simulateSale(ctx(program()), m, input)).toEqual(processSale(ctx(program()), m, input).response);
  });
});

describe('sale-level filters', () => {
  it('hours (local time, end exclusive) and stores', () => {
    const p = program({
      earn: [
        { id: 'base', type: 'spend', points: 1, per: 10000 },
        {
          id: 'happy-hour',
          type: 'multiplier',
          factor: 3,
          when: { hours: '08:00-10:00' },
          stores: ['yerevan-1'],
        },
      ],
    });
    const at = (local: string) => `2026-12-02T${local}:00+04:00`;
    // 09:59 in yerevan-1: 1 × 3 = 3
    expect(
      processSale(ctx(p), member(), sale([{ amount: 10000 }], { at: at('09:59') })).response.earned.points,
    ).toBe(3);
    // 05:59Z is 09:59 local too
    expect(
      processSale(ctx(p), member(), sale([{ amount: 10000 }], { at: '2026-12-02T05:59:00Z' })).response.earned
        .points,
    ).toBe(3);
    // 10:00 is outside; another store never matches
    expect(
      processSale(ctx(p), member(), sale([{ amount: 10000 }], { at: at('10:00') })).response.earned.points,
    ).toBe(1);
    expect(
      processSale(ctx(p, undefined, 'gyumri-1'), member(), sale([{ amount: 10000 }], { at: at('09:00') }))
        .response.earned.points,
    ).toBe(1);
  });
});
