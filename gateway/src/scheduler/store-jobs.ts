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
  /** In a chain, member-level scheduled events run at head office only (docs/program.md: Events). */
  chain: boolean;
}

export interface JobCounts {
  holds: number;
  expiries: number;
  events: number;
  tiers: number;
}

/** A job: yields after each member it handled, returns how many transactions it posted. */
type Job = Generator<void, number, undefined>;

/** Each job's transactions carry deterministic keys, so a job run twice posts once. */
const commit = (ledger: Ledger, tx: LedgerCommit): boolean => !ledger.commit(tx).replayed;

const distinct = <T>(items: T[]): T[] => [...new Set(items)];

/** Held credit past its expiry goes back to the wallet (docs/program.md: Redemption). Stores do this in a chain too. */
export function* expireDueHolds(deps: JobDeps, ctx: EngineContext, now: Date): Job {
  let n = 0;
  for (const memberId of distinct(deps.ledger.findExpiredHolds(now).map((h) => h.memberId))) {
    const tx = expireHolds(ctx, loadState(deps.ledger, memberId, now, ctx.program));
    if (tx && commit(deps.ledger, tx)) n++;
    yield;
  }
  return n;
}

/** What is left of expired lots is posted as `expire` (docs/program.md: balances never include them anyway). */
export function* expireDueLots(deps: JobDeps, ctx: EngineContext, now: Date): Job {
  let n = 0;
  const owners = deps.ledger.findExpiredLots(now).map((l) => l.owner);
  for (const memberId of distinct(owners.flatMap((o) => ('member' in o ? [o.member] : [])))) {
    const tx = runExpiry(ctx, loadState(deps.ledger, memberId, now, ctx.program));
    if (tx && commit(deps.ledger, tx)) n++;
    yield;
  }
  for (const code of distinct(owners.flatMap((o) => ('giftCard' in o ? [o.giftCard] : [])))) {
    const card = loadGiftCard(deps.ledger.db, code);
    const tx = card ? expireGiftCard(ctx, card) : null;
    if (tx && commit(deps.ledger, tx)) n++;
    yield;
  }
  return n;
}

/** The `MM-DD` days whose yearly events fall today: 29 February's on 28 February in common years. */
export const yearlyDays = (day: string): string[] => {
  const [y, m, d] = day.split('-');
  const days = [`${m}-${d}`];
  if (m === '02' && d === '28' && daysInMonth(Number(y), 2) === 28) days.push('02-29');
  return days;
};

/** Birthday and anniversary bonuses due today, once per member per year (docs/program.md: Events). */
export function* postYearlyEvents(deps: JobDeps, ctx: EngineContext, now: Date): Job {
  const day = formatDate(localDateOf(ctx.now, ctx.program.timezone));
  let n = 0;
  for (const memberId of membersWithYearlyDates(deps.ledger.db, yearlyDays(day))) {
    yield;
    const state = loadState(deps.ledger, memberId, now, ctx.program);
    const result = postDueEvents(ctx, state, day);
    if (!result.transaction) continue;
    const events = result.eventsPosted.map((event) => ({ memberId, event }));
    if (commit(deps.ledger, { ...result.transaction, effects: { events } })) n++;
  }
  return n;
}

/** Daily tier re-evaluation: downgrades after the grace period (docs/program.md: Tiers). */
export function* reviewTiers(deps: JobDeps, ctx: EngineContext, now: Date): Job {
  const program = ctx.program;
  const day = formatDate(localDateOf(ctx.now, program.timezone));
  let n = 0;
  for (const memberId of membersAboveTier(deps.ledger.db, program.tiers.levels[0]!.id)) {
    yield;
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
}

/**
 * Every job due at `now`; member-level ones only when the store runs on its own. A job is a
 * generator that yields after each member, so a long pass (a tier review over 100 000
 * members) can give the event loop back to the tills between members (`runDueJobsSliced`).
 */
export function* dueJobs(deps: JobDeps, now: Date, daily: boolean): Generator<void, JobCounts, undefined> {
  const ctx: EngineContext = { program: deps.program(), now: now.toISOString(), storeId: deps.storeId };
  const counts: JobCounts = {
    holds: yield* expireDueHolds(deps, ctx, now),
    expiries: 0,
    events: 0,
    tiers: 0,
  };
  // Dated lots expire where they are held, in a chain too: head office only sees the
  // `expire` entries (otherwise hq's balance would keep expired points for ever).
  counts.expiries = yield* expireDueLots(deps, ctx, now);
  if (deps.chain) return counts;
  if (daily) {
    counts.events = yield* postYearlyEvents(deps, ctx, now);
    counts.tiers = yield* reviewTiers(deps, ctx, now);
  }
  return counts;
}

/** All due jobs at once (tests, and an operator who wants them now). */
export const runDueJobs = (deps: JobDeps, now: Date, daily: boolean): JobCounts => {
  const jobs = dueJobs(deps, now, daily);
  for (;;) {
    const step = jobs.next();
    if (step.done) return step.value;
  }
};

/**
 * All due jobs in slices of about `sliceMs` of work, yielding to the event loop between
 * slices so tills and kiosks are answered while a long pass runs. Stops early (returning
 * null) when `stopped()` says so, between two members.
 */
export const runDueJobsSliced = async (
  deps: JobDeps,
  now: Date,
  daily: boolean,
  options: { sliceMs?: number; stopped?: () => boolean } = {},
): Promise<JobCounts | null> => {
  const sliceMs = options.sliceMs ?? 2;
  const jobs = dueJobs(deps, now, daily);
  for (;;) {
    const until = performance.now() + sliceMs;
    for (;;) {
      const step = jobs.next();
      if (step.done) return step.value;
      if (performance.now() >= until) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.stopped?.()) {
      jobs.return({ holds: 0, expiries: 0, events: 0, tiers: 0 });
      return null;
    }
  }
};
