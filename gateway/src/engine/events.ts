/**
 * Event bonuses (docs/program.md: Events). Birthday and anniversary post once per member per
 * year on that local day (29 Feb → 28 Feb in common years); signup on enrollment;
 * first-purchase and referral with the member's first sale. Event points do not qualify
 * for tiers and do repay debt first (they are earnings).
 */
import type { LedgerTransaction, MemberState, Posting } from '../domain/ledger-types.ts';
import type { EventName, EventRule } from '../program/schema.ts';
import type { BreakdownEntry } from './accrual.ts';
import { parseDate, sameDate, toIso, toMs, yearlyDate, zonedInstant } from './calendar.ts';
import type { EngineContext } from './context.ts';
import { ruleAppliesToSale, saleFacts } from './filters.ts';
import { newPointsLot } from './lots.ts';
import { memberWallet, transaction } from './transaction.ts';
import { Wallet } from './wallet.ts';

export function eventRules(ctx: EngineContext, event: EventName): EventRule[] {
  return ctx.program.earn.filter((r): r is EventRule => r.type === 'event' && r.event === event);
}

function applies(ctx: EngineContext, rule: EventRule, member: MemberState, at: string): boolean {
  return ruleAppliesToSale(rule, saleFacts(ctx.storeId, at, ctx.program.timezone, member));
}

export interface DueEvent {
  ruleId: string;
  event: 'birthday' | 'anniversary';
  /** The marker the caller adds to `eventsPosted` (e.g. `birthday:2027`). */
  key: string;
  points: number;
}

/** Which yearly events are due for a member on a local day `YYYY-MM-DD` (run daily by the caller). */
export function dueEvents(ctx: EngineContext, member: MemberState, day: string): DueEvent[] {
  const date = parseDate(day);
  const at = toIso(zonedInstant(date, ctx.program.timezone, 12));
  const out: DueEvent[] = [];
  for (const event of ['birthday', 'anniversary'] as const) {
    const source = event === 'birthday' ? member.birthDate : member.anniversaryDate;
    if (source === null || !sameDate(yearlyDate(source, date.y), date)) continue;
    const key = `${event}:${date.y}`;
    if (member.eventsPosted.includes(key)) continue;
    for (const rule of eventRules(ctx, event)) {
      if (applies(ctx, rule, member, at)) out.push({ ruleId: rule.id, event, key, points: rule.points });
    }
  }
  return out;
}

export interface EventResult {
  transaction: LedgerTransaction | null;
  eventsPosted: string[];
}

/** Posts the due yearly events of `day` in one transaction (null when none are due). */
export function postDueEvents(ctx: EngineContext, member: MemberState, day: string): EventResult {
  const due = dueEvents(ctx, member, day);
  if (due.length === 0) return { transaction: null, eventsPosted: [] };
  const wallet = memberWallet(ctx, member);
  const lot = newPointsLot(ctx.program, ctx.now);
  const postings = due.flatMap((e) =>
    wallet.add('points', e.points, 'event', lot, { ruleId: e.ruleId, meta: { event: e.event } }, true),
  );
  const keys = [...new Set(due.map((e) => e.key))];
  return {
    transaction: transaction(ctx, { type: 'event', ref: `${member.memberId}:${keys.join(',')}`, postings }),
    eventsPosted: keys,
  };
}

/** The signup bonus, posted with the enrollment (docs/program.md: Events — `signup` on enrollment). */
export function signupEvents(ctx: EngineContext, member: MemberState): EventResult {
  if (member.eventsPosted.includes('signup')) return { transaction: null, eventsPosted: [] };
  const wallet = memberWallet(ctx, member);
  const lot = newPointsLot(ctx.program, ctx.now);
  const postings = eventRules(ctx, 'signup')
    .filter((r) => applies(ctx, r, member, ctx.now))
    .flatMap((r) =>
      wallet.add('points', r.points, 'event', lot, { ruleId: r.id, meta: { event: 'signup' } }, true),
    );
  if (postings.length === 0) return { transaction: null, eventsPosted: [] };
  return {
    transaction: transaction(ctx, { type: 'event', ref: `${member.memberId}:signup`, postings }),
    eventsPosted: ['signup'],
  };
}

/**
 * first-purchase and referral, posted inside the member's first sale. The referrer's
 * share goes to the referrer as its own lot in the same transaction.
 */
export function firstSaleEvents(
  ctx: EngineContext,
  member: MemberState,
  wallet: Wallet,
  at: string,
): { postings: Posting[]; breakdown: BreakdownEntry[]; eventsPosted: string[] } {
  const out = { postings: [] as Posting[], breakdown: [] as BreakdownEntry[], eventsPosted: [] as string[] };
  if (member.lastSaleAt !== null) return out;
  const lot = newPointsLot(ctx.program, at);
  if (!member.eventsPosted.includes('first-purchase')) {
    out.eventsPosted.push('first-purchase');
    for (const rule of eventRules(ctx, 'first-purchase')) {
      if (!applies(ctx, rule, member, at)) continue;
      const extras = { ruleId: rule.id, meta: { event: 'first-purchase' } };
      out.postings.push(...wallet.add('points', rule.points, 'event', lot, extras, true));
      out.breakdown.push({ ruleId: rule.id, points: rule.points, credit: 0 });
    }
  }
  if (member.referrerId !== null && !member.eventsPosted.includes('referral')) {
    out.eventsPosted.push('referral');
    const referrer = new Wallet(
      { member: member.referrerId },
      { lots: [], nowMs: toMs(at), inactivityAt: null },
    );
    for (const rule of eventRules(ctx, 'referral')) {
      if (!applies(ctx, rule, member, at)) continue;
      const meta = { event: 'referral', referred: member.memberId, referrer: member.referrerId };
      if (rule.to !== 'referred')
        out.postings.push(...referrer.add('points', rule.points, 'event', lot, { ruleId: rule.id, meta }));
      if (rule.to !== 'referrer') {
        out.postings.push(
          ...wallet.add('points', rule.points, 'event', lot, { ruleId: rule.id, meta }, true),
        );
        out.breakdown.push({ ruleId: rule.id, points: rule.points, credit: 0 });
      }
    }
  }
  return out;
}
