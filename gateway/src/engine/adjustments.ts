/**
 * Manual adjustments (docs/program.md: Cards and members — need a reason code and an operator
 * id, and are reported apart: kind `adjust`, never qualifying for tiers).
 */
import type { Asset, LedgerTransaction, MemberState } from '../domain/ledger-types.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { newCreditLot, newPointsLot } from './lots.ts';
import { memberWallet, transaction } from './transaction.ts';

export interface AdjustRequest {
  asset: Asset;
  /** Signed: + adds, − takes (never below zero). */
  amount: number;
  reason: string;
  operator: string;
}

export function adjustBalance(
  ctx: EngineContext,
  member: MemberState,
  request: AdjustRequest,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { balances: Balances } } {
  if (request.reason.trim() === '') throw invalid('reason', 'a reason code is required');
  if (request.operator.trim() === '') throw invalid('operator', 'an operator id is required');
  if (!Number.isInteger(request.amount) || request.amount === 0)
    throw invalid('amount', 'must be a non-zero integer');
  const wallet = memberWallet(ctx, member);
  const meta = { reason: request.reason, operator: request.operator };
  let postings: ReturnType<typeof wallet.add>;
  if (request.amount > 0) {
    const lot = request.asset === 'points' ? newPointsLot(ctx.program, ctx.now) : newCreditLot(ctx.now);
    postings = wallet.add(request.asset, request.amount, 'adjust', lot, { meta });
  } else {
    const want = -request.amount;
    if (wallet.available(request.asset) < want)
      throw new EngineError('INSUFFICIENT_BALANCE', `only ${wallet.available(request.asset)}`);
    postings = wallet.take(request.asset, want, 'adjust', { meta }).postings;
  }
  return {
    transaction: transaction(ctx, { type: 'adjust', ref: member.memberId, idempotencyKey, postings }),
    response: { balances: wallet.balances() },
  };
}
