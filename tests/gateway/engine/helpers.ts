/** Fixtures for the engine tests: a small program, members, sales, and a model ledger. */
import type { LedgerTransaction, Lot, MemberState } from '../../../gateway/src/domain/ledger-types.ts';
import type { EngineContext } from '../../../gateway/src/engine/context.ts';
import { type Program, type ProgramInput, programSchema } from '../../../gateway/src/program/schema.ts';

export function program(overrides: Partial<ProgramInput> = {}): Program {
  return programSchema.parse({
    version: 3,
    currency: 'AMD',
    timezone: 'Asia/Yerevan',
    names: { points: { en: 'Points', hy: 'Միավոր' }, credit: { en: 'Wallet' } },
    tiers: {
      basis: { earnedPointsMonths: 12 },
      levels: [
        { id: 'bronze', threshold: 0 },
        { id: 'silver', threshold: 1000, earnMultiplier: 1.25 },
        { id: 'gold', threshold: 5000, earnMultiplier: 1.5, discountPercent: 3 },
      ],
    },
    earn: [{ id: 'base', type: 'spend', points: 1, per: 10000 }],
    ...overrides,
  });
}

export function ctx(p: Program, now = '2026-12-02T10:00:00+04:00', storeId = 'yerevan-1'): EngineContext {
  return { program: p, now, storeId };
}

export function member(overrides: Partial<MemberState> = {}): MemberState {
  return {
    memberId: 'm1',
    tier: 'bronze',
    tierSince: null,
    customerGroup: null,
    birthDate: null,
    anniversaryDate: null,
    enrolledAt: '2026-01-01T10:00:00+04:00',
    language: 'en',
    lots: [],
    holds: [],
    debt: { points: 0, credit: 0 },
    qualifying: [],
    lastSaleAt: '2026-06-01T10:00:00+04:00',
    eventsPosted: [],
    referrerId: null,
    ...overrides,
  };
}

export function pointsLot(
  id: number,
  remaining: number,
  earnedAt: string,
  expiresAt: string | null = null,
): Lot {
  return { id, asset: 'points', remaining, earnedAt, availableAt: earnedAt, expiresAt };
}

export interface LineInput {
  lineId?: string;
  sku?: string;
  productGroup?: string;
  qty?: number;
  amount: number;
}

/** A sale paid in cash unless payments are given; unitPrice = amount / qty rounded up. */
export function sale(
  lines: LineInput[],
  extra: {
    at?: string;
    payments?: Array<{ method: string; amount: number; holdId?: string }>;
    saleId?: string;
  } = {},
) {
  const full = lines.map((l, i) => {
    const qty = l.qty ?? 1;
    return {
      lineId: l.lineId ?? `L${i + 1}`,
      sku: l.sku ?? `SKU-${i + 1}`,
      productGroup: l.productGroup,
      qty,
      unitPrice: Math.ceil(l.amount / qty),
      amount: l.amount,
    };
  });
  const total = full.reduce((s, l) => s + l.amount, 0);
  return {
    saleId: extra.saleId ?? 'S1',
    at: extra.at ?? '2026-12-02T10:00:00+04:00',
    card: { uid: '04A1B2C3' },
    currency: 'AMD',
    lines: full,
    payments: extra.payments ?? [{ method: 'cash', amount: total }],
    total,
  };
}

/**
 * A model of what the ledger does with a transaction, kept apart from the engine: lots
 * get ids, consumed lots shrink, debt and qualifying add up. Throws on a negative bucket.
 */
export function apply(state: MemberState, tx: LedgerTransaction, nextLotId: { n: number }): MemberState {
  const s: MemberState = {
    ...state,
    lots: state.lots.map((l) => ({ ...l })),
    debt: { ...state.debt },
    qualifying: [...state.qualifying],
  };
  for (const p of tx.postings) {
    if (!('member' in p.owner) || p.owner.member !== s.memberId) continue;
    if (p.qualifying) s.qualifying.push({ at: tx.at, amount: p.qualifying });
    if (p.bucket === 'debt') {
      s.debt[p.asset] += p.amount;
      if (s.debt[p.asset] < 0) throw new Error('negative debt');
    } else if (p.bucket === 'available' && p.amount > 0) {
      const lot = p.lot;
      if (!lot) throw new Error('positive posting without lot');
      s.lots.push({ id: nextLotId.n++, asset: p.asset, remaining: p.amount, earnedAt: tx.at, ...lot });
    } else if (p.bucket === 'available' && p.amount < 0) {
      const lot = s.lots.find((l) => l.id === p.lotId);
      if (!lot) throw new Error(`unknown lot ${p.lotId}`);
      lot.remaining += p.amount;
      if (lot.remaining < 0) throw new Error(`lot ${lot.id} negative`);
    }
  }
  s.lots = s.lots.filter((l) => l.remaining > 0);
  if (tx.type === 'sale') s.lastSaleAt = tx.at;
  return s;
}

/** Σ of a member's postings per asset and bucket (what the ledger would show). */
export function net(txs: LedgerTransaction[], memberId = 'm1') {
  const out = { points: 0, credit: 0, debtPoints: 0, debtCredit: 0 };
  for (const tx of txs) {
    for (const p of tx.postings) {
      if (!('member' in p.owner) || p.owner.member !== memberId) continue;
      if (p.bucket === 'available') out[p.asset] += p.amount;
      if (p.bucket === 'debt') out[p.asset === 'points' ? 'debtPoints' : 'debtCredit'] += p.amount;
    }
  }
  return out;
}
