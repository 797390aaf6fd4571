/**
 * Gift cards (docs/program.md: giftCards): an account of credit owned by the card code, not a
 * member. Issue, partial redemption, expiry after `defaultValidityMonths`.
 */
import type { LedgerTransaction, Lot } from '../domain/ledger-types.ts';
import { addMonths, endOfDay, localDateOf, toIso, toMs } from './calendar.ts';
import type { EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { isExpired } from './lots.ts';
import { transaction } from './transaction.ts';
import { Wallet } from './wallet.ts';

export interface GiftCardState {
  code: string;
  /** The card's credit lots with remaining > 0. */
  lots: Lot[];
}

function enabled(ctx: EngineContext): void {
  if (!ctx.program.giftCards.enabled) throw invalid('code', 'gift cards are not enabled in the program');
}

function cardWallet(ctx: EngineContext, card: GiftCardState): Wallet {
  return new Wallet({ giftCard: card.code }, { lots: card.lots, nowMs: toMs(ctx.now), inactivityAt: null });
}

export function issueGiftCard(
  ctx: EngineContext,
  request: { code: string; credit: number; validityMonths?: number },
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { code: string; credit: number; expiresAt: string } } {
  enabled(ctx);
  if (!Number.isInteger(request.credit) || request.credit <= 0)
    throw invalid('credit', 'must be a positive integer');
  const months = request.validityMonths ?? ctx.program.giftCards.defaultValidityMonths;
  const tz = ctx.program.timezone;
  const expiresAt = toIso(endOfDay(addMonths(localDateOf(ctx.now, tz), months), tz));
  const wallet = new Wallet(
    { giftCard: request.code },
    { lots: [], nowMs: toMs(ctx.now), inactivityAt: null },
  );
  const postings = wallet.add('credit', request.credit, 'giftcard-issue', {
    availableAt: ctx.now,
    expiresAt,
  });
  return {
    transaction: transaction(ctx, { type: 'giftcard-issue', ref: request.code, idempotencyKey, postings }),
    response: { code: request.code, credit: request.credit, expiresAt },
  };
}

/** docs/protocol.md §1: giftcard-redeem `{code, credit}` → `{remaining}`. */
export function redeemGiftCard(
  ctx: EngineContext,
  card: GiftCardState,
  credit: number,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { remaining: number } } {
  enabled(ctx);
  if (!Number.isInteger(credit) || credit <= 0) throw invalid('credit', 'must be a positive integer');
  const wallet = cardWallet(ctx, card);
  const left = wallet.available('credit');
  if (left < credit) throw new EngineError('INSUFFICIENT_BALANCE', `gift card holds ${left}`);
  const { postings } = wallet.take('credit', credit, 'giftcard-redeem');
  return {
    transaction: transaction(ctx, { type: 'giftcard-redeem', ref: card.code, idempotencyKey, postings }),
    response: { remaining: left - credit },
  };
}

export function expireGiftCard(ctx: EngineContext, card: GiftCardState): LedgerTransaction | null {
  const nowMs = toMs(ctx.now);
  const postings = card.lots
    .filter((l) => l.remaining > 0 && isExpired(l, nowMs, null))
    .map((l) => ({
      owner: { giftCard: card.code },
      asset: 'credit' as const,
      bucket: 'available' as const,
      kind: 'giftcard-expire' as const,
      amount: -l.remaining,
      lotId: l.id,
    }));
  if (postings.length === 0) return null;
  return transaction(ctx, { type: 'giftcard-expire', ref: card.code, postings });
}
