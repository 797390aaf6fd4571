import type { Balances as ContractBalances } from '../contract/ops.ts';
import type { MemberState } from '../domain/ledger-types.ts';
import type { Balances } from '../engine/context.ts';
import { tierIndex } from '../engine/tiers.ts';
import type { Ledger } from '../ledger/index.ts';
import { heldElsewhere } from '../ledger/sync-store.ts';
import type { LedgerEffects, Member } from '../ledger/types.ts';
import type { Program } from '../program/schema.ts';
import { Refusal } from './refusal.ts';

/** The trailing window the tier basis needs (docs/program.md: Tiers). */
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
 * The tier change a decision implies (docs/program.md: Tiers; the engine returns the tier after
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

/** Balances as a chain store shows them, with what this store itself can spend (contract `Balances`). */
export type ShownBalances = ContractBalances;

/**
 * docs/protocol.md §2: the balance a store shows is head office's balance plus this device's later
 * entries, so a member sees at every store what they earned at all of them. `local` is what
 * this store's lots hold (the engine's balances); the part held elsewhere in the chain is
 * added to it, and `spendableHere` keeps what this store can spend now: each store spends
 * only the lots it holds, so two stores can never spend the same points (docs/sync.md).
 * A standalone store (no balance from head office) shows `local` as it is.
 */
export const chainBalances = (ledger: Ledger, memberId: string, local: Balances): ShownBalances => {
  const elsewhere = heldElsewhere(ledger.db, memberId);
  if (!elsewhere || (elsewhere.points === 0 && elsewhere.credit === 0)) return local;
  return {
    points: Math.max(0, local.points + elsewhere.points),
    pendingPoints: local.pendingPoints,
    credit: Math.max(0, local.credit + elsewhere.credit),
    spendableHere: { points: local.points, credit: local.credit },
  };
};
