import { createHash } from 'node:crypto';
import type { BrokerRequest, RequestOutcome } from '../broker/request-router.ts';
import type { KioskOp } from '../contract/index.ts';
import { convertPointsToCredit, redeemReward } from '../engine/index.ts';
import { memberHistory } from '../ledger/history.ts';
import type { LedgerCommit } from '../ledger/types.ts';
import { resolveCard } from '../tills/card-access.ts';
import { requestKey } from '../tills/idempotency.ts';
import { loadState } from '../tills/member-view.ts';
import { checkPin } from '../tills/pin-check.ts';
import { Refusal } from '../tills/refusal.ts';
import { type Decide, field, type OpHandler, type StoreOps } from '../tills/store-ops.ts';
import type { Sessions } from './sessions.ts';

const MAX_HISTORY = 50;

/**
 * The code the customer shows at the till: derived from the request's idempotency key, so a
 * re-sent request names the same voucher and two redemptions never share one.
 */
export const voucherCode = (req: BrokerRequest): string => {
  const hex = createHash('sha256')
    .update(requestKey(req.role, req.clientId, req.requestId))
    .digest('hex');
  const digits = BigInt(`0x${hex.slice(0, 15)}`)
    .toString(36)
    .toUpperCase()
    .padStart(10, '0')
    .slice(-10);
  return `${digits.slice(0, 5)}-${digits.slice(5)}`;
};

/**
 * A spending op: a request seen before gets its stored answer whatever the session does now
 * (docs/protocol.md §1 Idempotent); otherwise the session must be live, then the card's PIN is
 * checked (docs/program.md Redemption) before the decision runs inside the group commit.
 */
const spend = (
  sessions: Sessions,
  req: BrokerRequest,
  ops: StoreOps,
  decide: (uid: string) => Decide,
): Promise<RequestOutcome> => {
  if (ops.seen(req))
    return ops.write(req, () => {
      throw new Refusal('SESSION_EXPIRED', 'the session is over; tap the card again');
    });
  const session = sessions.require(req.clientId, req.body.sessionId);
  const { ledger } = ops.deps;
  return ops
    .checkedWrite(
      req,
      async () => {
        const card = resolveCard(ledger, { uid: session.uid }, ops.deps.now());
        return checkPin(ledger, ops.deps.program(), card.uid, req.body.pin);
      },
      decide(session.uid),
    )
    .then((outcome) => {
      if (outcome.ok) sessions.refresh(req.clientId, session.sessionId);
      return outcome;
    });
};

const redeem =
  (sessions: Sessions): OpHandler =>
  (req, ops) => {
    const rewardId = field.text(req.body, 'rewardId');
    const code = voucherCode(req);
    return spend(sessions, req, ops, (uid) => ({ now, ctx }) => {
      const { ledger } = ops.deps;
      const card = resolveCard(ledger, { uid }, now);
      const state = loadState(ledger, card.memberId, now, ctx.program);
      const reward = ctx.program.rewards.find((r) => r.id === rewardId);
      const stockLeft = reward?.stock === undefined ? null : ledger.rewardStockLeft(rewardId);
      const capped = ops.deps.offlineCap?.(state.memberId, 'points', reward?.cost.points ?? 0, now);
      if (capped) throw capped;
      const result = redeemReward(ctx, state, { rewardId, stockLeft });
      // docs/program.md Redemption: stock is reserved and decremented atomically in the same commit.
      const commit: LedgerCommit = {
        ...result.transaction,
        ...(reward?.stock === undefined ? {} : { effects: { rewards: [{ rewardId, quantity: 1 }] } }),
      };
      const voucher = result.response.voucher ? { ...result.response.voucher, code } : undefined;
      return {
        commit,
        response: { ...result.response, ...(voucher ? { voucher } : {}) },
        events: [
          {
            type: 'reward.redeemed',
            data: { memberId: state.memberId, rewardId, points: reward?.cost.points ?? 0 },
          },
          { type: 'ledger.posted', data: { memberId: state.memberId, type: 'redeem-reward', rewardId } },
        ],
      };
    });
  };

const convert =
  (sessions: Sessions): OpHandler =>
  (req, ops) => {
    const points = req.body.points;
    if (typeof points !== 'number' || !Number.isSafeInteger(points) || points <= 0)
      throw new Refusal('INVALID_REQUEST', 'points: must be a positive integer');
    return spend(sessions, req, ops, (uid) => ({ now, ctx }) => {
      const { ledger } = ops.deps;
      const card = resolveCard(ledger, { uid }, now);
      const state = loadState(ledger, card.memberId, now, ctx.program);
      const capped = ops.deps.offlineCap?.(state.memberId, 'points', points, now);
      if (capped) throw capped;
      const result = convertPointsToCredit(ctx, state, points);
      return {
        commit: result.transaction,
        response: { ...result.response },
        events: [{ type: 'ledger.posted', data: { memberId: state.memberId, type: 'convert', points } }],
      };
    });
  };

const history =
  (sessions: Sessions): OpHandler =>
  (req, ops) => {
    const session = sessions.require(req.clientId, req.body.sessionId);
    const limit = req.body.limit ?? 20;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit <= 0)
      throw new Refusal('INVALID_REQUEST', 'limit: must be a positive integer');
    return ops.read(() => ({
      entries: memberHistory(ops.deps.ledger.db, session.memberId, Math.min(limit, MAX_HISTORY)).map(
        (row) => ({
          at: row.at,
          kind: row.type,
          points: row.points,
          credit: row.credit,
          ...(row.type === 'redeem-reward' && row.ruleId ? { description: row.ruleId } : {}),
        }),
      ),
    }));
  };

const end =
  (sessions: Sessions): OpHandler =>
  (req) => {
    const sessionId = field.text(req.body, 'sessionId');
    if (!sessions.isCurrent(req.clientId, sessionId))
      throw new Refusal('SESSION_EXPIRED', 'the session is already over');
    sessions.end(req.clientId, sessionId);
    return { ok: true };
  };

/** The kiosk ops of docs/protocol.md §1 Kiosk. */
export const kioskOps = (sessions: Sessions): Record<KioskOp, OpHandler> => ({
  history: history(sessions),
  'redeem-reward': redeem(sessions),
  convert: convert(sessions),
  end: end(sessions),
});
