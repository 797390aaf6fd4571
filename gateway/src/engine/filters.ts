/**
 * Rule filters (docs/program.md: Filters). Sale-level filters decide whether a rule applies
 * to a sale at all; product filters select which lines are eligible.
 */
import type { MemberState } from '../domain/ledger-types.ts';
import type { EarnRule } from '../program/schema.ts';
import { formatDate, isoWeek, type LocalParts, localParts, yearlyDate } from './calendar.ts';

export interface SaleFacts {
  storeId: string;
  /** The sale's instant in the program timezone, computed once per sale. */
  local: LocalParts;
  member: MemberState;
  /** The member's tier before the sale (docs/program.md: Accrual step 4). */
  tier: string;
}

/** Facts of a sale (or an event) at `at`, with the member's current tier. */
export function saleFacts(storeId: string, at: string, timezone: string, member: MemberState): SaleFacts {
  return { storeId, local: localParts(at, timezone), member, tier: member.tier };
}

export interface LineFacts {
  sku: string;
  productGroup: string | null | undefined;
}

type Filterable = Pick<
  EarnRule,
  'stores' | 'customerGroups' | 'tiers' | 'productGroups' | 'skus' | 'exclude' | 'when' | 'member'
>;

const hit = (list: string[] | undefined, value: string | null | undefined): boolean =>
  list !== undefined && value !== null && value !== undefined && list.includes(value);
const passes = (list: string[] | undefined, value: string | null | undefined): boolean =>
  list === undefined || hit(list, value);

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** "HH:MM-HH:MM", start inclusive, end exclusive; an end before the start wraps past midnight. */
export function inHours(range: string, local: Pick<LocalParts, 'hour' | 'minute'>): boolean {
  const start = minutes(range.slice(0, 5));
  const end = minutes(range.slice(6, 11));
  const t = local.hour * 60 + local.minute;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/** docs/program.md: member `{birthday | anniversary: day | week | month}`. */
export function matchesMemberDate(
  date: string | null,
  span: 'day' | 'week' | 'month',
  local: LocalParts,
): boolean {
  if (date === null) return false;
  const yearly = yearlyDate(date, local.y);
  if (span === 'month') return yearly.m === local.m;
  if (span === 'day') return yearly.m === local.m && yearly.d === local.d;
  const here = isoWeek(local);
  return [local.y - 1, local.y, local.y + 1].some((y) => {
    const w = isoWeek(yearlyDate(date, y));
    return w.year === here.year && w.week === here.week;
  });
}

export function matchesWhen(rule: Filterable, local: LocalParts): boolean {
  const when = rule.when;
  if (!when) return true;
  const day = formatDate(local);
  if (when.from !== undefined && day < when.from) return false;
  if (when.to !== undefined && day > when.to) return false;
  if (when.daysOfWeek !== undefined && !when.daysOfWeek.includes(local.weekday)) return false;
  if (when.hours !== undefined && !inHours(when.hours, local)) return false;
  return true;
}

/** All sale-level filters: stores, customer groups, tiers, when, member dates (and their excludes). */
export function ruleAppliesToSale(rule: Filterable, facts: SaleFacts): boolean {
  const m = facts.member;
  if (!passes(rule.stores, facts.storeId) || hit(rule.exclude?.stores, facts.storeId)) return false;
  if (!passes(rule.customerGroups, m.customerGroup) || hit(rule.exclude?.customerGroups, m.customerGroup)) {
    return false;
  }
  if (!passes(rule.tiers, facts.tier) || hit(rule.exclude?.tiers, facts.tier)) return false;
  const local = facts.local;
  if (!matchesWhen(rule, local)) return false;
  if (rule.member?.birthday && !matchesMemberDate(m.birthDate, rule.member.birthday, local)) return false;
  if (rule.member?.anniversary && !matchesMemberDate(m.anniversaryDate, rule.member.anniversary, local)) {
    return false;
  }
  return true;
}

/** Product filters: which lines a rule selects. */
export function ruleSelectsLine(rule: Filterable, line: LineFacts): boolean {
  if (!passes(rule.productGroups, line.productGroup) || !passes(rule.skus, line.sku)) return false;
  return !hit(rule.exclude?.productGroups, line.productGroup) && !hit(rule.exclude?.skus, line.sku);
}

/** Payment methods that never earn (docs/program.md: Accrual step 1). */
export const NON_EARNING_METHODS: ReadonlySet<string> = new Set(['loyalty-credit', 'gift-card']);

/** Whether a payment method counts toward a rule's earning share. */
export function methodEarns(rule: Pick<EarnRule, 'paymentMethods' | 'exclude'>, method: string): boolean {
  if (NON_EARNING_METHODS.has(method)) return false;
  return passes(rule.paymentMethods, method) && !hit(rule.exclude?.paymentMethods, method);
}
