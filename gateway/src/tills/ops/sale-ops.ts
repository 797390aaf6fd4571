import type { BrokerRequest, RequestOutcome } from '../../broker/request-router.ts';
import { processReturn, processSale } from '../../engine/index.ts';
import type { LedgerEffects } from '../../ledger/types.ts';
import { parseCardRef, resolveCard } from '../card-access.ts';
import { loadState, tierEffect } from '../member-view.ts';
import type { CommittedEvent, StoreOps } from '../store-ops.ts';

const later = (a: string | null, b: string): string => (a !== null && Date.parse(a) > Date.parse(b) ? a : b);

/** docs/protocol.md §1 sale: accrual by the engine, committed with its record, tier and events. */
export const sale = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  // A malformed card reference is refused before the request takes a place in the group.
  const ref = req.body.card === undefined || req.body.card === null ? null : parseCardRef(req.body.card);
  return ops.write(req, ({ now, ctx }) => {
    const { ledger } = ops.deps;
    const state = ref ? loadState(ledger, resolveCard(ledger, ref, now).memberId, now, ctx.program) : null;
    const result = processSale(ctx, state, req.body);
    const effects: LedgerEffects = {};
    const events: CommittedEvent[] = [];
    if (state) {
      const memberId = state.memberId;
      Object.assign(effects, tierEffect(ctx.program, memberId, state.tier, result.response.tier));
      effects.lastSaleAt = { memberId, at: later(state.lastSaleAt, result.transaction.at) };
      if (result.eventsPosted.length > 0)
        effects.events = result.eventsPosted.map((event) => ({ memberId, event }));
      events.push({
        type: 'ledger.posted',
        data: { memberId, type: 'sale', saleId: result.response.saleId, earned: result.response.earned },
      });
      if (effects.tierChange) events.push({ type: 'tier.changed', data: { ...effects.tierChange } });
    }
    return {
      commit: { ...result.transaction, effects },
      response: { ...result.response },
      events,
      ...(state ? { memberId: state.memberId } : {}),
    };
  });
};

/** docs/protocol.md §1 return: proportional reversal per kind (docs/program.md: Returns). */
export const saleReturn = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> =>
  ops.write(req, ({ now, ctx }) => {
    const { ledger } = ops.deps;
    const saleId = typeof req.body.saleId === 'string' ? req.body.saleId : '';
    const history = saleId === '' ? null : ledger.getSaleHistory(saleId);
    const memberId = history?.sale.memberId ?? null;
    const state = memberId ? loadState(ledger, memberId, now, ctx.program) : null;
    const result = processReturn(ctx, state, history, req.body);
    const effects: LedgerEffects = state
      ? tierEffect(ctx.program, state.memberId, state.tier, result.response.tier)
      : {};
    const events: CommittedEvent[] = [];
    if (memberId !== null) {
      events.push({
        type: 'ledger.posted',
        data: { memberId, type: 'return', saleId, reversed: result.response.reversed },
      });
      if (effects.tierChange) events.push({ type: 'tier.changed', data: { ...effects.tierChange } });
    }
    return {
      commit: { ...result.transaction, effects },
      response: { ...result.response },
      events,
      ...(memberId ? { memberId } : {}),
    };
  });
