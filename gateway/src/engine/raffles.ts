/**
 * Raffles (docs/program-raffles.md, an addition beyond docs/program.md). Entries are earned
 * per N points a sale earns, or bought with points; the draw ranks every ticket by
 * SHA-256(seed:raffleId:memberId:n) — the seed's hash is published in the program before
 * entries open, so anyone holding the entry list and the revealed seed can re-run it.
 */
import { createHash } from 'node:crypto';
import type { LedgerTransaction, MemberState } from '../domain/ledger-types.ts';
import type { Program, Raffle } from '../program/schema.ts';
import { toMs } from './calendar.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { memberWallet, transaction } from './transaction.ts';

export interface RaffleEntryRecord {
  raffleId: string;
  memberId: string;
  entries: number;
  source: 'earned' | 'bought';
  at: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

function isOpen(raffle: Raffle, member: MemberState, at: string): boolean {
  const t = toMs(at);
  if (t < toMs(raffle.opens) || t > toMs(raffle.closes)) return false;
  return raffle.tiers === undefined || raffle.tiers.includes(member.tier);
}

/** Entries a sale earning `points` (spend + product-bonus) gives, per open raffle. */
export function raffleEntriesForSale(
  program: Program,
  member: MemberState,
  at: string,
  points: number,
): RaffleEntryRecord[] {
  const out: RaffleEntryRecord[] = [];
  for (const raffle of program.raffles) {
    const per = raffle.entries.perPoints;
    if (per === undefined || !isOpen(raffle, member, at)) continue;
    const entries = Math.floor(points / per);
    if (entries > 0)
      out.push({ raffleId: raffle.id, memberId: member.memberId, entries, source: 'earned', at });
  }
  return out;
}

export interface BuyEntriesRequest {
  raffleId: string;
  count: number;
  /** Entries the member already holds in this raffle (the caller counts them). */
  held: number;
}

export function buyRaffleEntries(
  ctx: EngineContext,
  member: MemberState,
  request: BuyEntriesRequest,
  idempotencyKey?: string,
): { transaction: LedgerTransaction; response: { entries: number; balances: Balances } } {
  const raffle = ctx.program.raffles.find((r) => r.id === request.raffleId);
  const cost = raffle?.entries.cost;
  if (!raffle || cost === undefined || !isOpen(raffle, member, ctx.now)) {
    throw new EngineError('REWARD_UNAVAILABLE', `raffle ${request.raffleId} does not sell entries now`);
  }
  if (!Number.isInteger(request.count) || request.count <= 0)
    throw invalid('count', 'must be a positive integer');
  const cap = raffle.entries.maxPerMember;
  if (cap !== undefined && request.held + request.count > cap)
    throw invalid('count', `at most ${cap} entries per member`);
  const wallet = memberWallet(ctx, member);
  const price = cost.points * request.count;
  if (wallet.available('points') < price)
    throw new EngineError('INSUFFICIENT_BALANCE', `needs ${price} points`);
  const { postings } = wallet.take('points', price, 'spend', {
    ruleId: raffle.id,
    meta: { raffle: raffle.id, entries: request.count },
  });
  const record: RaffleEntryRecord = {
    raffleId: raffle.id,
    memberId: member.memberId,
    entries: request.count,
    source: 'bought',
    at: ctx.now,
  };
  return {
    transaction: transaction(ctx, {
      type: 'raffle-entry',
      ref: `${raffle.id}:${member.memberId}`,
      idempotencyKey,
      postings,
      records: { raffleEntries: [record] },
    }),
    response: { entries: request.count, balances: wallet.balances() },
  };
}

export interface RaffleWinner {
  rank: number;
  memberId: string;
  ticket: number;
  score: string;
}

/**
 * The draw: every ticket (member, n) for n = 1..entries scores SHA-256 of
 * `${seed}:${raffleId}:${memberId}:${n}` (hex); ascending scores win, one win per member.
 * Pure and order-independent, so the result is the same wherever it is re-run.
 */
export function drawRaffle(raffle: Raffle, seed: string, entries: RaffleEntryRecord[]): RaffleWinner[] {
  if (sha256(seed) !== raffle.seedSha256) throw invalid('seed', 'does not match the published seedSha256');
  const perMember = new Map<string, number>();
  for (const e of entries) {
    if (e.raffleId !== raffle.id) continue;
    perMember.set(e.memberId, (perMember.get(e.memberId) ?? 0) + e.entries);
  }
  const tickets: Array<{ memberId: string; ticket: number; score: string }> = [];
  for (const [memberId, count] of perMember) {
    for (let n = 1; n <= count; n++) {
      tickets.push({ memberId, ticket: n, score: sha256(`${seed}:${raffle.id}:${memberId}:${n}`) });
    }
  }
  tickets.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
  const winners: RaffleWinner[] = [];
  const won = new Set<string>();
  for (const t of tickets) {
    if (winners.length >= raffle.winners) break;
    if (won.has(t.memberId)) continue;
    won.add(t.memberId);
    winners.push({ rank: winners.length + 1, ...t });
  }
  return winners;
}

/** Anyone's check of a published result: same seed + same entries → same winners. */
export function verifyDraw(
  raffle: Raffle,
  seed: string,
  entries: RaffleEntryRecord[],
  published: RaffleWinner[],
): boolean {
  const again = drawRaffle(raffle, seed, entries);
  return (
    again.length === published.length &&
    again.every((w, i) => w.memberId === published[i]?.memberId && w.ticket === published[i]?.ticket)
  );
}
