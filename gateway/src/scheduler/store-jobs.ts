import type { MemberState } from '../domain/ledger-types.ts';
import { daysInMonth, formatDate, localDateOf } from '../engine/calendar.ts';
import type { EngineContext } from '../engine/index.ts';
import { dailyTier, expireGiftCard, expireHolds, postDueEvents, runExpiry } from '../engine/index.ts';
import type { Ledger } from '../ledger/index.ts';
import { loadGiftCard } from '../ledger/index.ts';
import { membersAboveTier, membersWithYearlyDates } from '../ledger/lookups.ts';
import type { LedgerCommit } from '../ledger/types.ts';
import type { Program } from '../program/schema.ts';
import { loadState, tierEffect } from '../tills/member-view.ts';

export interface JobDeps {
  ledger: Ledger;
  program: () => Program;
  storeId: string;
  /** In a chain, member-level scheduled events run at head office only (program.md: Events). */
  chain: boolean;
}

export interface JobCounts {
  holds: number;
  expiries: number;
  events: number;
  tiers: number;
}

/** Each job's transactions carry deterministic keys, so a job run twice posts once. */
const commit = (ledger: Ledger, tx: LedgerCommit): boolean => !ledger.commit(tx).replayed;

const distinct = <T>(items: T[]): T[] => [...new Set(items)];

/** Held credit past its expiry goes back to the wallet (program.md: Redemption). Stores do this in a chain too. */
export const expireDueHolds = (deps: JobDeps, ctx: EngineContext, now: Date): number => {
  let n = 0;
  for (const memberId of distinct(deps.ledger.findExpiredHolds(now).map((h) => h.memberId))) {
    const tx = expireHolds(ctx, loadState(deps.ledger, memberId, now, ctx.program));
    if (tx && commit(deps.ledger, tx)) n++;
  }
  return n;
};

/** What is left of expired lots is posted as `expire` (program.md: balances never include them anyway). */
export const expireDueLots = (deps: JobDeps, ctx: EngineContext, now: Date): number => {
  let n = 0;
  const owners = deps.ledger.findExpiredLots(now).map((l) => l.owner);
  for (const memberId of distinct(owners.flatMap((o) => ('member' in o ? [o.member] : [])))) {
    const tx = runExpiry(ctx, loadState(deps.ledger, memberId, now, ctx.program));
    if (tx && commit(deps.ledger, tx)) n++;
  }
  for (const code of distinct(owners.flatMap((o) => ('giftCard' in o ? [o.giftCard] : [])))) {
    const card = loadGiftCard(deps.ledger.db, code);
    const tx = card ? expireGiftCard(ctx, card) : null;
    if (tx && commit(deps.ledger, tx)) n++;
  }
  return n;
};

/** The `MM-DD` days whose yearly events fall today: 29 February's on 28 February in common years. */
export const yearlyDays = (day: string): string[] => {
  const [y, m, d] = day.split('-');
  const days = [`${m}-${d}`];
  if (m === '02' && d === '28' && daysInMonth(Number(y), 2) === 28) days.push('02-29');
  return days;
};

/** Birthday and anniversary bonuses due today, once per member per year (program.md: Events). */
export const postYearlyEvents = (deps: JobDeps, ctx: EngineContext, now: Date): number => {
  const day = formatDate(localDateOf(ctx.now, ctx.program.timezone));
  let n = 0;
  for (const memberId of membersWithYearlyDates(deps.ledger.db, yearlyDays(day))) {
    const state = loadState(deps.ledger, memberId, now, ctx.program);
    const result = postDueEvents(ctx, state, day);
    if (!result.transaction) continue;
    const events = result.eventsPosted.map((event) => ({ memberId, event }));
    if (commit(deps.ledger, { ...result.transaction, effects: { events } })) n++;
  }
  return n;
};

/** Daily tier re-evaluation: downgrades after the grace period (program.md: Tiers). */
export const reviewTiers = (deps: JobDeps, ctx: EngineContext, now: Date): number => {
  const program = ctx.program;
  const day = formatDate(localDateOf(ctx.now, program.timezone));
  let n = 0;
  for (const memberId of membersAboveTier(deps.ledger.db, program.tiers.levels[0]!.id)) {
    const state: MemberState = loadState(deps.ledger, memberId, now, program);
    const decision = dailyTier(program, state, ctx.now);
    if (!decision.changed) continue;
    const tx: LedgerCommit = {
      idempotencyKey: `tier-review:${ctx.storeId}:${memberId}:${day}`,
      type: 'tier-review',
      at: ctx.now,
      programVersion: program.version,
      storeId: ctx.storeId,
      ref: memberId,
      postings: [],
      effects: tierEffect(program, memberId, state.tier, decision.tier),
    };
    if (commit(deps.ledger, tx)) n++;
  }
  return n;
};

/** Every job due at `now`; member-level ones only when the store runs on its own. */
export const runDueJobs = (deps: JobDeps, now: Date, daily: boolean): JobCounts => {
  const ctx: EngineContext = { program: deps.program(), now: now.toISOString(), storeId: deps.storeId };
  const counts: JobCounts = { holds: expireDueHolds(deps, ctx, now), expiries: 0, events: 0, tiers: 0 };
  // Dated lots expire where they are held, in a chain too: head office only sees the
  // `expire` entries (otherwise hq's balance would keep expired points for ever).
  counts.expiries = expireDueLots(deps, ctx, now);
  if (deps.chain) return counts;
  if (daily) {
    counts.events = postYearlyEvents(deps, ctx, now);
    counts.tiers = reviewTiers(deps, ctx, now);
  }
  return counts;
};
