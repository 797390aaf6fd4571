/**
 * Credit holds (docs/program.md: Redemption — authorize → capture for ≤ the held amount → or
 * void / expiry; held credit is not spendable twice). Credit moves available → held on
 * authorize; a capture pays from held; what is left goes back to available as a new lot.
 */
import type { Hold, LedgerTransaction, MemberState, Posting } from '../domain/ledger-types.ts';
import { toIso, toMs } from './calendar.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { newCreditLot } from './lots.ts';
import type { AuthorizeRequest, CaptureRequest } from './requests.ts';
import { memberWallet, transaction } from './transaction.ts';
import type { Wallet } from './wallet.ts';

export interface HoldResult {
  transaction: LedgerTransaction;
  response: { holdId: string; credit: number; expiresAt: string; balances: Balances };
}

/** The open hold a capture or void names, or the protocol error. */
export function openHold(member: MemberState, holdId: string, now: string): Hold {
  const hold = member.holds.find((h) => h.holdId === holdId);
  if (!hold || hold.status === 'captured' || hold.status === 'voided') {
    throw new EngineError('HOLD_UNKNOWN', `no open hold ${holdId}`);
  }
  if (hold.status === 'expired' || toMs(now) > toMs(hold.expiresAt)) {
    throw new EngineError('HOLD_EXPIRED', `hold ${holdId} expired at ${hold.expiresAt}`);
  }
  return hold;
}

/** Pays `amount` (≤ held) from a hold and releases the rest. */
export function capturePostings(
  wallet: Wallet,
  hold: Hold,
  amount: number,
  at: string,
  saleId: string,
): Posting[] {
  if (amount > hold.amount) {
    throw new EngineError('INSUFFICIENT_BALANCE', `capture ${amount} exceeds held ${hold.amount}`);
  }
  const meta = { holdId: hold.holdId, saleId };
  const postings: Posting[] = [];
  if (amount > 0) {
    postings.push({
      owner: wallet.owner,
      asset: 'credit',
      bucket: 'held',
      kind: 'capture',
      amount: -amount,
      meta,
    });
  }
  return [...postings, ...releasePostings(wallet, hold.amount - amount, at, meta)];
}

function releasePostings(
  wallet: Wallet,
  amount: number,
  at: string,
  meta: Record<string, unknown>,
): Posting[] {
  if (amount <= 0) return [];
  return [
    { owner: wallet.owner, asset: 'credit', bucket: 'held', kind: 'release', amount: -amount, meta },
    ...wallet.add('credit', amount, 'release', newCreditLot(at), { meta }),
  ];
}

export function authorize(
  ctx: EngineContext,
  member: MemberState,
  request: AuthorizeRequest,
  idempotencyKey?: string,
): HoldResult {
  if (!ctx.program.credit.enabled) throw invalid('credit', 'the program has no credit wallet');
  if (member.holds.some((h) => h.holdId === request.holdId)) throw invalid('holdId', 'already used');
  const wallet = memberWallet(ctx, member);
  const approved = Math.min(request.credit, wallet.available('credit'));
  if (approved <= 0) throw new EngineError('INSUFFICIENT_BALANCE', 'no credit available');
  const expiresAt = toIso(toMs(ctx.now) + ctx.program.redemption.holdMinutes * 60_000);
  const meta = { holdId: request.holdId };
  const { postings } = wallet.take('credit', approved, 'hold', { meta });
  // the held posting carries the expiry, so the ledger can open the hold from it alone
  postings.push({
    owner: wallet.owner,
    asset: 'credit',
    bucket: 'held',
    kind: 'hold',
    amount: approved,
    meta: { ...meta, expiresAt },
  });
  return {
    transaction: transaction(ctx, { type: 'authorize', ref: request.holdId, idempotencyKey, postings }),
    response: { holdId: request.holdId, credit: approved, expiresAt, balances: wallet.balances() },
  };
}

export function capture(
  ctx: EngineContext,
  member: MemberState,
  request: CaptureRequest,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { balances: Balances } } {
  const hold = openHold(member, request.holdId, ctx.now);
  const wallet = memberWallet(ctx, member);
  const postings = capturePostings(wallet, hold, request.credit, ctx.now, request.saleId);
  return {
    transaction: transaction(ctx, { type: 'capture', ref: request.holdId, idempotencyKey, postings }),
    response: { balances: wallet.balances() },
  };
}

export function voidHold(
  ctx: EngineContext,
  member: MemberState,
  holdId: string,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { balances: Balances } } {
  const hold = openHold(member, holdId, ctx.now);
  const wallet = memberWallet(ctx, member);
  const postings = releasePostings(wallet, hold.amount, ctx.now, { holdId, reason: 'void' });
  return {
    transaction: transaction(ctx, { type: 'void', ref: holdId, idempotencyKey, postings }),
    response: { balances: wallet.balances() },
  };
}

/** The periodic job: open holds past their expiry go back to available. Null when none. */
export function expireHolds(ctx: EngineContext, member: MemberState): LedgerTransaction | null {
  const nowMs = toMs(ctx.now);
  const wallet = memberWallet(ctx, member);
  const postings: Posting[] = [];
  const expired: string[] = [];
  for (const hold of member.holds) {
    if (hold.status !== 'open' || nowMs <= toMs(hold.expiresAt) || hold.amount <= 0) continue;
    expired.push(hold.holdId);
    postings.push(
      ...releasePostings(wallet, hold.amount, ctx.now, { holdId: hold.holdId, reason: 'expired' }),
    );
  }
  if (postings.length === 0) return null;
  return transaction(ctx, { type: 'hold-expire', ref: `${member.memberId}:${expired.join(',')}`, postings });
}
