import { describe, expect, it } from 'vitest';
import { processSale } from '../../../gateway/src/engine/sale.ts';
import { ctx, member, program, sale } from './helpers.ts';

function refusal(input: unknown) {
  try {
    processSale(ctx(program({ redemption: { maxPercentOfSale: 50 } })), member(), input);
  } catch (e) {
    return e;
  }
  throw new Error('accepted');
}

describe('sale input is refused with INVALID_REQUEST naming the field', () => {
  const good = sale([{ amount: 1000 }, { amount: 2000, qty: 2 }]);
  const cases: Array<[string, unknown]> = [
    ['lines[1].amount', { ...good, lines: [good.lines[0], { ...good.lines[1], amount: 19.5 }] }],
    ['lines[0].qty', { ...good, lines: [{ ...good.lines[0], qty: 0 }, good.lines[1]] }],
    ['lines[1].lineId', { ...good, lines: [good.lines[0], { ...good.lines[1], lineId: 'L1' }] }],
    ['lines[1].amount', { ...good, lines: [good.lines[0], { ...good.lines[1], amount: 2001 }] }],
    ['currency', { ...good, currency: 'USD' }],
    ['total', { ...good, total: 2999 }],
    ['payments', { ...good, payments: [{ method: 'cash', amount: 2999 }] }],
    [
      'payments[1].holdId',
      {
        ...good,
        payments: [
          { method: 'cash', amount: 2000 },
          { method: 'loyalty-credit', amount: 1000 },
        ],
      },
    ],
    [
      'payments[1].amount',
      {
        ...good,
        payments: [
          { method: 'cash', amount: 1000 },
          { method: 'loyalty-credit', amount: 2000, holdId: 'h' },
        ],
      },
    ],
    ['saleId', { ...good, saleId: undefined }],
    ['at', { ...good, at: '2026-12-02 10:00' }],
  ];
  it.each(cases)('%s', (field, input) => {
    expect(refusal(input)).toMatchObject({ code: 'INVALID_REQUEST', field });
  });
});
