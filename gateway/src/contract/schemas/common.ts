/**
 * zod schemas of the pieces every MQTT message shares (docs/protocol.md §1): the request
 * envelope, card references, balances, the error response. The gateway validates requests
 * with them (contract/schemas/index.ts) and docs/asyncapi.yaml is generated from them, so
 * the machine-readable contract and the running gateway cannot drift apart.
 */
import { z } from 'zod';
import { refineInstant } from '../../core/instants.ts';
import { ERROR_CODES } from '../errors.ts';
import type { Balances, Discount, MemberSummary, NextTier } from '../ops.ts';

export const text = z.string().min(1);

/** Integer minor units of the program's currency (docs/program.md Units). */
export const money = z
  .number()
  .int()
  .nonnegative()
  .meta({ description: 'Integer minor units (never a float)' });
export const positiveMoney = z
  .number()
  .int()
  .positive()
  .meta({ description: 'Integer minor units, more than zero' });
export const points = z.number().int().meta({ description: 'Whole points' });

export const instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be ISO-8601 with offset',
  )
  // A real calendar instant (no 2026-02-30 rolled over to March): core/instants.ts.
  .superRefine(refineInstant)
  .meta({ description: 'ISO-8601 instant with offset', examples: ['2026-11-23T18:05:00+04:00'] });

/** docs/protocol.md §1 "Card reference": exactly one of uid, number, phone. */
export const cardRef = z
  .union(
    [
      z.object({ uid: text.meta({ description: 'Hex, upper case, as read (e.g. 04A1B2C3D4E5F6)' }) }),
      z.object({ number: text.meta({ description: 'The printed card number' }) }),
      z.object({ phone: text.meta({ description: "The member's phone, e.g. +37491000000" }) }),
    ],
    { error: 'must be an object with exactly one of uid, number or phone' },
  )
  .meta({ id: 'CardRef', description: 'A card: {uid}, {number} or {phone}' });

/** A new card is named by its uid (enroll, card-replace newCard). */
export const newCardRef = z
  .object({ uid: text.meta({ description: 'Hex, upper case, as read' }) }, { error: 'must be {uid}' })
  .meta({ id: 'NewCardRef' });

/** docs/protocol.md §1: 4 to 8 digits; absent or empty when the program needs no PIN. */
export const pin = z
  .union([z.literal(''), z.string().regex(/^[0-9]{4,8}$/)], { error: 'must be 4 to 8 digits' })
  .nullable()
  .optional()
  .meta({ description: "The card's PIN, 4 to 8 digits (PIN_REQUIRED when the program needs one)" });

export const requestId = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: 'Client-chosen, unique per client; a re-send gets the identical response' });

export const balances: z.ZodType<Balances> = z
  .object({
    points,
    pendingPoints: points,
    credit: money,
    spendableHere: z
      .object({ points, credit: money })
      .optional()
      .meta({ description: 'In a chain: what this store can spend now (its own lots)' }),
  })
  .meta({ id: 'Balances' });

export const memberSummary: z.ZodType<MemberSummary> = z
  .object({ id: text, displayName: z.string(), tier: text, language: text })
  .meta({ id: 'MemberSummary' });

export const nextTier: z.ZodType<NextTier | null> = z
  .object({ id: text, missing: z.number().int().nonnegative() })
  .nullable()
  .meta({ id: 'NextTier', description: 'The next tier and what is missing to reach it; null at the top' });

export const discount: z.ZodType<Discount> = z
  .object({ ruleId: text, percent: z.number().positive().max(100), lineIds: z.array(z.string()) })
  .meta({ id: 'Discount', description: 'A discount the till applies (docs/program.md Accrual 10)' });

export const earned = z.object({ points, credit: money }).meta({ id: 'EarnedAmounts' });

export const cardStatus = z
  .enum(['active', 'suspended', 'blocked', 'locked', 'expired'])
  .meta({ id: 'CardStatus' });

export const errorBody = z
  .object({
    code: z
      .enum(ERROR_CODES)
      .meta({ description: 'docs/protocol.md §1 Error codes; treat an unknown code as a failure' }),
    message: z.string().meta({ description: 'Human-readable; names the field for INVALID_REQUEST' }),
  })
  .meta({ id: 'ErrorBody' });

/** `ok:false` on `res/{op}`, or on `res/error` with `requestId: null` when none could be read. */
export const errorResponse = z
  .object({ requestId: requestId.nullable(), ok: z.literal(false), error: errorBody })
  .meta({ id: 'ErrorResponse' });

/** The `ok:true` response of an op: the envelope plus the op's result fields. */
export const okResponse = <T extends z.ZodRawShape>(result: z.ZodObject<T>) =>
  result.extend({ requestId, ok: z.literal(true) });
