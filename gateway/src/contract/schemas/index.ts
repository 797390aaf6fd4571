/**
 * The registry of every op's request and result schema (docs/protocol.md §1). The gateway
 * checks each request against it before the op runs; docs/asyncapi.yaml, the contract-docs
 * test and the editors' JSON Schemas are all derived from it, never from a hand list.
 * Not re-exported by contract/index.ts: kiosk-ui imports that one type-only, without zod.
 */
import type { z } from 'zod';
import { formatPath } from '../../core/zod-problems.ts';
import type { KioskOp, TillOp } from '../ops.ts';
import type { RequesterRole } from '../topics.ts';
import * as kiosk from './kiosk.ts';
import * as till from './till.ts';

export interface OpSchemas {
  summary: string;
  /** The op's request fields (the envelope's `requestId` is checked by the broker). */
  request: z.ZodObject;
  /** The fields of its `ok:true` response. */
  result: z.ZodObject;
}

export const TILL_OP_SCHEMAS: Record<TillOp, OpSchemas> = {
  identify: {
    summary: 'Who the card belongs to: member, card status, balances, next tier, discounts',
    request: till.identifyRequest,
    result: till.identifyResult,
  },
  simulate: {
    summary: 'What a sale would earn; nothing is posted',
    request: till.saleOpRequest,
    result: till.saleResult,
  },
  sale: {
    summary: 'Post a sale: accrual, tier, receipt lines; captures the holds its credit payments name',
    request: till.saleOpRequest,
    result: till.saleResult,
  },
  return: {
    summary: 'Return lines of a sale (or all of it): its earnings are reversed in proportion',
    request: till.returnRequest,
    result: till.returnResult,
  },
  authorize: {
    summary: 'Hold wallet credit before a payment (PIN when the program requires it)',
    request: till.authorizeRequest,
    result: till.authorizeResult,
  },
  capture: {
    summary: 'Take at most the held credit; the rest goes back to the wallet',
    request: till.captureRequest,
    result: till.balancesResult,
  },
  void: { summary: 'Release a hold', request: till.voidRequest, result: till.balancesResult },
  'giftcard-redeem': {
    summary: "Pay with part or all of a gift card's credit",
    request: till.giftcardRedeemRequest,
    result: till.giftcardRedeemResult,
  },
  'giftcard-issue': {
    summary: 'Sell a gift card: its credit belongs to the code (an addition to the v1 table)',
    request: till.giftcardIssueRequest,
    result: till.giftcardIssueResult,
  },
  enroll: {
    summary: 'A new member with a new card; the signup bonus is posted at once',
    request: till.enrollRequest,
    result: till.enrollResult,
  },
  'card-replace': {
    summary: 'Replace a lost or damaged card (manager): the old card is blocked, the balance kept',
    request: till.cardReplaceRequest,
    result: till.cardReplaceResult,
  },
  'card-unlock': {
    summary: 'Unlock a card locked by wrong PINs (manager)',
    request: till.cardUnlockRequest,
    result: till.cardUnlockResult,
  },
};

export const KIOSK_OP_SCHEMAS: Record<KioskOp, OpSchemas> = {
  history: {
    summary: "The session member's latest ledger entries",
    request: kiosk.historyRequest,
    result: kiosk.historyResult,
  },
  'redeem-reward': {
    summary: 'Buy a catalog reward with points (PIN)',
    request: kiosk.redeemRewardRequest,
    result: kiosk.redeemRewardResult,
  },
  convert: {
    summary: 'Convert points into wallet credit at the program rate (PIN)',
    request: kiosk.convertRequest,
    result: kiosk.convertResult,
  },
  end: { summary: 'End the session now', request: kiosk.endRequest, result: kiosk.endResult },
};

export const opSchemas = (role: RequesterRole, op: string): OpSchemas | undefined =>
  role === 'till' ? TILL_OP_SCHEMAS[op as TillOp] : KIOSK_OP_SCHEMAS[op as KioskOp];

/**
 * The first problem of a request body as `path: message` (docs/protocol.md §1: INVALID_REQUEST
 * names the field), or null when the body has the op's shape.
 */
export const requestProblem = (role: RequesterRole, op: string, body: unknown): string | null => {
  const schemas = opSchemas(role, op);
  if (!schemas) return `op: "${op}" is not a ${role} op`;
  const parsed = schemas.request.safeParse(body);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `${formatPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`;
};

export { errorResponse, okResponse } from './common.ts';
export * as kioskSchemas from './kiosk.ts';
export * as tillSchemas from './till.ts';
