import type { MemberState } from '../domain/ledger-types.ts';
import { tierIndex } from '../engine/tiers.ts';
import type { Ledger } from '../ledger/index.ts';
import type { LedgerEffects, Member } from '../ledger/types.ts';
import type { Program } from '../program/schema.ts';
import { Refusal } from './refusal.ts';

/** The trailing window the tier basis needs (program.md: Tiers). */
export const windowMonths = (program: Program): number => {
  const basis = program.tiers.basis as { earnedPointsMonths?: number; spendMonths?: number };
  return basis.earnedPointsMonths ?? basis.spendMonths ?? 12;
};

export const loadState = (ledger: Ledger, memberId: string, now: Date, program: Program): MemberState =>
  ledger.loadMemberState(memberId, now, windowMonths(program));

export const getMember = (ledger: Ledger, memberId: string): Member => {
  const member = ledger.getMember(memberId);
  if (!member) throw new Refusal('CARD_UNKNOWN', `the card's member ${memberId} is not on this device`);
  return member;
};

/** What a till may print: first name and the initial of the last name. */
export const displayName = (m: Pick<Member, 'firstName' | 'lastName'>): string =>
  m.lastName ? `${m.firstName} ${m.lastName.slice(0, 1)}.` : m.firstName;

export const memberSummary = (
  m: Pick<Member, 'id' | 'firstName' | 'lastName' | 'language'>,
  tier: string,
) => ({
  id: m.id,
  displayName: displayName(m),
  tier,
  language: m.language,
});

/**
 * The tier change a decision implies (program.md: Tiers; the engine returns the tier after
 * posting, the ledger stores the change in the same commit).
 */
export const tierEffect = (
  program: Program,
  memberId: string,
  from: string,
  to: string,
): Pick<LedgerEffects, 'tierChange'> =>
  from === to
    ? {}
    : { tierChange: { memberId, from, to, upgrade: tierIndex(program, to) > tierIndex(program, from) } };
