import { describe, expect, it } from 'vitest';
import type { MemberState, SaleHistory } from '../../../gateway/src/domain/ledger-types.ts';
import type { EngineContext } from '../../../gateway/src/engine/context.ts';
import { EngineError } from '../../../gateway/src/engine/errors.ts';
import { processReturn } from '../../../gateway/src/engine/returns.ts';
import { processSale } from '../../../gateway/src/engine/sale.ts';
import { apply, ctx, member, net, program, sale } from './helpers.ts';

const at = '2026-12-03T10:00:00+04:00';

function sold(c: EngineContext, m: MemberState, lines: Parameters<typeof sale>[0]) {
  const r = processSale(c, m, sale(lines));
  const history: SaleHistory = { sale: r.transaction.records.sale, returns: [] };
  return { r, history, state: apply(m, r.transaction, { n: 100 }) };
}

function spendDown(state: MemberState, leave: number): MemberState {
  // the member spent all but `leave` points of the lot
  return { ...state, lots: state.lots.map((l) => ({ ...l, remaining: leave })) };
}

describe('returns (docs/program.md: Returns)', () => {
  it('the docs/program.md example: E = 5, contributions 3/2 and 27/7; 1 of 2 units reverses 1, the rest 4', () => {
    // 1 point per 14: line A 21 → 21/14 = 3/2; line B 54 (2 units) → 54/14 = 27/7; E = floor(75/14) = 5
    const c = ctx(program({ earn: [{ id: 'base', type: 'spend', points: 1, per: 14 }] }));
    const { r, history, state } = sold(c, member(), [
      { lineId: 'A', amount: 21 },
      { lineId: 'B', amount: 54, qty: 2 },
    ]);
    expect(r.transaction.records.sale.earned.spend).toEqual({ posted: 5, lines: { A: '3/2', B: '27/7' } });
    // R = (27/7 × 1/2) / (75/14) = 9/25; floor(5 × 9/25) = floor(1.8) = 1
    const first = processReturn(c, state, history, {
      returnId: 'R1',
      saleId: 'S1',
      at,
      lines: [{ lineId: 'B', qty: 1 }],
    });
    expect(first.response.reversed).toEqual({ points: 1, credit: 0 });
    const after = apply(state, first.transaction, { n: 200 });
    const history2 = { ...history, returns: [first.transaction.records.saleReturn] };
    // R = 1 → reverses 5 − 1 = 4
    const rest = processReturn(c, after, history2, { returnId: 'R2', saleId: 'S1', at, all: true });
    expect(rest.response.reversed).toEqual({ points: 4, credit: 0 });
    expect(rest.transaction.records.saleReturn.lines).toEqual([
      { lineId: 'A', qty: 1 },
      { lineId: 'B', qty: 1 },
    ]);
    expect(net([r.transaction, first.transaction, rest.transaction]).points).toBe(0);
  });

  it('each return reverses floor(E × cumulative R) − already reversed', () => {
    // 1 point per 7: A 10 → 10/7; B 20 (3 units) → 20/7; E = floor(30/7) = 4
    const c = ctx(program({ earn: [{ id: 'base', type: 'spend', points: 1, per: 7 }] }));
    const { history } = sold(c, member(), [
      { lineId: 'A', amount: 10 },
      { lineId: 'B', amount: 20, qty: 3 },
    ]);
    const steps: Array<[string, number]> = [
      ['B', 0], // R = (20/7 × 1/3) / (30/7) = 2/9; floor(8/9) = 0
      ['B', 1], // R = 4/9; floor(16/9) = 1; 1 − 0 = 1
      ['B', 1], // R = 6/9; floor(24/9) = 2; 2 − 1 = 1
      ['A', 2], // R = 1; 4 − 2 = 2
    ];
    const h: SaleHistory = { ...history, returns: [] };
    steps.forEach(([lineId, expected], i) => {
      const r = processReturn(c, member(), h, {
        returnId: `R${i}`,
        saleId: 'S1',
        at,
        lines: [{ lineId, qty: 1 }],
      });
      expect(r.response.reversed.points).toBe(expected);
      h.returns.push(r.transaction.records.saleReturn);
    });
  });

  it('clamp: partial then completing return after the points were spent writes off the shortfall', () => {
    const c = ctx(program());
    // L1 60000 → 6, L2 40000 (2 units) → 4; E = 10
    const { history, state } = sold(c, member(), [{ amount: 60000 }, { amount: 40000, qty: 2 }]);
    const spent = spendDown(state, 1);
    // R = (4 × 1/2) / 10 = 1/5 → floor(2) = 2; only 1 left → 1 written off
    const partial = processReturn(c, spent, history, {
      returnId: 'R1',
      saleId: 'S1',
      at,
      lines: [{ lineId: 'L2', qty: 1 }],
    });
    expect(partial.response).toMatchObject({
      reversed: { points: 2, credit: 0 },
      writtenOff: { points: 1, credit: 0 },
    });
    expect(partial.response.balances.points).toBe(0);
    expect(partial.transaction.postings).toEqual([
      expect.objectContaining({ kind: 'reverse', amount: -1, qualifying: -2 }),
      expect.objectContaining({
        kind: 'write-off',
        amount: 0,
        meta: expect.objectContaining({ writtenOff: 1 }),
      }),
    ]);
    const s2 = apply(spent, partial.transaction, { n: 300 });
    const h2 = { ...history, returns: [partial.transaction.records.saleReturn] };
    // completing return: 10 − 2 = 8, all of it already spent
    const rest = processReturn(c, s2, h2, { returnId: 'R2', saleId: 'S1', at, all: true });
    expect(rest.response).toMatchObject({
      reversed: { points: 8, credit: 0 },
      writtenOff: { points: 8, credit: 0 },
    });
    expect(rest.response.balances.points).toBe(0);
    // never more than earned, however many returns name it
    const h3 = { ...h2, returns: [...h2.returns, rest.transaction.records.saleReturn] };
    expect(() => processReturn(c, s2, h3, { returnId: 'R3', saleId: 'S1', at, all: true })).toThrow(
      expect.objectContaining({ code: 'RETURN_EXCEEDS_SALE' }),
    );
  });

  it('debt: the shortfall is owed and later earnings repay it first', () => {
    const c = ctx(program({ returns: { negativeBalance: 'debt' } }));
    const { history, state } = sold(c, member(), [{ amount: 60000 }, { amount: 40000, qty: 2 }]);
    const spent = spendDown(state, 1);
    const partial = processReturn(c, spent, history, {
      returnId: 'R1',
      saleId: 'S1',
      at,
      lines: [{ lineId: 'L2', qty: 1 }],
    });
    const s2 = apply(spent, partial.transaction, { n: 300 });
    expect(s2.debt.points).toBe(1); // 2 reversed, 1 taken, 1 owed
    const rest = processReturn(
      c,
      s2,
      { ...history, returns: [partial.transaction.records.saleReturn] },
      { returnId: 'R2', saleId: 'S1', at, all: true },
    );
    const s3 = apply(s2, rest.transaction, { n: 400 });
    expect(s3.debt.points).toBe(9); // 1 + 8
    expect(rest.response.balances.points).toBe(0);
    // a later sale earning 5 pays 5 of the 9 owed and adds no spendable points
    const next = processSale(c, s3, sale([{ amount: 50000 }], { saleId: 'S2' }));
    expect(next.transaction.postings).toEqual([
      expect.objectContaining({ bucket: 'debt', kind: 'debt-repay', amount: -5 }),
    ]);
    expect(apply(s3, next.transaction, { n: 500 }).debt.points).toBe(4);
  });

  it('each kind reverses on its own; a full return nets the sale to zero', () => {
    const c = ctx(
      program({
        earn: [
          { id: 'base', type: 'spend', points: 1, per: 3000 },
          { id: 'bonus', type: 'product-bonus', points: 7, skus: ['X'], maxPerSale: 10 },
          { id: 'cb', type: 'cashback', percent: 3 },
        ],
      }),
    );
    const { r, history, state } = sold(c, member(), [{ amount: 10001, sku: 'X', qty: 3 }, { amount: 7777 }]);
    // spend: 17778 / 3000 = 5.926 → 5; bonus: 21 capped to 10; cashback: 17778 × 3% = 533.34 → 533
    expect(r.response.earned).toEqual({ points: 15, credit: 533 });
    const back = processReturn(c, state, history, { returnId: 'R1', saleId: 'S1', at, all: true });
    expect(back.response.reversed).toEqual({ points: 15, credit: 533 });
    expect(back.transaction.records.saleReturn.reversed).toEqual({ spend: 5, bonus: 10, cashback: 533 });
    const total = net([r.transaction, back.transaction]);
    expect(total).toEqual({ points: 0, credit: 0, debtPoints: 0, debtCredit: 0 });
  });

  it('refuses unknown sales, unknown lines and returning more than sold', () => {
    const c = ctx(program());
    const { history, state } = sold(c, member(), [{ amount: 60000, qty: 2 }]);
    expect(() => processReturn(c, state, null, { returnId: 'R1', saleId: 'S9', at, all: true })).toThrow(
      expect.objectContaining({ code: 'SALE_UNKNOWN' }),
    );
    expect(() =>
      processReturn(c, state, history, {
        returnId: 'R1',
        saleId: 'S1',
        at,
        lines: [{ lineId: 'L7', qty: 1 }],
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', field: 'lines[0].lineId' }));
    expect(() =>
      processReturn(c, state, history, {
        returnId: 'R1',
        saleId: 'S1',
        at,
        lines: [{ lineId: 'L1', qty: 3 }],
      }),
    ).toThrow(EngineError);
    expect(() => processReturn(c, state, history, { returnId: 'R1', saleId: 'S1', at })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'lines' }),
    );
  });

  it('spend basis: the returned share of qualifying spend is taken back', () => {
    const c = ctx(
      program({ tiers: { basis: { spendMonths: 12 }, levels: [{ id: 'bronze', threshold: 0 }] } }),
    );
    const { r, history, state } = sold(c, member(), [{ amount: 60000 }, { amount: 40000, qty: 2 }]);
    expect(r.transaction.postings[0]?.qualifying).toBe(100000);
    const back = processReturn(c, state, history, {
      returnId: 'R1',
      saleId: 'S1',
      at,
      lines: [{ lineId: 'L2', qty: 1 }],
    });
    // 40000 × 1/2 = 20000 of the spend returned
    expect(back.transaction.postings[0]?.qualifying).toBe(-20000);
  });
});
