/**
 * zod schemas of the kiosk ops and of what the gateway publishes on its own: kiosk
 * sessions, reader taps and states, integration events, the retained gateway status
 * (docs/protocol.md §1 "Kiosk" and "Readers, events, status").
 */
import { z } from 'zod';
import type { ConvertResult, HistoryResult, RedeemRewardResult } from '../ops.ts';
import { EVENT_TYPES } from '../topics.ts';
import { balances, errorBody, instant, memberSummary, money, nextTier, pin, points, text } from './common.ts';

const sessionId = z
  .string()
  .meta({ description: 'The session the kiosk was shown; another gets SESSION_EXPIRED' });

export const historyRequest = z.object({
  sessionId,
  limit: z
    .number()
    .int()
    .positive()
    .nullable()
    .optional()
    .meta({ description: 'Default 20, at most 50 entries' }),
});
export const historyResult = z.object({
  entries: z.array(
    z.object({
      at: instant,
      kind: text.meta({ description: 'Ledger entry kind, e.g. sale, return, redeem-reward, expire' }),
      points,
      credit: z.number().int(),
      description: z.string().optional(),
    }),
  ),
}) satisfies z.ZodType<HistoryResult>;

export const redeemRewardRequest = z.object({ sessionId, rewardId: text, pin });
export const redeemRewardResult = z.object({
  balances,
  voucher: z
    .object({ sku: text, code: z.string().optional() })
    .optional()
    .meta({ description: 'What the reward grants: a voucher code to show at the till' }),
}) satisfies z.ZodType<RedeemRewardResult>;

export const convertRequest = z.object({
  sessionId,
  points: z.number().int().positive(),
  pin,
});
export const convertResult = z.object({ balances, credit: money }) satisfies z.ZodType<ConvertResult>;

export const endRequest = z.object({ sessionId: text });
export const endResult = z.object({});

/** `loyalty/v1/kiosk/{K}/session`: never retained (personal data). The gateway adds fields for its page. */
export const kioskSession = z
  .union([
    z.looseObject({
      sessionId: text,
      state: z.literal('member'),
      member: memberSummary,
      balances,
      tier: text,
      nextTier,
      expiringSoon: z.array(z.object({ points, at: instant })),
      rewards: z.array(
        z.looseObject({
          id: text,
          name: z.string().meta({ description: "In the member's language" }),
          cost: z.object({ points }),
          available: z.boolean(),
        }),
      ),
    }),
    z.object({ sessionId: text, state: z.literal('unknown-card') }),
    z.object({ sessionId: text, state: z.literal('refused'), error: errorBody }),
    z.object({ state: z.literal('idle') }),
  ])
  .meta({ id: 'KioskSession' });

export const readerTap = z
  .object({
    uid: text.meta({ description: 'Hex, upper case, as read' }),
    at: instant,
    reader: text,
  })
  .meta({ id: 'ReaderTap' });

export const readerState = z
  .object({
    reader: text,
    state: z.enum(['ready', 'card-present', 'offline', 'error']),
    at: instant,
    message: z.string().optional(),
  })
  .meta({ id: 'ReaderState' });

/** `loyalty/v1/events/{type}`: member id only; PII only for integrations allowed it. */
export const eventMessage = z
  .object({
    type: z.enum(EVENT_TYPES),
    at: instant,
    memberId: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'EventMessage' });

export const gatewayStatus = z
  .union([
    z.object({
      online: z.literal(true),
      version: text,
      storeId: text,
      startedAt: instant,
      program: z.object({ id: z.string(), version: z.number().int() }).nullable(),
      sync: z.object({
        pending: z.number().int().nonnegative(),
        lastOkAt: instant.nullable(),
        uploadFailing: z
          .object({ since: instant, error: z.string(), attempts: z.number().int().positive() })
          .nullable()
          .optional()
          .meta({
            description:
              'Addition: uploads to head office failing since when and why; null while they succeed',
          }),
        quarantined: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .meta({ description: 'Addition: entries head office could not store and quarantined' }),
      }),
    }),
    z.object({ online: z.literal(false) }),
  ])
  .meta({ id: 'GatewayStatus', description: 'Retained; {online:false} is the last will' });
