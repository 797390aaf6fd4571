import type { MemberState } from '../domain/ledger-types.ts';
import { ruleAppliesToSale, saleFacts } from '../engine/filters.ts';
import type { EngineContext } from '../engine/index.ts';
import { memberSummary as engineSummary, expiringSoon, rewardRefusal } from '../engine/index.ts';
import { tierIndex, tierLevel } from '../engine/tiers.ts';
import type { Ledger } from '../ledger/index.ts';
import type { Card, Member } from '../ledger/types.ts';
import type { Program } from '../program/schema.ts';
import { chainBalances, memberSummary } from '../tills/member-view.ts';
import type { KioskMemberSession, KioskOffer, KioskReward, LocalName, TierProgress } from './wire.ts';

/** How far ahead the home screen warns about expiring points. */
const EXPIRY_HORIZON_DAYS = 90;

const localized = (names: LocalName, language: string): string =>
  (names as unknown as Record<string, string | undefined>)[language] ?? names.en;

const tierNames = (program: Program, id: string): LocalName =>
  program.tiers.levels.find((l) => l.id === id)?.name ?? { en: id };

const tierProgress = (
  program: Program,
  tier: string,
  next: { id: string; missing: number } | null,
): TierProgress => {
  const level = tierLevel(program, tier);
  const upper = program.tiers.levels[tierIndex(program, tier) + 1];
  return {
    current: { id: level.id, names: tierNames(program, level.id), threshold: level.threshold },
    next:
      upper && next
        ? {
            id: upper.id,
            names: tierNames(program, upper.id),
            threshold: upper.threshold,
            missing: next.missing,
          }
        : null,
  };
};

/** The catalog as this member sees it (docs/program.md Redemption); affordable first, then by cost. */
const rewardsFor = (
  ctx: EngineContext,
  ledger: Ledger,
  state: MemberState,
  points: number,
  language: string,
): KioskReward[] =>
  ctx.program.rewards
    .map((r): KioskReward => {
      const stockLeft = r.stock === undefined ? null : (ledger.rewardStockLeft(r.id) ?? r.stock);
      const tierAllowed = r.tiers === undefined || r.tiers.includes(state.tier);
      return {
        id: r.id,
        name: localized(r.name, language),
        names: r.name,
        cost: r.cost,
        affordable: points >= r.cost.points,
        tierAllowed,
        stockLeft,
        available: rewardRefusal(ctx, state, r, stockLeft, points) === null,
        grants: r.grants,
      };
    })
    .sort((a, b) => Number(b.available) - Number(a.available) || a.cost.points - b.cost.points);

/** Sale-independent offers in force for this member now: discounts and multipliers (docs/program.md Filters). */
const offersFor = (ctx: EngineContext, state: MemberState): KioskOffer[] => {
  const facts = saleFacts(ctx.storeId, ctx.now, ctx.program.timezone, state);
  const offers: KioskOffer[] = [];
  for (const rule of ctx.program.earn) {
    if (rule.type !== 'discount' && rule.type !== 'multiplier') continue;
    if (!ruleAppliesToSale(rule, facts)) continue;
    const names = rule.name ?? { en: rule.id };
    offers.push(
      rule.type === 'discount'
        ? { id: rule.id, names, kind: 'discount', percent: rule.percent }
        : { id: rule.id, names, kind: 'multiplier', factor: rule.factor },
    );
  }
  const tierPercent = tierLevel(ctx.program, state.tier).discountPercent;
  if (tierPercent !== undefined)
    offers.push({
      id: `tier:${state.tier}`,
      names: tierNames(ctx.program, state.tier),
      kind: 'discount',
      percent: tierPercent,
    });
  return offers;
};

/** The `member` session of docs/protocol.md §1 Kiosk, with the page's additions (wire.ts). */
export const memberSession = (
  sessionId: string,
  ctx: EngineContext,
  ledger: Ledger,
  member: Member,
  card: Card,
  state: MemberState,
): KioskMemberSession => {
  const summary = engineSummary(ctx, state);
  const until = new Date(Date.parse(ctx.now) + EXPIRY_HORIZON_DAYS * 86_400_000).toISOString();
  const { program } = ctx;
  return {
    sessionId,
    state: 'member',
    member: memberSummary(member, summary.tier),
    card: { status: card.status === 'suspended' ? 'suspended' : 'active' },
    balances: chainBalances(ledger, member.id, summary.balances),
    tier: summary.tier,
    nextTier: summary.nextTier,
    tierProgress: tierProgress(program, summary.tier, summary.nextTier),
    expiringSoon: expiringSoon(ctx, state, until),
    rewards: rewardsFor(ctx, ledger, state, summary.balances.points, member.language),
    offers: offersFor(ctx, state),
    program: {
      currency: program.currency,
      timezone: program.timezone,
      names: program.names,
      pointsToCredit: program.credit.enabled ? program.conversion.pointsToCredit : null,
      pinRequired: program.redemption.pinRequired,
    },
  };
};
