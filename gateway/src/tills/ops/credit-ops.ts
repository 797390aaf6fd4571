import { createHash } from 'node:crypto';
import type { BrokerRequest, RequestOutcome } from '../../broker/request-router.ts';
import {
  authorize as engineAuthorize,
  capture as engineCapture,
  issueGiftCard,
  redeemGiftCard,
  voidHold,
} from '../../engine/index.ts';
import { loadGiftCard } from '../../ledger/index.ts';
import { holdMember } from '../../ledger/lookups.ts';
import { parseCardRef, resolveCard } from '../card-access.ts';
import { requestKey } from '../idempotency.ts';
import { loadState } from '../member-view.ts';
import { checkPin } from '../pin-check.ts';
import { Refusal } from '../refusal.ts';
import { field, type OpEnv, type StoreOps } from '../store-ops.ts';

/** A hold id the till did not choose: derived from its request, so a re-send names the same hold. */
const derivedHoldId = (req: BrokerRequest): string =>
  `H-${createHash('sha256')
    .update(requestKey(req.role, req.clientId, req.requestId))
    .digest('hex')
    .slice(0, 16)}`;

/** docs/protocol.md §1 authorize: reserve wallet credit for a payment (docs/program.md: Redemption). */
export const authorize = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const { ledger } = ops.deps;
  const ref = parseCardRef(req.body.card);
  const credit = field.amount(req.body, 'credit');
  const holdId =
    typeof req.body.holdId === 'string' && req.body.holdId !== '' ? req.body.holdId : derivedHoldId(req);
  return ops.checkedWrite(
    req,
    async () => {
      const card = resolveCard(ledger, ref, ops.deps.now());
      return checkPin(ledger, ops.deps.program(), card.uid, req.body.pin);
    },
    ({ now, ctx }) => {
      const state = loadState(ledger, resolveCard(ledger, ref, now).memberId, now, ctx.program);
      const capped = ops.deps.offlineCap?.(state.memberId, 'credit', credit, now);
      if (capped) throw capped;
      const result = engineAuthorize(ctx, state, { holdId, credit });
      return {
        commit: result.transaction,
        response: { ...result.response },
        events: [{ type: 'ledger.posted', data: { memberId: state.memberId, type: 'authorize', holdId } }],
      };
    },
  );
};

const holdState = (ops: StoreOps, holdId: string, { now, ctx }: OpEnv) => {
  const memberId = holdMember(ops.deps.ledger.db, holdId);
  if (memberId === null) throw new Refusal('HOLD_UNKNOWN', `no hold ${holdId}`);
  return loadState(ops.deps.ledger, memberId, now, ctx.program);
};

/** docs/protocol.md §1 capture: take at most the held amount; the rest goes back to the wallet. */
export const capture = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const holdId = field.text(req.body, 'holdId');
  const saleId = field.text(req.body, 'saleId');
  const credit = req.body.credit;
  if (typeof credit !== 'number' || !Number.isSafeInteger(credit) || credit < 0)
    throw new Refusal('INVALID_REQUEST', 'credit: must be an integer ≥ 0 (minor units)');
  return ops.write(req, (env) => {
    const state = holdState(ops, holdId, env);
    const result = engineCapture(env.ctx, state, { holdId, saleId, credit });
    return {
      commit: result.transaction,
      response: { ...result.response },
      events: [
        { type: 'ledger.posted', data: { memberId: state.memberId, type: 'capture', holdId, credit } },
      ],
    };
  });
};

/** docs/protocol.md §1 void: the whole hold goes back to the wallet. */
export const voidOp = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const holdId = field.text(req.body, 'holdId');
  return ops.write(req, (env) => {
    const state = holdState(ops, holdId, env);
    const result = voidHold(env.ctx, state, holdId);
    return { commit: result.transaction, response: { ...result.response } };
  });
};

/** docs/protocol.md §1 giftcard-redeem: partial redemption of a gift card's credit. */
export const giftcardRedeem = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const code = field.text(req.body, 'code');
  const credit = field.amount(req.body, 'credit');
  return ops.write(req, ({ ctx }) => {
    const card = loadGiftCard(ops.deps.ledger.db, code);
    if (card === null) throw new Refusal('CARD_UNKNOWN', 'no gift card with that code');
    const result = redeemGiftCard(ctx, card, credit);
    return { commit: result.transaction, response: { ...result.response } };
  });
};

/**
 * giftcard-issue (an addition to docs/protocol.md): a gift card sold at the till. Its credit is
 * owned by the code (not a member) and expires after `validityMonths`, by default the
 * program's `giftCards.defaultValidityMonths`; a code issued before is `CARD_EXISTS`.
 */
export const giftcardIssue = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const code = field.text(req.body, 'code').trim();
  const credit = field.amount(req.body, 'credit');
  const months = req.body.validityMonths;
  if (
    months !== undefined &&
    (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > 120)
  )
    throw new Refusal('INVALID_REQUEST', 'validityMonths: must be a whole number of months from 1 to 120');
  return ops.write(req, ({ ctx }) => {
    const result = issueGiftCard(ctx, {
      code,
      credit,
      ...(months === undefined ? {} : { validityMonths: months }),
    });
    return {
      commit: {
        ...result.transaction,
        effects: { giftCards: [{ code, expiresAt: result.response.expiresAt }] },
      },
      response: { ...result.response },
    };
  });
};
