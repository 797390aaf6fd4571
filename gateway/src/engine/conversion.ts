/**
 * Points ↔ credit conversion (docs/program.md: Redemption — both sides in one transaction, or
 * nothing). Rounds down: the member never gets more than the rate gives.
 */
import type { LedgerTransaction, MemberState } from '../domain/ledger-types.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { newCreditLot, newPointsLot } from './lots.ts';
import { memberWallet, transaction } from './transaction.ts';

export interface ConvertResult {
  transaction: LedgerTransaction;
  response: { points: number; credit: number; balances: Balances };
}

export function convertPointsToCredit(
  ctx: EngineContext,
  member: MemberState,
  points: number,
  idempotencyKey?: string,
): ConvertResult {
  const rate = ctx.program.conversion.pointsToCredit;
  if (rate === null || !ctx.program.credit.enabled)
    throw invalid('points', 'conversion to credit is not allowed');
  if (!Number.isInteger(points) || points <= 0) throw invalid('points', 'must be a positive integer');
  const credit = Math.floor((points * rate.credit) / rate.points);
  if (credit <= 0) throw invalid('points', `at least ${Math.ceil(rate.points / rate.credit)} points`);
  const wallet = memberWallet(ctx, member);
  if (wallet.available('points') < points)
    throw new EngineError('INSUFFICIENT_BALANCE', `needs ${points} points`);
  const meta = { points, credit };
  const { postings } = wallet.take('points', points, 'convert-out', { meta });
  postings.push(...wallet.add('credit', credit, 'convert-in', newCreditLot(ctx.now), { meta }));
  return {
    transaction: transaction(ctx, { type: 'convert', ref: member.memberId, idempotencyKey, postings }),
    response: { points, credit, balances: wallet.balances() },
  };
}

export function convertCreditToPoints(
  ctx: EngineContext,
  member: MemberState,
  credit: number,
  idempotencyKey?: string,
): ConvertResult {
  const rate = ctx.program.conversion.creditToPoints;
  if (rate === null) throw invalid('credit', 'conversion to points is not allowed');
  if (!Number.isInteger(credit) || credit <= 0) throw invalid('credit', 'must be a positive integer');
  const points = Math.floor((credit * rate.points) / rate.credit);
  if (points <= 0) throw invalid('credit', `at least ${Math.ceil(rate.credit / rate.points)} credit`);
  const wallet = memberWallet(ctx, member);
  if (wallet.available('credit') < credit)
    throw new EngineError('INSUFFICIENT_BALANCE', `needs ${credit} credit`);
  const meta = { points, credit };
  const { postings } = wallet.take('credit', credit, 'convert-out', { meta });
  postings.push(...wallet.add('points', points, 'convert-in', newPointsLot(ctx.program, ctx.now), { meta }));
  return {
    transaction: transaction(ctx, { type: 'convert', ref: member.memberId, idempotencyKey, postings }),
    response: { points, credit, balances: wallet.balances() },
  };
}
