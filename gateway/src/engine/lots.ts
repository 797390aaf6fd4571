/**
 * Lots and balances (docs/program.md: Balances, lots, expiry, pending). A lot is spendable
 * from `availableAt` until it expires; balances never include expired lots, even
 * before the expiry job has posted their `expire` entries.
 */
import type { Asset, Lot, MemberState, NewLot } from '../domain/ledger-types.ts';
import type { Program } from '../program/schema.ts';
import { addMonths, endOfDay, endOfYear, localDateOf, toIso, toMs } from './calendar.ts';
import type { Balances } from './context.ts';

const DAY_MS = 86_400_000;

/** When points earned at `earnedAt` expire; null for `none` and `inactivityMonths` (decided per member). */
export function pointsExpiresAt(program: Program, earnedAt: string): string | null {
  const rule = program.points.expiry;
  const tz = program.timezone;
  if (rule === 'none' || 'inactivityMonths' in rule) return null;
  const earned = localDateOf(earnedAt, tz);
  if ('afterMonths' in rule) return toIso(endOfDay(addMonths(earned, rule.afterMonths), tz));
  return toIso(endOfYear(earned.y + rule.endOfYearAfter, tz));
}

/** The lot a points earning creates: pending for `pendingDays`, expiring per `points.expiry`. */
export function newPointsLot(program: Program, earnedAt: string): NewLot {
  return {
    availableAt: toIso(toMs(earnedAt) + program.points.pendingDays * DAY_MS),
    expiresAt: pointsExpiresAt(program, earnedAt),
  };
}

/** Credit (cashback, conversions, releases) does not expire in contract v1. */
export function newCreditLot(at: string): NewLot {
  return { availableAt: at, expiresAt: null };
}

/** The instant every points lot expires under `inactivityMonths`, or null. */
export function inactivityExpiry(program: Program, member: MemberState): number | null {
  const rule = program.points.expiry;
  if (rule === 'none' || !('inactivityMonths' in rule)) return null;
  const last = member.lastSaleAt ?? member.enrolledAt;
  return endOfDay(addMonths(localDateOf(last, program.timezone), rule.inactivityMonths), program.timezone);
}

export function isExpired(lot: Lot, nowMs: number, inactivityAt: number | null): boolean {
  if (lot.expiresAt !== null && nowMs > toMs(lot.expiresAt)) return true;
  return lot.asset === 'points' && inactivityAt !== null && nowMs > inactivityAt;
}

/** Spending and reversals consume soonest-expiring first, then oldest (docs/program.md). */
export function compareLots(a: Lot, b: Lot): number {
  const ea = a.expiresAt === null ? Number.POSITIVE_INFINITY : toMs(a.expiresAt);
  const eb = b.expiresAt === null ? Number.POSITIVE_INFINITY : toMs(b.expiresAt);
  if (ea !== eb) return ea < eb ? -1 : 1;
  const oa = toMs(a.earnedAt);
  const ob = toMs(b.earnedAt);
  if (oa !== ob) return oa - ob;
  return a.id - b.id;
}

export interface LotView {
  lots: Lot[];
  nowMs: number;
  inactivityAt: number | null;
}

export function lotView(program: Program, member: MemberState, now: string): LotView {
  return { lots: member.lots, nowMs: toMs(now), inactivityAt: inactivityExpiry(program, member) };
}

/** Live lots of an asset in consumption order; `spendableOnly` leaves pending lots out. */
export function liveLots(view: LotView, asset: Asset, spendableOnly: boolean): Lot[] {
  return view.lots
    .filter(
      (l) =>
        l.asset === asset &&
        l.remaining > 0 &&
        !isExpired(l, view.nowMs, view.inactivityAt) &&
        (!spendableOnly || toMs(l.availableAt) <= view.nowMs),
    )
    .sort(compareLots);
}

export function balancesOf(view: LotView): Balances {
  let points = 0;
  let pendingPoints = 0;
  let credit = 0;
  for (const lot of view.lots) {
    if (lot.remaining <= 0 || isExpired(lot, view.nowMs, view.inactivityAt)) continue;
    if (lot.asset === 'credit') credit += lot.remaining;
    else if (toMs(lot.availableAt) <= view.nowMs) points += lot.remaining;
    else pendingPoints += lot.remaining;
  }
  return { points, pendingPoints, credit };
}

export function memberBalances(program: Program, member: MemberState, now: string): Balances {
  return balancesOf(lotView(program, member, now));
}
