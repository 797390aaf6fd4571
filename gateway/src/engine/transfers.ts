/**
 * Member-to-member point transfers (docs/program.md: Redemption — both sides post in one
 * transaction, or nothing). Transfers do not qualify for tiers and do not repay debt.
 */
import type { LedgerTransaction, MemberState } from '../domain/ledger-types.ts';
import { toMs } from './calendar.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { newPointsLot } from './lots.ts';
import { memberWallet, transaction } from './transaction.ts';
import { Wallet } from './wallet.ts';

export function transferPoints(
  ctx: EngineContext,
  from: MemberState,
  toMemberId: string,
  points: number,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { points: number; balances: Balances } } {
  const rules = ctx.program.transfers;
  if (!rules.allowed) throw invalid('points', 'transfers are not allowed');
  if (!Number.isInteger(points) || points < rules.minPoints)
    throw invalid('points', `at least ${rules.minPoints}`);
  if (toMemberId === from.memberId) throw invalid('to', 'cannot transfer to oneself');
  const wallet = memberWallet(ctx, from);
  if (wallet.available('points') < points)
    throw new EngineError('INSUFFICIENT_BALANCE', `needs ${points} points`);
  const { postings } = wallet.take('points', points, 'transfer-out', { meta: { to: toMemberId } });
  const receiver = new Wallet({ member: toMemberId }, { lots: [], nowMs: toMs(ctx.now), inactivityAt: null });
  postings.push(
    ...receiver.add('points', points, 'transfer-in', newPointsLot(ctx.program, ctx.now), {
      meta: { from: from.memberId },
    }),
  );
  return {
    transaction: transaction(ctx, {
      type: 'transfer',
      ref: `${from.memberId}:${toMemberId}`,
      idempotencyKey,
      postings,
    }),
    response: { points, balances: wallet.balances() },
  };
}
