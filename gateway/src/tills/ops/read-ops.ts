import type { BrokerRequest, RequestOutcome } from '../../broker/request-router.ts';
import { memberSummary as engineSummary, simulateSale } from '../../engine/index.ts';
import { parseCardRef, resolveCard } from '../card-access.ts';
import { chainBalances, getMember, loadState, memberSummary } from '../member-view.ts';
import type { StoreOps } from '../store-ops.ts';

/** docs/protocol.md §1 identify: who the card belongs to, balances, next tier, discounts. */
export const identify = (req: BrokerRequest, ops: StoreOps): RequestOutcome =>
  ops.read(({ now, ctx }) => {
    const { ledger } = ops.deps;
    const card = resolveCard(ledger, parseCardRef(req.body.card), now, 'view');
    const member = getMember(ledger, card.memberId);
    const state = loadState(ledger, member.id, now, ctx.program);
    const summary = engineSummary(ctx, state);
    return {
      member: memberSummary(member, summary.tier),
      card: { status: card.status, expiresAt: card.expiresAt },
      balances: chainBalances(ledger, member.id, summary.balances),
      nextTier: summary.nextTier,
      discounts: summary.discounts,
    };
  });

/** docs/protocol.md §1 simulate: what a sale would earn, nothing posted (docs/program.md step 8). */
export const simulate = (req: BrokerRequest, ops: StoreOps): RequestOutcome =>
  ops.read(({ now, ctx }) => {
    const { ledger } = ops.deps;
    const state =
      req.body.card === undefined
        ? null
        : loadState(ledger, resolveCard(ledger, parseCardRef(req.body.card), now).memberId, now, ctx.program);
    return { ...simulateSale(ctx, state, req.body) };
  });
