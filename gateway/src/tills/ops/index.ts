import type { TillOp } from '../../contract/index.ts';
import type { OpHandler } from '../store-ops.ts';
import { cardReplace, cardUnlock, enroll } from './card-ops.ts';
import { authorize, capture, giftcardIssue, giftcardRedeem, voidOp } from './credit-ops.ts';
import { identify, simulate } from './read-ops.ts';
import { sale, saleReturn } from './sale-ops.ts';

/** Every till op of docs/protocol.md §1. */
export const tillOps: Record<TillOp, OpHandler> = {
  identify,
  simulate,
  sale,
  return: saleReturn,
  authorize,
  capture,
  void: voidOp,
  'giftcard-redeem': giftcardRedeem,
  'giftcard-issue': giftcardIssue,
  enroll,
  'card-replace': cardReplace,
  'card-unlock': cardUnlock,
};
