/**
 * zod schemas of every till op's request and `ok` result (docs/protocol.md §1 table). The
 * requests are what the gateway checks before an op runs (tills/request-handler.ts): no
 * stricter than the ops' own checks, which go on to name sums, holds and cards. The results
 * are what an `ok` response carries, typed against contract/ops.ts so the two cannot drift.
 */
import { z } from 'zod';
import { returnRequest, saleRequest } from '../../engine/requests.ts';
import type {
  AuthorizeResult,
  BalancesResult,
  CardReplaceResult,
  CardUnlockResult,
  EnrollResult,
  GiftcardIssueResult,
  GiftcardRedeemResult,
  IdentifyResult,
  ReturnResult,
  SaleResult,
} from '../ops.ts';
import {
  balances,
  cardRef,
  cardStatus,
  discount,
  earned,
  instant,
  memberSummary,
  money,
  newCardRef,
  nextTier,
  pin,
  points,
  positiveMoney,
  text,
} from './common.ts';

const optionalText = z.string().nullable().optional();

export const identifyRequest = z.object({ card: cardRef });
export const identifyResult = z.object({
  member: memberSummary,
  card: z.object({ status: cardStatus, expiresAt: instant.nullable() }),
  balances,
  nextTier,
  discounts: z.array(discount),
}) satisfies z.ZodType<IdentifyResult>;

/** docs/protocol.md §1 sale: no `card` (or null) is an anonymous sale, recorded, earning nothing. */
export const saleOpRequest = saleRequest.extend({
  card: cardRef.nullable().optional().meta({ description: 'Absent: an anonymous sale that earns nothing' }),
});
export const saleResult = z.object({
  saleId: text,
  earned,
  breakdown: z.array(z.object({ ruleId: text, points, credit: money })),
  discounts: z.array(discount),
  balances,
  tier: text,
  tierChanged: z.boolean(),
  receipt: z.array(z.string()).meta({ description: "Printable lines in the member's language" }),
}) satisfies z.ZodType<SaleResult>;

export const returnResult = z.object({
  reversed: earned.meta({ description: 'All the return takes back' }),
  writtenOff: earned.meta({ description: 'The part already spent: written off (clamp) or owed (debt)' }),
  balances,
  tier: text,
}) satisfies z.ZodType<ReturnResult>;

export const authorizeRequest = z.object({
  holdId: z.string().optional().meta({ description: 'Chosen by the till, or derived from the request' }),
  card: cardRef,
  pin,
  credit: positiveMoney,
});
export const authorizeResult = z.object({
  holdId: text,
  credit: money.meta({ description: 'The amount approved' }),
  expiresAt: instant,
  balances,
}) satisfies z.ZodType<AuthorizeResult>;

export const captureRequest = z.object({
  holdId: text,
  saleId: text,
  credit: money.meta({ description: 'At most the held amount; the rest goes back to the wallet' }),
});
export const voidRequest = z.object({ holdId: text });
export const balancesResult = z.object({ balances }) satisfies z.ZodType<BalancesResult>;

export const giftcardRedeemRequest = z.object({ code: text, credit: positiveMoney });
export const giftcardRedeemResult = z.object({ remaining: money }) satisfies z.ZodType<GiftcardRedeemResult>;

export const giftcardIssueRequest = z.object({
  code: text,
  credit: positiveMoney,
  validityMonths: z
    .number()
    .int()
    .min(1)
    .max(120)
    .optional()
    .meta({ description: "Default: the program's giftCards.defaultValidityMonths" }),
});
export const giftcardIssueResult = z.object({
  code: text,
  credit: money,
  expiresAt: instant,
}) satisfies z.ZodType<GiftcardIssueResult>;

export const newMember = z.object({
  firstName: z.string().meta({ description: 'Not empty' }),
  lastName: optionalText,
  phone: optionalText.meta({ description: 'Digits with an optional leading +, 6 to 15 of them' }),
  email: optionalText,
  birthDate: optionalText.meta({ description: 'YYYY-MM-DD' }),
  language: z
    .union([z.literal(''), z.enum(['hy', 'fa', 'en', 'ru'])])
    .nullable()
    .optional(),
  customerGroup: optionalText,
});
export const enrollRequest = z.object({
  card: newCardRef,
  member: newMember,
  referrer: cardRef.optional().meta({ description: 'A card of the member who brought them' }),
  pin,
});
export const enrollResult = z.object({
  member: memberSummary,
  balances: balances.meta({ description: 'Signup bonus included' }),
}) satisfies z.ZodType<EnrollResult>;

export const cardReplaceRequest = z.object({
  card: cardRef.meta({ description: 'The old card, lost or damaged' }),
  newCard: newCardRef,
  managerCode: z.string().meta({ description: "A store manager's code; wrong ones count toward a lockout" }),
});
export const cardReplaceResult = z.object({ member: memberSummary }) satisfies z.ZodType<CardReplaceResult>;

export const cardUnlockRequest = z.object({ card: cardRef, managerCode: z.string() });
export const cardUnlockResult = z.object({
  card: z.object({ status: cardStatus }),
}) satisfies z.ZodType<CardUnlockResult>;

export { returnRequest, saleRequest };
