import { describe, expect, it } from 'vitest';
import type { Lot } from '../../../gateway/src/domain/ledger-types.ts';
import { adjustBalance } from '../../../gateway/src/engine/adjustments.ts';
import { convertCreditToPoints, convertPointsToCredit } from '../../../gateway/src/engine/conversion.ts';
import { expireGiftCard, issueGiftCard, redeemGiftCard } from '../../../gateway/src/engine/gift-cards.ts';
import { redeemReward } from '../../../gateway/src/engine/rewards.ts';
import { transferPoints } from '../../../gateway/src/engine/transfers.ts';
import { ctx, member, pointsLot, program } from './helpers.ts';

const rewards = [
  {
    id: 'coffee',
    name: { en: 'Coffee' },
    cost: { points: 300 },
    grants: { voucher: { sku: 'COFFEE-1' } },
    stock: 100,
    tiers: ['silver', 'gold'],
  },
  { id: 'wallet', name: { en: 'Wallet' }, cost: { points: 100 }, grants: { credit: 100000 } },
];
const rich = (tier = 'silver') => member({ tier, lots: [pointsLot(1, 500, '2026-11-01T10:00:00+04:00')] });

describe('rewards, conversion, transfers, gift cards, adjustments', () => {
  it('a reward spends points and grants a voucher or credit', () => {
    const c = ctx(program({ rewards }));
    const coffee = redeemReward(c, rich(), { rewardId: 'coffee', stockLeft: 3 });
    expect(coffee.response).toEqual({
      rewardId: 'coffee',
      voucher: { sku: 'COFFEE-1' },
      balances: { points: 200, pendingPoints: 0, credit: 0 },
    });
    expect(coffee.transaction.postings).toEqual([
      expect.objectContaining({ kind: 'spend', amount: -300, lotId: 1, ruleId: 'coffee' }),
    ]);
    const wallet = redeemReward(c, rich('bronze'), { rewardId: 'wallet', stockLeft: null });
    expect(wallet.response.balances).toEqual({ points: 400, pendingPoints: 0, credit: 100000 });
  });

  it('refuses exhausted stock, other tiers, unknown rewards and short balances', () => {
    const c = ctx(program({ rewards }));
    expect(() => redeemReward(c, rich(), { rewardId: 'coffee', stockLeft: 0 })).toThrow(
      expect.objectContaining({ code: 'REWARD_UNAVAILABLE' }),
    );
    expect(() => redeemReward(c, rich('bronze'), { rewardId: 'coffee', stockLeft: 5 })).toThrow(
      expect.objectContaining({ code: 'TIER_NOT_ALLOWED' }),
    );
    expect(() => redeemReward(c, rich(), { rewardId: 'nope', stockLeft: 5 })).toThrow(
      expect.objectContaining({ code: 'REWARD_UNAVAILABLE' }),
    );
    expect(() => redeemReward(c, member({ tier: 'gold' }), { rewardId: 'coffee', stockLeft: 5 })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }),
    );
  });

  it('conversion posts both sides in one transaction, rounding down', () => {
    const c = ctx(
      program({
        conversion: {
          pointsToCredit: { points: 100, credit: 100000 },
          creditToPoints: { credit: 1000, points: 3 },
        },
      }),
    );
    const r = convertPointsToCredit(c, rich(), 250);
    // 250 × 100000 / 100 = 250000
    expect(r.transaction.postings.map((p) => [p.asset, p.kind, p.amount])).toEqual([
      ['points', 'convert-out', -250],
      ['credit', 'convert-in', 250000],
    ]);
    const back = convertCreditToPoints(
      c,
      member({
        lots: [
          {
            id: 2,
            asset: 'credit',
            remaining: 5000,
            earnedAt: '2026-11-01T10:00:00Z',
            availableAt: '2026-11-01T10:00:00Z',
            expiresAt: null,
          },
        ],
      }),
      2500,
    );
    // 2500 × 3 / 1000 = 7.5 → 7
    expect(back.response).toMatchObject({ points: 7, credit: 2500, balances: { points: 7, credit: 2500 } });
    expect(() => convertPointsToCredit(ctx(program()), rich(), 100)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'points' }),
    );
  });

  it('transfers post both members in one transaction', () => {
    const c = ctx(program({ transfers: { allowed: true, minPoints: 100 } }));
    const r = transferPoints(c, rich(), 'm2', 150);
    expect(r.transaction.postings.map((p) => [p.owner, p.kind, p.amount])).toEqual([
      [{ member: 'm1' }, 'transfer-out', -150],
      [{ member: 'm2' }, 'transfer-in', 150],
    ]);
    expect(() => transferPoints(c, rich(), 'm2', 99)).toThrow(expect.objectContaining({ field: 'points' }));
    expect(() => transferPoints(ctx(program()), rich(), 'm2', 150)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('gift cards: issue, partial redeem, expiry', () => {
    const c = ctx(program({ giftCards: { enabled: true, defaultValidityMonths: 12 } }));
    const issued = issueGiftCard(c, { code: 'GC-1', credit: 50000 });
    expect(issued.response.expiresAt).toBe('2027-12-02T19:59:59.999Z');
    const lot: Lot = {
      id: 5,
      asset: 'credit',
      remaining: 50000,
      earnedAt: c.now,
      availableAt: c.now,
      expiresAt: issued.response.expiresAt,
    };
    const card = { code: 'GC-1', lots: [lot] };
    expect(redeemGiftCard(c, card, 20000).response).toEqual({ remaining: 30000 });
    expect(() => redeemGiftCard(c, card, 50001)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }),
    );
    expect(expireGiftCard(c, card)).toBeNull();
    const later = ctx(c.program, '2027-12-03T00:00:00+04:00');
    expect(() => redeemGiftCard(later, card, 1)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }),
    );
    expect(expireGiftCard(later, card)?.postings).toEqual([
      {
        owner: { giftCard: 'GC-1' },
        asset: 'credit',
        bucket: 'available',
        kind: 'giftcard-expire',
        amount: -50000,
        lotId: 5,
      },
    ]);
  });

  it('manual adjustments need a reason and an operator', () => {
    const c = ctx(program());
    const r = adjustBalance(c, member(), {
      asset: 'points',
      amount: 40,
      reason: 'goodwill',
      operator: 'op-1',
    });
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({ kind: 'adjust', amount: 40, meta: { reason: 'goodwill', operator: 'op-1' } }),
    ]);
    expect(r.transaction.postings[0]?.qualifying).toBeUndefined();
    expect(() =>
      adjustBalance(c, member(), { asset: 'points', amount: 40, reason: '', operator: 'op-1' }),
    ).toThrow(expect.objectContaining({ field: 'reason' }));
    expect(() =>
      adjustBalance(c, member(), { asset: 'points', amount: 40, reason: 'x', operator: ' ' }),
    ).toThrow(expect.objectContaining({ field: 'operator' }));
    expect(() =>
      adjustBalance(c, member(), { asset: 'points', amount: -1, reason: 'x', operator: 'op' }),
    ).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
  });
});
