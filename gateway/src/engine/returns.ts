/**
 * Returns (docs/program.md: Returns). Per kind, with E what the sale earned and R the
 * cumulative returned share — Σ(line contribution × returned qty / line qty) / Σ
 * contributions, exact — a return reverses floor(E × R) − already reversed; the
 * completing return (R = 1) reverses exactly the rest. What the member already spent is
 * written off (`clamp`) or owed (`debt`); no balance ever goes negative.
 */
import type {
  Asset,
  EarnKind,
  LedgerTransaction,
  MemberState,
  Posting,
  RationalString,
  ReturnRecord,
  SaleHistory,
} from '../domain/ledger-types.ts';
import type { Balances, EngineContext } from './context.ts';
import { EngineError, invalid } from './errors.ts';
import { add, cmp, div, floor, mul, ONE, parseRational, type Rational, rat, ZERO } from './rational.ts';
import { parseRequest, returnRequest } from './requests.ts';
import type { EngineSaleRecord } from './sale.ts';
import { memberWallet, recordedTransaction, withQualifying } from './transaction.ts';
import type { Wallet } from './wallet.ts';

export interface ReturnResponse {
  returnId: string;
  reversed: { points: number; credit: number };
  writtenOff: { points: number; credit: number };
  balances: Balances;
  tier: string;
}

export interface ReturnResult {
  transaction: LedgerTransaction & { records: { saleReturn: ReturnRecord } };
  response: ReturnResponse;
}

type Qty = Map<string, number>;

/** R: the cumulative returned share of one kind, exact (1 when nothing contributed). */
export function returnedShare(
  contributions: Record<string, RationalString>,
  saleQty: Qty,
  returned: Qty,
): Rational {
  let total = ZERO;
  let back = ZERO;
  for (const [lineId, s] of Object.entries(contributions)) {
    const c = parseRational(s);
    total = add(total, c);
    const qty = saleQty.get(lineId) ?? 1;
    back = add(back, mul(c, rat(returned.get(lineId) ?? 0, qty)));
  }
  return total.n === 0n ? ZERO : div(back, total);
}

/** What this return reverses of a kind: floor(E × R) − already, capped to what is left. */
export function reversalOf(earned: number, share: Rational, already: number): number {
  const target = cmp(share, ONE) >= 0 ? earned : floor(mul(rat(earned), share));
  return Math.max(0, Math.min(earned - already, target - already));
}

function returnedSoFar(history: SaleHistory): Qty {
  const q: Qty = new Map();
  for (const r of history.returns) for (const l of r.lines) q.set(l.lineId, (q.get(l.lineId) ?? 0) + l.qty);
  return q;
}

function thisReturnLines(history: SaleHistory, input: unknown): { returnId: string; at: string; lines: Qty } {
  const req = parseRequest(returnRequest, input);
  const saleQty = new Map(history.sale.lines.map((l) => [l.lineId, l.qty]));
  const before = returnedSoFar(history);
  const lines: Qty = new Map();
  if (req.all === true) {
    for (const [id, qty] of saleQty)
      if (qty - (before.get(id) ?? 0) > 0) lines.set(id, qty - (before.get(id) ?? 0));
    if (lines.size === 0) throw new EngineError('RETURN_EXCEEDS_SALE', 'everything was returned already');
  } else if (req.lines) {
    req.lines.forEach((l, i) => {
      const sold = saleQty.get(l.lineId);
      if (sold === undefined) throw invalid(`lines[${i}].lineId`, `the sale has no line "${l.lineId}"`);
      const qty = (lines.get(l.lineId) ?? 0) + l.qty;
      if (qty + (before.get(l.lineId) ?? 0) > sold) {
        throw new EngineError(
          'RETURN_EXCEEDS_SALE',
          `line ${l.lineId}: ${sold} sold, ${before.get(l.lineId) ?? 0} returned`,
        );
      }
      lines.set(l.lineId, qty);
    });
  } else throw invalid('lines', 'give the returned lines or all: true');
  if (req.saleId !== history.sale.saleId) throw new EngineError('SALE_UNKNOWN', `sale ${req.saleId} unknown`);
  return { returnId: req.returnId, at: req.at, lines };
}

/** Takes back `amount` of an asset; the spent part is written off or owed per `negativeBalance`. */
function takeBack(
  ctx: EngineContext,
  wallet: Wallet,
  asset: Asset,
  amount: number,
  meta: Record<string, unknown>,
) {
  if (amount <= 0) return { postings: [] as Posting[], short: 0 };
  const { postings, taken } = wallet.take(asset, amount, 'reverse', { meta }, false);
  const short = amount - taken;
  if (short > 0 && ctx.program.returns.negativeBalance === 'debt')
    postings.push(...wallet.owe(asset, short, { meta }));
  else if (short > 0) {
    postings.push({
      owner: wallet.owner,
      asset,
      bucket: 'available',
      kind: 'write-off',
      amount: 0,
      meta: { ...meta, writtenOff: short },
    });
  }
  return { postings, short };
}

export function processReturn(
  ctx: EngineContext,
  member: MemberState | null,
  history: SaleHistory | null,
  input: unknown,
  idempotencyKey?: string,
): ReturnResult {
  if (history === null) {
    const saleId = parseRequest(returnRequest, input).saleId;
    throw new EngineError('SALE_UNKNOWN', `sale ${saleId} unknown`);
  }
  const sale = history.sale as EngineSaleRecord;
  const current = thisReturnLines(history, input);
  const saleQty = new Map(sale.lines.map((l) => [l.lineId, l.qty]));
  const before = returnedSoFar(history);
  const after: Qty = new Map(before);
  for (const [id, q] of current.lines) after.set(id, (after.get(id) ?? 0) + q);

  const reversed = {} as Record<EarnKind, number>;
  for (const kind of ['spend', 'bonus', 'cashback'] as const) {
    const e = sale.earned[kind];
    const already = history.returns.reduce((s, r) => s + (r.reversed[kind] ?? 0), 0);
    reversed[kind] = reversalOf(e.posted, returnedShare(e.lines, saleQty, after), already);
  }
  const record: ReturnRecord = {
    returnId: current.returnId,
    saleId: sale.saleId,
    at: current.at,
    lines: [...current.lines].map(([lineId, qty]) => ({ lineId, qty })),
    reversed,
  };
  const points = reversed.spend + reversed.bonus;
  const credit = reversed.cashback;
  let postings: Posting[] = [];
  let writtenOff = { points: 0, credit: 0 };
  let balances: Balances = { points: 0, pendingPoints: 0, credit: 0 };
  if (member !== null && sale.memberId !== null) {
    const wallet = memberWallet(ctx, member);
    const meta = { saleId: sale.saleId, returnId: current.returnId };
    const p = takeBack(ctx, wallet, 'points', points, meta);
    const c = takeBack(ctx, wallet, 'credit', credit, meta);
    postings = [...p.postings, ...c.postings];
    writtenOff = { points: p.short, credit: c.short };
    // docs/program.md: Tiers — qualifying is reduced by the reversal (spend basis: the returned spend)
    let qualifying = points;
    if (sale.qualifying) {
      const q = sale.qualifying;
      const prior = reversalOf(q.posted, returnedShare(q.lines, saleQty, before), 0);
      qualifying = reversalOf(q.posted, returnedShare(q.lines, saleQty, after), prior);
    }
    postings = withQualifying(postings, member.memberId, -qualifying, 'reverse');
    balances = wallet.balances();
  }
  const response: ReturnResponse = {
    returnId: current.returnId,
    reversed: { points, credit },
    writtenOff,
    balances,
    tier: member?.tier ?? '',
  };
  const tx = recordedTransaction(ctx, {
    type: 'return',
    ref: current.returnId,
    at: current.at,
    idempotencyKey,
    postings,
    records: { saleReturn: record },
  });
  tx.response = response;
  return { transaction: tx, response };
}
