/**
 * The arithmetic of one sale (docs/program.md: Accrual of one sale, steps 1–7 and 10), exact
 * until the one floor per sale (spend) and per rule (cashback). No postings here: `sale.ts`
 * turns the result into them, `simulate` shows it as is.
 */
import type { EarnKind } from '../domain/ledger-types.ts';
import type {
  CashbackRule,
  MultiplierRule,
  ProductBonusRule,
  Program,
  SpendRule,
} from '../program/schema.ts';
import { methodEarns, ruleAppliesToSale, ruleSelectsLine, type SaleFacts } from './filters.ts';
import { add, cmp, floor, fromDecimal, mul, ONE, type Rational, rat, sub, sum, ZERO } from './rational.ts';
import type { Payment, SaleLine } from './requests.ts';
import { tierLevel, tierMultiplier } from './tiers.ts';

export interface BreakdownEntry {
  ruleId: string;
  points: number;
  credit: number;
}

export interface Discount {
  ruleId: string;
  percent: number;
  lineIds: string[];
}

export interface KindAccrual {
  /** E: what the sale earns of this kind (integer). */
  posted: number;
  /** Each line's exact contribution (docs/program.md: Returns needs it to reverse exactly). */
  lines: Map<string, Rational>;
}

export interface Accrual {
  kinds: Record<EarnKind, KindAccrual>;
  breakdown: BreakdownEntry[];
  discounts: Discount[];
}

export const tierRuleId = (tier: string): string => `tier:${tier}`;

/** Step 1: the share of the total paid by methods that earn for this rule. */
function earningShare(rule: SpendRule | CashbackRule, payments: Payment[], total: number): Rational {
  if (total === 0) return ZERO;
  const paid = payments.filter((p) => methodEarns(rule, p.method)).reduce((s, p) => s + p.amount, 0);
  return rat(paid, total);
}

const lineFacts = (line: SaleLine) => ({ sku: line.sku, productGroup: line.productGroup });

/** Splits an exact total into integer parts whose sum is floor(total): cumulative floors. */
function allocate(parts: Array<[string, Rational]>): Map<string, number> {
  const out = new Map<string, number>();
  let cumulative = ZERO;
  let before = 0;
  for (const [ruleId, value] of parts) {
    cumulative = add(cumulative, value);
    const after = floor(cumulative);
    out.set(ruleId, (out.get(ruleId) ?? 0) + after - before);
    before = after;
  }
  return out;
}

/** Step 3: the highest multiplier matching a line, never compounded (1 when none). */
function bestMultiplier(
  rules: MultiplierRule[],
  line: SaleLine,
): { id: string; factor: Rational } | undefined {
  let best: { id: string; factor: Rational } | undefined;
  for (const m of rules) {
    if (!ruleSelectsLine(m, lineFacts(line))) continue;
    const f = fromDecimal(m.factor);
    if (!best || cmp(f, best.factor) > 0) best = { id: m.id, factor: f };
  }
  return best;
}

const addTo = (map: Map<string, Rational>, key: string, value: Rational): void => {
  map.set(key, add(map.get(key) ?? ZERO, value));
};

/**
 * Steps 2–5. A line contributes Σ(spend rules) × multiplier × tier factor. For the
 * breakdown the exact total is split into non-negative parts — the rules' base, what a
 * factor > 1 adds — with factors < 1 scaling the base instead, so the cumulative floors
 * of `allocate` never produce a negative share.
 */
function spendAccrual(
  program: Program,
  rules: ReturnType<typeof byType>,
  facts: SaleFacts,
  sale: { lines: SaleLine[]; payments: Payment[]; total: number },
) {
  const tierFactor = tierMultiplier(program, facts.tier);
  const tierBoost = cmp(tierFactor, ONE) > 0;
  const perLine = new Map<string, Rational>();
  const baseByRule = new Map<string, Rational>();
  const extraByMultiplier = new Map<string, Rational>();
  let tierExtra = ZERO;
  const shares = new Map(rules.spend.map((r) => [r.id, earningShare(r, sale.payments, sale.total)]));
  for (const line of sale.lines) {
    const contributions: Array<[string, Rational]> = [];
    for (const rule of rules.spend) {
      if (!ruleSelectsLine(rule, lineFacts(line))) continue;
      // step 2: amount × share × points / per, exact
      contributions.push([
        rule.id,
        mul(mul(rat(line.amount), shares.get(rule.id) ?? ZERO), rat(rule.points, rule.per)),
      ]);
    }
    const base = sum(contributions.map(([, c]) => c));
    const best = bestMultiplier(rules.multiplier, line);
    const factor = best?.factor ?? ONE;
    const boost = cmp(factor, ONE) > 0;
    const baseScale = mul(boost ? ONE : factor, tierBoost ? ONE : tierFactor);
    for (const [id, c] of contributions) addTo(baseByRule, id, mul(c, baseScale));
    if (best && boost)
      addTo(extraByMultiplier, best.id, mul(mul(base, sub(factor, ONE)), tierBoost ? ONE : tierFactor));
    // step 4: the tier multiplier of the tier before the sale
    if (tierBoost) tierExtra = add(tierExtra, mul(mul(base, factor), sub(tierFactor, ONE)));
    perLine.set(line.lineId, mul(mul(base, factor), tierFactor));
  }
  const parts: Array<[string, Rational]> = [...baseByRule, ...extraByMultiplier];
  if (tierExtra.n !== 0n) parts.push([tierRuleId(facts.tier), tierExtra]);
  // step 5: one floor per sale
  return { kind: { posted: floor(sum(perLine.values())), lines: perLine }, points: allocate(parts) };
}

function bonusAccrual(rules: ProductBonusRule[], lines: SaleLine[]) {
  const perLine = new Map<string, Rational>();
  const points = new Map<string, number>();
  for (const rule of rules) {
    const raw = lines
      .filter((l) => ruleSelectsLine(rule, lineFacts(l)))
      .map((l) => [l, rule.points * l.qty] as const);
    const ruleTotal = raw.reduce((s, [, p]) => s + p, 0);
    if (ruleTotal === 0) continue;
    // step 6: capped by maxPerSale; lines share the cap pro rata so returns stay exact
    const capped = Math.min(ruleTotal, rule.maxPerSale ?? ruleTotal);
    points.set(rule.id, capped);
    for (const [line, p] of raw) {
      perLine.set(line.lineId, add(perLine.get(line.lineId) ?? ZERO, rat(p * capped, ruleTotal)));
    }
  }
  const posted = [...points.values()].reduce((s, p) => s + p, 0);
  return { kind: { posted, lines: perLine }, points };
}

function cashbackAccrual(rules: CashbackRule[], lines: SaleLine[], payments: Payment[], total: number) {
  const perLine = new Map<string, Rational>();
  const credit = new Map<string, number>();
  for (const rule of rules) {
    const share = earningShare(rule, payments, total);
    const pct = mul(fromDecimal(rule.percent), rat(1, 100));
    let ruleSum = ZERO;
    for (const line of lines) {
      if (!ruleSelectsLine(rule, lineFacts(line))) continue;
      const c = mul(mul(rat(line.amount), share), pct);
      ruleSum = add(ruleSum, c);
      perLine.set(line.lineId, add(perLine.get(line.lineId) ?? ZERO, c));
    }
    // step 7: floor per rule, not multiplied
    const value = floor(ruleSum);
    if (value > 0) credit.set(rule.id, value);
  }
  const posted = [...credit.values()].reduce((s, c) => s + c, 0);
  return { kind: { posted, lines: perLine }, credit };
}

/** Step 10: per line the highest applicable percent wins; tier discount counts as a rule. */
export function saleDiscounts(program: Program, facts: SaleFacts, lines: SaleLine[]): Discount[] {
  const best = new Map<string, { ruleId: string; percent: number }>();
  const offer = (lineId: string, ruleId: string, percent: number) => {
    const current = best.get(lineId);
    if (!current || percent > current.percent) best.set(lineId, { ruleId, percent });
  };
  const tierPercent = tierLevel(program, facts.tier).discountPercent;
  for (const line of lines) {
    for (const rule of program.earn) {
      if (rule.type !== 'discount' || !ruleAppliesToSale(rule, facts)) continue;
      if (ruleSelectsLine(rule, lineFacts(line))) offer(line.lineId, rule.id, rule.percent);
    }
    if (tierPercent !== undefined) offer(line.lineId, tierRuleId(facts.tier), tierPercent);
  }
  const grouped = new Map<string, Discount>();
  for (const line of lines) {
    const b = best.get(line.lineId);
    if (!b) continue;
    const key = `${b.ruleId}|${b.percent}`;
    const d = grouped.get(key) ?? { ruleId: b.ruleId, percent: b.percent, lineIds: [] };
    d.lineIds.push(line.lineId);
    grouped.set(key, d);
  }
  return [...grouped.values()];
}

function byType(program: Program, facts: SaleFacts, payments: Payment[]) {
  const applies = program.earn.filter((r) => ruleAppliesToSale(r, facts));
  const paidBy = (rule: {
    paymentMethods?: string[] | undefined;
    exclude?: { paymentMethods?: string[] | undefined } | undefined;
  }) => payments.some((p) => methodEarns(rule, p.method) && p.amount > 0);
  return {
    spend: applies.filter((r): r is SpendRule => r.type === 'spend'),
    multiplier: applies.filter((r): r is MultiplierRule => r.type === 'multiplier' && paidBy(r)),
    bonus: applies.filter(
      (r): r is ProductBonusRule =>
        r.type === 'product-bonus' && (r.paymentMethods === undefined || paidBy(r)),
    ),
    cashback: applies.filter((r): r is CashbackRule => r.type === 'cashback'),
  };
}

export function computeAccrual(
  program: Program,
  facts: SaleFacts,
  sale: { lines: SaleLine[]; payments: Payment[]; total: number },
): Accrual {
  const rules = byType(program, facts, sale.payments);
  const spend = spendAccrual(program, rules, facts, sale);
  const bonus = bonusAccrual(rules.bonus, sale.lines);
  const cashback = cashbackAccrual(rules.cashback, sale.lines, sale.payments, sale.total);
  const breakdown = new Map<string, BreakdownEntry>();
  const entry = (ruleId: string) => {
    const e = breakdown.get(ruleId) ?? { ruleId, points: 0, credit: 0 };
    breakdown.set(ruleId, e);
    return e;
  };
  for (const [id, p] of spend.points) if (p !== 0) entry(id).points += p;
  for (const [id, p] of bonus.points) entry(id).points += p;
  for (const [id, c] of cashback.credit) entry(id).credit += c;
  return {
    kinds: { spend: spend.kind, bonus: bonus.kind, cashback: cashback.kind },
    breakdown: [...breakdown.values()],
    discounts: saleDiscounts(program, facts, sale.lines),
  };
}
