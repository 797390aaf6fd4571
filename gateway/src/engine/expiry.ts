/**
 * The expiry job (docs/program.md: Balances, lots, expiry, pending): posts an `expire` entry
 * for what is left of every expired lot. Balances already leave expired lots out before
 * this runs (lots.ts), so the job only makes the ledger say so.
 */
import type { LedgerTransaction, MemberState, Posting } from '../domain/ledger-types.ts';
import type { EngineContext } from './context.ts';
import { isExpired, lotView } from './lots.ts';
import { transaction } from './transaction.ts';

/** An `expire` posting for what is left of every lot expired at `ctx.now`. */
export function expirePostings(ctx: EngineContext, member: MemberState): Posting[] {
  const view = lotView(ctx.program, member, ctx.now);
  const postings: Posting[] = [];
  for (const lot of member.lots) {
    if (lot.remaining <= 0 || !isExpired(lot, view.nowMs, view.inactivityAt)) continue;
    postings.push({
      owner: { member: member.memberId },
      asset: lot.asset,
      bucket: 'available',
      kind: 'expire',
      amount: -lot.remaining,
      lotId: lot.id,
      meta: { expiresAt: lot.expiresAt ?? 'inactivity' },
    });
  }
  return postings;
}

export function runExpiry(ctx: EngineContext, member: MemberState): LedgerTransaction | null {
  const postings = expirePostings(ctx, member);
  if (postings.length === 0) return null;
  const ids = postings.map((p) => p.lotId).join(',');
  return transaction(ctx, { type: 'expire', ref: `${member.memberId}:${ids}`, postings });
}

/** Points expiring between now and `until` (the kiosk's `expiringSoon`), soonest first. */
export function expiringSoon(
  ctx: EngineContext,
  member: MemberState,
  until: string,
): Array<{ points: number; at: string }> {
  const view = lotView(ctx.program, member, ctx.now);
  const limit = Date.parse(until);
  const byDay = new Map<string, number>();
  for (const lot of member.lots) {
    if (lot.asset !== 'points' || lot.remaining <= 0 || isExpired(lot, view.nowMs, view.inactivityAt))
      continue;
    const at =
      lot.expiresAt ?? (view.inactivityAt === null ? null : new Date(view.inactivityAt).toISOString());
    if (at === null || Date.parse(at) > limit) continue;
    byDay.set(at, (byDay.get(at) ?? 0) + lot.remaining);
  }
  return [...byDay].sort(([a], [b]) => Date.parse(a) - Date.parse(b)).map(([at, points]) => ({ points, at }));
}
