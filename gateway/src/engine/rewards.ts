/**
 * Catalog rewards bought with points (docs/program.md: Redemption). The caller reserves and
 * decrements stock atomically; the engine only decides on the stock count it is given.
 */
import type { LedgerTransaction, MemberState } from '../domain/ledger-types.ts';
import type { Reward } from '../program/schema.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError } from './errors.ts';
import { newCreditLot } from './lots.ts';
import { memberWallet, transaction } from './transaction.ts';

export interface RedeemRewardRequest {
  rewardId: string;
  /** Units left in this store; null when the reward has no stock limit. */
  stockLeft: number | null;
}

export interface RedeemRewardResponse {
  rewardId: string;
  voucher?: { sku: string };
  credit?: number;
  balances: Balances;
}

/** Why a member may not redeem a reward now, or null (kiosk lists use it too). */
export function rewardRefusal(
  ctx: EngineContext,
  member: MemberState,
  reward: Reward,
  stockLeft: number | null,
  points: number,
): EngineError | null {
  if (reward.tiers !== undefined && !reward.tiers.includes(member.tier)) {
    return new EngineError('TIER_NOT_ALLOWED', `${reward.id} is for ${reward.tiers.join(', ')}`);
  }
  if (reward.stock !== undefined && (stockLeft === null || stockLeft <= 0)) {
    return new EngineError('REWARD_UNAVAILABLE', `${reward.id} is out of stock`);
  }
  if (points < reward.cost.points) {
    return new EngineError('INSUFFICIENT_BALANCE', `${reward.id} costs ${reward.cost.points} points`);
  }
  if ('credit' in reward.grants && !ctx.program.credit.enabled) {
    return new EngineError('REWARD_UNAVAILABLE', 'credit is not enabled');
  }
  return null;
}

export function redeemReward(
  ctx: EngineContext,
  member: MemberState,
  request: RedeemRewardRequest,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: RedeemRewardResponse } {
  const reward = ctx.program.rewards.find((r) => r.id === request.rewardId);
  if (!reward) throw new EngineError('REWARD_UNAVAILABLE', `no reward ${request.rewardId}`);
  const wallet = memberWallet(ctx, member);
  const refusal = rewardRefusal(ctx, member, reward, request.stockLeft, wallet.available('points'));
  if (refusal) throw refusal;
  const meta = { rewardId: reward.id };
  const { postings } = wallet.take('points', reward.cost.points, 'spend', { ruleId: reward.id, meta });
  const response: RedeemRewardResponse = { rewardId: reward.id, balances: wallet.balances() };
  if ('credit' in reward.grants) {
    postings.push(
      ...wallet.add('credit', reward.grants.credit, 'convert-in', newCreditLot(ctx.now), {
        ruleId: reward.id,
        meta,
      }),
    );
    response.credit = reward.grants.credit;
    response.balances = wallet.balances();
  } else response.voucher = reward.grants.voucher;
  return {
    transaction: transaction(ctx, {
      type: 'redeem-reward',
      ref: `${reward.id}:${member.memberId}`,
      idempotencyKey,
      postings,
    }),
    response,
  };
}
