/**
 * Property tests: random programs and random sequences of sales, returns, redemptions and
 * days passing, applied to a model ledger (helpers.ts `apply`, which throws on any
 * negative lot or debt).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  EarnKind,
  LedgerTransaction,
  MemberState,
  SaleHistory,
} from '../../../gateway/src/domain/ledger-types.ts';
import { toIso, toMs } from '../../../gateway/src/engine/calendar.ts';
import { EngineError } from '../../../gateway/src/engine/errors.ts';
import { runExpiry } from '../../../gateway/src/engine/expiry.ts';
import { memberBalances } from '../../../gateway/src/engine/lots.ts';
import { floor, mul, rat } from '../../../gateway/src/engine/rational.ts';
import { processReturn, returnedShare } from '../../../gateway/src/engine/returns.ts';
import { redeemReward } from '../../../gateway/src/engine/rewards.ts';
import { processSale } from '../../../gateway/src/engine/sale.ts';
import { dailyTier } from '../../../gateway/src/engine/tiers.ts';
import type { Program } from '../../../gateway/src/program/schema.ts';
import { apply, ctx, member, net, program } from './helpers.ts';

const programArb = fc
  .record({
    points: fc.integer({ min: 1, max: 5 }),
    per: fc.integer({ min: 1, max: 20000 }),
    factor: fc.constantFrom(0.5, 1.5, 2, 3),
    bonus: fc.integer({ min: 1, max: 100 }),
    cap: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
    cashback: fc.constantFrom(1, 2.5, 5),
    silver: fc.constantFrom(1, 1.25, 1.5),
    negativeBalance: fc.constantFrom('clamp' as const, 'debt' as const),
    pendingDays: fc.integer({ min: 0, max: 3 }),
    expiry: fc.constantFrom(
      'none' as const,
      { afterMonths: 1 },
      { endOfYearAfter: 0 },
      { inactivityMonths: 1 },
    ),
    rewardCost: fc.integer({ min: 1, max: 50 }),
  })
  .map((r) =>
    program({
      points: { pendingDays: r.pendingDays, expiry: r.expiry },
      returns: { negativeBalance: r.negativeBalance },
      tiers: {
        basis: { earnedPointsMonths: 1 },
        downgradeGraceMonths: 0,
        levels: [
          { id: 'bronze', threshold: 0 },
          { id: 'silver', threshold: 50, earnMultiplier: r.silver },
        ],
      },
      earn: [
        { id: 'base', type: 'spend', points: r.points, per: r.per },
        { id: 'mult', type: 'multiplier', factor: r.factor, productGroups: ['otc'] },
        { id: 'bonus', type: 'product-bonus', points: r.bonus, skus: ['A'], maxPerSale: r.cap },
        { id: 'cb', type: 'cashback', percent: r.cashback, productGroups: ['food'] },
      ],
      rewards: [
        { id: 'r', name: { en: 'R' }, cost: { points: r.rewardCost }, grants: { voucher: { sku: 'V' } } },
        { id: 'w', name: { en: 'W' }, cost: { points: r.rewardCost }, grants: { credit: 100 } },
      ],
    }),
  );

const lineArb = fc.record({
  sku: fc.constantFrom('A', 'B', 'C'),
  productGroup: fc.constantFrom('otc', 'food', undefined),
  qty: fc.integer({ min: 1, max: 4 }),
  amount: fc.integer({ min: 0, max: 60000 }),
});

// returns weigh most: partial returns in several steps are where the arithmetic is subtle
const opArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('sale' as const),
      lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
      giftCardPercent: fc.integer({ min: 0, max: 100 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('return' as const),
      pick: fc.nat(),
      all: fc.nat({ max: 5 }).map((n) => n === 0),
      qtys: fc.array(fc.nat({ max: 2 }), { maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('redeem' as const), reward: fc.constantFrom('r', 'w') }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('days' as const), days: fc.integer({ min: 1, max: 45 }) }),
  },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const KINDS: EarnKind[] = ['spend', 'bonus', 'cashback'];

function run(p: Program, ops: Op[]): LedgerTransaction[] {
  let state: MemberState = member({ lastSaleAt: null });
  let now = toMs('2026-12-01T10:00:00+04:00');
  const ids = { n: 1 };
  const txs: LedgerTransaction[] = [];
  const sales: SaleHistory[] = [];
  const commit = (tx: LedgerTransaction | null) => {
    if (!tx) return;
    state = apply(state, tx, ids);
    txs.push(tx);
  };
  ops.forEach((o, i) => {
    now += 3_600_000;
    const c = ctx(p, toIso(now));
    try {
      if (o.op === 'sale') {
        const lines = o.lines.map((l, j) => ({
          lineId: `L${j}`,
          unitPrice: Math.ceil(l.amount / l.qty),
          ...l,
        }));
        const total = lines.reduce((s, l) => s + l.amount, 0);
        const gift = Math.floor((total * o.giftCardPercent) / 100);
        const payments = [
          { method: 'cash', amount: total - gift },
          { method: 'gift-card', amount: gift },
        ];
        const r = processSale(c, state, {
          saleId: `S${i}`,
          at: c.now,
          currency: 'AMD',
          lines,
          payments,
          total,
        });
        commit(r.transaction);
        sales.push({ sale: r.transaction.records.sale, returns: [] });
        if (r.response.tierChanged) state = { ...state, tier: r.response.tier, tierSince: c.now };
      } else if (o.op === 'return' && sales.length > 0) {
        const h = sales[o.pick % sales.length] as SaleHistory;
        const back = (id: string) =>
          h.returns.reduce((s, r) => s + (r.lines.find((x) => x.lineId === id)?.qty ?? 0), 0);
        const lines = h.sale.lines
          .map((l, j) => ({ lineId: l.lineId, qty: Math.min(l.qty - back(l.lineId), o.qtys[j] ?? 0) }))
          .filter((l) => l.qty > 0);
        const body = o.all || lines.length === 0 ? { all: true as const } : { lines };
        const r = processReturn(c, state, h, {
          returnId: `R${i}`,
          saleId: h.sale.saleId,
          at: c.now,
          ...body,
        });
        commit(r.transaction);
        h.returns.push(r.transaction.records.saleReturn);
        checkReturns(h);
      } else if (o.op === 'redeem') {
        commit(redeemReward(c, state, { rewardId: o.reward, stockLeft: null }).transaction);
      } else if (o.op === 'days') {
        now += o.days * 86_400_000;
        const later = ctx(p, toIso(now));
        commit(runExpiry(later, state));
        const t = dailyTier(p, state, later.now);
        if (t.changed) state = { ...state, tier: t.tier };
      }
    } catch (e) {
      // refusals are fine (short balance, returning more than sold); anything else is a bug
      if (!(e instanceof EngineError) || !['INSUFFICIENT_BALANCE', 'RETURN_EXCEEDS_SALE'].includes(e.code))
        throw e;
    }
    const b = memberBalances(p, state, toIso(now));
    expect(
      Math.min(b.points, b.pendingPoints, b.credit, state.debt.points, state.debt.credit),
    ).toBeGreaterThanOrEqual(0);
    const totals = net(txs);
    expect(
      Math.min(totals.points, totals.credit, totals.debtPoints, totals.debtCredit),
    ).toBeGreaterThanOrEqual(0);
  });
  return txs;
}

/** Never more than earned; a sale returned in full nets each kind to exactly zero. */
function checkReturns(h: SaleHistory): void {
  const returned = new Map<string, number>();
  for (const r of h.returns)
    for (const l of r.lines) returned.set(l.lineId, (returned.get(l.lineId) ?? 0) + l.qty);
  const complete = h.sale.lines.every((l) => returned.get(l.lineId) === l.qty);
  const saleQty = new Map(h.sale.lines.map((l) => [l.lineId, l.qty]));
  for (const k of KINDS) {
    const reversed = h.returns.reduce((s, r) => s + r.reversed[k], 0);
    // docs/program.md: after any returns, what was reversed is floor(E × cumulative R)
    const share = returnedShare(h.sale.earned[k].lines, saleQty, returned);
    expect(reversed).toBe(floor(mul(rat(h.sale.earned[k].posted), share)));
    expect(reversed).toBeLessThanOrEqual(h.sale.earned[k].posted);
    if (complete) expect(reversed).toBe(h.sale.earned[k].posted);
  }
}

describe('engine properties', () => {
  it('balances never go negative, full returns net to zero, and runs are deterministic', () => {
    fc.assert(
      fc.property(programArb, fc.array(opArb, { maxLength: 30 }), (p, ops) => {
        const first = run(p, ops);
        expect(run(p, ops)).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });

  it('a sale followed by its full return leaves every bucket where it was', () => {
    fc.assert(
      fc.property(programArb, fc.array(lineArb, { minLength: 1, maxLength: 5 }), (p, raw) => {
        const c = ctx(p);
        const lines = raw.map((l, j) => ({ lineId: `L${j}`, unitPrice: Math.ceil(l.amount / l.qty), ...l }));
        const total = lines.reduce((s, l) => s + l.amount, 0);
        const s = processSale(c, member(), {
          saleId: 'S',
          at: c.now,
          currency: 'AMD',
          lines,
          payments: [{ method: 'cash', amount: total }],
          total,
        });
        // the breakdown explains exactly what was earned, in non-negative shares
        const { spend, bonus, cashback } = s.transaction.records.sale.earned;
        expect(s.response.breakdown.every((b) => b.points >= 0 && b.credit >= 0)).toBe(true);
        expect(s.response.breakdown.reduce((t, b) => t + b.points, 0)).toBe(spend.posted + bonus.posted);
        expect(s.response.breakdown.reduce((t, b) => t + b.credit, 0)).toBe(cashback.posted);
        const after = apply(member(), s.transaction, { n: 1 });
        const r = processReturn(
          c,
          after,
          { sale: s.transaction.records.sale, returns: [] },
          { returnId: 'R', saleId: 'S', at: c.now, all: true },
        );
        expect(net([s.transaction, r.transaction])).toEqual({
          points: 0,
          credit: 0,
          debtPoints: 0,
          debtCredit: 0,
        });
        const qualifying = [...s.transaction.postings, ...r.transaction.postings].reduce(
          (q, x) => q + (x.qualifying ?? 0),
          0,
        );
        expect(qualifying).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
