/**
 * What `identify` shows of a member (docs/protocol.md §1): balances, tier, next tier and the
 * sale-independent discounts — discount rules without product filters that apply now,
 * and the tier's discountPercent — with `lineIds: []` meaning "every line".
 */
import type { MemberState } from '../domain/ledger-types.ts';
import type { Discount } from './accrual.ts';
import { tierRuleId } from './accrual.ts';
import type { Balances, EngineContext } from './context.ts';
import { ruleAppliesToSale, saleFacts } from './filters.ts';
import { memberBalances } from './lots.ts';
import { nextTier, tierLevel } from './tiers.ts';

export interface MemberSummary {
  tier: string;
  balances: Balances;
  nextTier: { id: string; missing: number } | null;
  discounts: Discount[];
}

export function memberSummary(ctx: EngineContext, member: MemberState): MemberSummary {
  const facts = saleFacts(ctx.storeId, ctx.now, ctx.program.timezone, member);
  const discounts: Discount[] = ctx.program.earn
    .filter(
      (r) =>
        r.type === 'discount' &&
        r.productGroups === undefined &&
        r.skus === undefined &&
        ruleAppliesToSale(r, facts),
    )
    .map((r) => ({ ruleId: r.id, percent: r.type === 'discount' ? r.percent : 0, lineIds: [] }));
  const tierPercent = tierLevel(ctx.program, member.tier).discountPercent;
  if (tierPercent !== undefined)
    discounts.push({ ruleId: tierRuleId(member.tier), percent: tierPercent, lineIds: [] });
  return {
    tier: member.tier,
    balances: memberBalances(ctx.program, member, ctx.now),
    nextTier: nextTier(ctx.program, member, ctx.now),
    discounts,
  };
}
