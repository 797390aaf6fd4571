/**
 * Tiers (docs/program.md: Tiers). Qualifying = points earned from sales (or spend, for a
 * spend basis) minus their reversals, inside the basis window. Upgrades happen right
 * after posting (and apply from the next sale); downgrades only in the daily run, never
 * within `downgradeGraceMonths` of the last upgrade.
 */
import type { MemberState } from '../domain/ledger-types.ts';
import type { Program, TierLevel } from '../program/schema.ts';
import { addMonths, localDateOf, startOfDay, toMs } from './calendar.ts';
import { fromDecimal, type Rational } from './rational.ts';

export function tierIndex(program: Program, tierId: string): number {
  const i = program.tiers.levels.findIndex((l) => l.id === tierId);
  return Math.max(i, 0);
}

export function tierLevel(program: Program, tierId: string): TierLevel {
  const all = program.tiers.levels;
  return all[tierIndex(program, tierId)] ?? (all[0] as TierLevel);
}

export function tierMultiplier(program: Program, tierId: string): Rational {
  return fromDecimal(tierLevel(program, tierId).earnMultiplier);
}

export const isSpendBasis = (program: Program): boolean => 'spendMonths' in program.tiers.basis;

function basisMonths(program: Program): number {
  const b = program.tiers.basis;
  return 'spendMonths' in b ? b.spendMonths : b.earnedPointsMonths;
}

/** Start of the trailing window: the start of the local day N months before `now`. */
export function windowStart(program: Program, now: string): number {
  const tz = program.timezone;
  return startOfDay(addMonths(localDateOf(now, tz), -basisMonths(program)), tz);
}

export function qualifyingTotal(program: Program, member: MemberState, now: string): number {
  const from = windowStart(program, now);
  const to = toMs(now);
  let total = 0;
  for (const e of member.qualifying) {
    const t = toMs(e.at);
    if (t >= from && t <= to) total += e.amount;
  }
  return total;
}

/** The highest level whose threshold the qualifying total reaches. */
export function levelFor(program: Program, qualifying: number): TierLevel {
  let found = program.tiers.levels[0] as TierLevel;
  for (const level of program.tiers.levels) if (qualifying >= level.threshold) found = level;
  return found;
}

export interface TierDecision {
  tier: string;
  changed: boolean;
}

/** After a posting that adds `delta` qualifying: upgrade only (docs/program.md: "Upgrade immediately"). */
export function tierAfterPosting(
  program: Program,
  member: MemberState,
  now: string,
  delta: number,
): TierDecision {
  const target = levelFor(program, qualifyingTotal(program, member, now) + delta);
  if (tierIndex(program, target.id) > tierIndex(program, member.tier))
    return { tier: target.id, changed: true };
  return { tier: member.tier, changed: false };
}

/** The daily run: upgrade or downgrade to what qualifying reaches; downgrade respects the grace. */
export function dailyTier(program: Program, member: MemberState, now: string): TierDecision {
  const target = levelFor(program, qualifyingTotal(program, member, now));
  const current = tierIndex(program, member.tier);
  const wanted = tierIndex(program, target.id);
  if (wanted > current) return { tier: target.id, changed: true };
  if (wanted === current) return { tier: member.tier, changed: false };
  const grace = program.tiers.downgradeGraceMonths;
  if (grace > 0 && member.tierSince !== null) {
    const tz = program.timezone;
    const graceEnds = startOfDay(addMonths(localDateOf(member.tierSince, tz), grace), tz);
    if (toMs(now) < graceEnds) return { tier: member.tier, changed: false };
  }
  return { tier: target.id, changed: true };
}

/** What identify shows: the next tier and the qualifying it still misses. */
export function nextTier(
  program: Program,
  member: MemberState,
  now: string,
): { id: string; missing: number } | null {
  const next = program.tiers.levels[tierIndex(program, member.tier) + 1];
  if (!next) return null;
  return { id: next.id, missing: Math.max(0, next.threshold - qualifyingTotal(program, member, now)) };
}
