/**
 * A sale (and simulate: the same result, simply not committed) — docs/program.md: Accrual of
 * one sale. Builds the postings, the SaleRecord returns reverse from, and the response.
 */
import type {
  EarnKind,
  LedgerTransaction,
  MemberState,
  Posting,
  RationalString,
  SaleRecord,
} from '../domain/ledger-types.ts';
import {
  type Accrual,
  type BreakdownEntry,
  computeAccrual,
  type Discount,
  type KindAccrual,
} from './accrual.ts';
import { toMs } from './calendar.ts';
import type { Balances, EngineContext } from './context.ts';
import { firstSaleEvents } from './events.ts';
import { expirePostings } from './expiry.ts';
import { NON_EARNING_METHODS, saleFacts } from './filters.ts';
import { capturePostings, openHold } from './holds.ts';
import { inactivityExpiry, newCreditLot, newPointsLot } from './lots.ts';
import { type RaffleEntryRecord, raffleEntriesForSale } from './raffles.ts';
import { add, floor, mul, type Rational, rat, toRationalString, ZERO } from './rational.ts';
import { receiptLines } from './receipt.ts';
import type { SaleRequest } from './requests.ts';
import { isSpendBasis, tierAfterPosting } from './tiers.ts';
import { memberWallet, recordedTransaction, withQualifying } from './transaction.ts';
import { validateSale } from './validate-sale.ts';

export interface SaleResponse {
  saleId: string;
  earned: { points: number; credit: number };
  breakdown: BreakdownEntry[];
  discounts: Discount[];
  balances: Balances;
  tier: string;
  tierChanged: boolean;
  receipt: string[];
}

/**
 * SaleRecord plus what a spend-basis tier needs to reverse qualifying spend exactly
 * (docs/engine.md: an extension of ledger-types' SaleRecord, stored in the same JSON).
 */
export interface EngineSaleRecord extends SaleRecord {
  qualifying?: { posted: number; lines: Record<string, RationalString> };
}

export interface SaleResult {
  transaction: LedgerTransaction & {
    records: { sale: EngineSaleRecord; raffleEntries?: RaffleEntryRecord[] };
  };
  response: SaleResponse;
  /** Markers the caller adds to the member's `eventsPosted` once committed. */
  eventsPosted: string[];
  accrual: Accrual | null;
}

export interface SaleOptions {
  idempotencyKey?: string;
}

const linesRecord = (k: KindAccrual): Record<string, RationalString> =>
  Object.fromEntries([...k.lines].map(([id, r]) => [id, toRationalString(r)]));

/** Qualifying spend of a spend-basis tier: what the member paid by earning methods, per line. */
function qualifyingSpend(sale: SaleRequest): KindAccrual {
  const paid = sale.payments
    .filter((p) => !NON_EARNING_METHODS.has(p.method))
    .reduce((s, p) => s + p.amount, 0);
  const share: Rational = sale.total === 0 ? ZERO : rat(paid, sale.total);
  const lines = new Map(sale.lines.map((l) => [l.lineId, mul(rat(l.amount), share)]));
  return { posted: floor([...lines.values()].reduce(add, ZERO)), lines };
}

function saleRecord(sale: SaleRequest, memberId: string | null, accrual: Accrual | null): SaleRecord {
  const empty = { posted: 0, lines: {} };
  const kind = (k: EarnKind) =>
    accrual ? { posted: accrual.kinds[k].posted, lines: linesRecord(accrual.kinds[k]) } : empty;
  return {
    saleId: sale.saleId,
    memberId,
    at: sale.at,
    total: sale.total,
    lines: sale.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      productGroup: l.productGroup ?? null,
      qty: l.qty,
      amount: l.amount,
    })),
    earned: { spend: kind('spend'), bonus: kind('bonus'), cashback: kind('cashback') },
  };
}

/** A sale with no card: recorded for reports, earns nothing (docs/protocol.md §1). */
function anonymousSale(ctx: EngineContext, sale: SaleRequest, options: SaleOptions): SaleResult {
  const zero = { points: 0, pendingPoints: 0, credit: 0 };
  return {
    transaction: recordedTransaction(ctx, {
      type: 'sale',
      ref: sale.saleId,
      at: sale.at,
      idempotencyKey: options.idempotencyKey,
      postings: [],
      records: { sale: saleRecord(sale, null, null) },
    }),
    response: {
      saleId: sale.saleId,
      earned: { points: 0, credit: 0 },
      breakdown: [],
      discounts: [],
      balances: zero,
      tier: '',
      tierChanged: false,
      receipt: [],
    },
    eventsPosted: [],
    accrual: null,
  };
}

/** Validates, computes and builds a sale. `input` is the request body (unknown JSON is fine). */
export function processSale(
  ctx: EngineContext,
  member: MemberState | null,
  input: unknown,
  options: SaleOptions = {},
): SaleResult {
  const program = ctx.program;
  const sale = validateSale(program, input);
  if (member === null) return anonymousSale(ctx, sale, options);
  const facts = saleFacts(ctx.storeId, sale.at, program.timezone, member);
  const accrual = computeAccrual(program, facts, sale);
  // docs/program.md: inactivityMonths — this sale ends the inactivity: lots that already
  // expired by it are posted as expired here, not revived by the new lastSaleAt
  const postings: Posting[] = inactivityExpiry(program, member) === null ? [] : expirePostings(ctx, member);
  const expired = new Set(postings.map((p) => p.lotId));
  const lastSaleAt =
    member.lastSaleAt !== null && toMs(member.lastSaleAt) > toMs(sale.at) ? member.lastSaleAt : sale.at;
  const wallet = memberWallet(ctx, {
    ...member,
    lastSaleAt,
    lots: member.lots.filter((l) => !expired.has(l.id)),
  });

  // credit payments: capture their holds for the amount paid (docs/protocol.md §1: sale)
  for (const p of sale.payments) {
    if (p.method !== 'loyalty-credit' || p.holdId === undefined) continue;
    const known = member.holds.find((h) => h.holdId === p.holdId);
    if (known?.status === 'captured') continue;
    postings.push(
      ...capturePostings(wallet, openHold(member, p.holdId, ctx.now), p.amount, ctx.now, sale.saleId),
    );
  }

  const lot = newPointsLot(program, sale.at);
  const earnings: Posting[] = [];
  for (const b of accrual.breakdown) {
    earnings.push(...wallet.add('points', b.points, 'earn', lot, { ruleId: b.ruleId }, true));
    earnings.push(
      ...wallet.add('credit', b.credit, 'earn', newCreditLot(sale.at), { ruleId: b.ruleId }, true),
    );
  }
  const salePoints = accrual.kinds.spend.posted + accrual.kinds.bonus.posted;
  const qualifying = isSpendBasis(program) ? qualifyingSpend(sale) : null;
  const qualifyingDelta = qualifying ? qualifying.posted : salePoints;
  postings.push(...withQualifying(earnings, member.memberId, qualifyingDelta, 'earn'));

  const events = firstSaleEvents(ctx, member, wallet, sale.at);
  postings.push(...events.postings);
  const breakdown = [...accrual.breakdown, ...events.breakdown];
  const earned = {
    points: breakdown.reduce((s, b) => s + b.points, 0),
    credit: accrual.kinds.cashback.posted,
  };

  // docs/program.md step 9: re-evaluated after posting; an upgrade applies from the next sale
  const tier = tierAfterPosting(program, member, ctx.now, qualifyingDelta);
  const balances = wallet.balances();
  const record: EngineSaleRecord = saleRecord(sale, member.memberId, accrual);
  if (qualifying) record.qualifying = { posted: qualifying.posted, lines: linesRecord(qualifying) };
  const raffleEntries = raffleEntriesForSale(program, member, sale.at, salePoints);
  const records: SaleResult['transaction']['records'] = { sale: record };
  if (raffleEntries.length > 0) records.raffleEntries = raffleEntries;

  const response: SaleResponse = {
    saleId: sale.saleId,
    earned,
    breakdown,
    discounts: accrual.discounts,
    balances,
    tier: tier.tier,
    tierChanged: tier.changed,
    receipt: receiptLines(program, {
      language: member.language,
      earned,
      breakdown,
      balances,
      tier: tier.tier,
      tierChanged: tier.changed,
    }),
  };
  const tx = recordedTransaction(ctx, {
    type: 'sale',
    ref: sale.saleId,
    at: sale.at,
    idempotencyKey: options.idempotencyKey,
    postings,
    records,
  });
  tx.response = response;
  return { transaction: tx, response, eventsPosted: events.eventsPosted, accrual };
}

/** docs/program.md step 8: simulate computes the same without posting; the caller does not commit. */
export function simulateSale(ctx: EngineContext, member: MemberState | null, input: unknown): SaleResponse {
  return processSale(ctx, member, input).response;
}
