/**
 * The boundary in both directions: what the engine produces from a MemberState the ledger
 * stores, and the MemberState the ledger loads back is what the engine needs next
 * (domain/ledger-types.ts). Uses the real engine and program schema, no models.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerTransaction } from '../../../gateway/src/domain/ledger-types.ts';
import { authorize, capture, processReturn, processSale } from '../../../gateway/src/engine/index.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import type { LedgerCommit, LedgerEffects } from '../../../gateway/src/ledger/types.ts';
import { programSchema } from '../../../gateway/src/program/schema.ts';
import { member } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const program = programSchema.parse({
  version: 3,
  currency: 'AMD',
  timezone: 'Asia/Yerevan',
  names: { points: { en: 'Points' }, credit: { en: 'Wallet' } },
  tiers: {
    basis: { earnedPointsMonths: 12 },
    levels: [
      { id: 'bronze', threshold: 0 },
      { id: 'silver', threshold: 100, earnMultiplier: 1.25 },
    ],
  },
  earn: [
    { id: 'base', type: 'spend', points: 1, per: 1000 },
    { id: 'cb', type: 'cashback', percent: 10 },
  ],
});

describe('engine → ledger → engine', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = makeTempDir();
    ledger = openLedger(dir.file('ledger.db'));
    ledger.addMember(member('m1', { enrolledAt: '2026-01-01T10:00:00+04:00' }));
  });
  afterEach(() => {
    ledger.close();
    dir.remove();
  });

  const commit = (tx: LedgerTransaction, response: unknown, effects?: LedgerEffects) => {
    const full: LedgerCommit = { ...tx, response };
    if (effects) full.effects = effects;
    return ledger.commit(full);
  };
  const state = (now: string) => ledger.loadMemberState('m1', new Date(now), 12);

  it('sale, authorize, capture and full return keep the ledger and the engine in agreement', () => {
    const at = '2026-12-02T10:00:00+04:00';
    const ctx = { program, now: at, storeId: 'yerevan-1' };
    const total = 150_000;
    const saleInput = {
      saleId: 'S1',
      at,
      card: { uid: '04A1B2C3' },
      currency: 'AMD',
      lines: [{ lineId: 'L1', sku: 'A', qty: 1, unitPrice: total, amount: total }],
      payments: [{ method: 'cash', amount: total }],
      total,
    };
    const sale = processSale(ctx, state(at), saleInput, { idempotencyKey: 'till:t1:1' });
    const effects: LedgerEffects = {
      lastSaleAt: { memberId: 'm1', at },
      events: sale.eventsPosted.map((event) => ({ memberId: 'm1', event })),
    };
    if (sale.response.tierChanged)
      effects.tierChange = { memberId: 'm1', from: 'bronze', to: sale.response.tier, upgrade: true };
    commit(sale.transaction, sale.response, effects);
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(sale.response.balances.points);
    expect(ledger.balance({ member: 'm1' }, 'credit')).toBe(sale.response.balances.credit);
    expect(ledger.getMember('m1')?.tier).toBe(sale.response.tier);

    const later = '2026-12-02T10:05:00+04:00';
    const c2 = { ...ctx, now: later };
    const auth = authorize(c2, state(later), { holdId: 'H1', credit: 5000 }, 'till:t1:2');
    commit(auth.transaction, auth.response);
    expect(state(later).holds).toEqual([
      { holdId: 'H1', amount: 5000, expiresAt: auth.response.expiresAt, status: 'open' },
    ]);
    const cap = capture(c2, state(later), { holdId: 'H1', saleId: 'S2', credit: 3000 }, 'till:t1:3');
    commit(cap.transaction, cap.response);
    expect(state(later).holds.map((h) => [h.status, h.amount])).toEqual([['captured', 0]]);
    expect(ledger.balance({ member: 'm1' }, 'credit')).toBe(cap.response.balances.credit);

    const history = ledger.getSaleHistory('S1');
    const ret = processReturn(
      c2,
      state(later),
      history,
      { returnId: 'R1', saleId: 'S1', at: later, all: true },
      'till:t1:4',
    );
    const tierAfter = (ret.response as { tier?: string }).tier;
    const retEffects: LedgerEffects = {};
    const before = ledger.getMember('m1')?.tier ?? 'bronze';
    if (tierAfter && tierAfter !== before)
      retEffects.tierChange = { memberId: 'm1', from: before, to: tierAfter, upgrade: false };
    commit(ret.transaction, ret.response, retEffects);
    expect(ledger.getSaleHistory('S1')?.returns).toHaveLength(1);
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(0);
    // The 3000 credit captured was cashback already spent: the return writes it off or owes it.
    expect(ledger.balance({ member: 'm1' }, 'credit')).toBe(0);
    expect(state(later).qualifying.reduce((s, q) => s + q.amount, 0)).toBe(0);

    // Replaying the till's request changes nothing and answers the same.
    const again = commit(sale.transaction, { different: true });
    expect(again).toMatchObject({ replayed: true, response: sale.response });
    expect(ledger.verify()).toEqual([]);
  });
});
