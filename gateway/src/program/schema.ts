/**
 * The program file schema (docs/program.md, contract v1). One schema gives the type, the
 * defaults and the per-field errors; cross-field checks live in `check.ts`.
 */
import { z } from 'zod';
import { refineInstant } from '../core/instants.ts';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
/** Factors and percents may be decimals (1.25); the engine turns them into exact rationals. */
const positiveNumber = z.number().positive().finite();
const percent = z.number().positive().max(100);

function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export const localDate = z.string().refine(isValidDate, 'must be a real date YYYY-MM-DD');
export const instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be ISO-8601 with offset',
  )
  .superRefine(refineInstant);

const HOURS = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const hoursRange = z.string().regex(HOURS, 'must be "HH:MM-HH:MM"');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

export const LANGUAGES = ['en', 'hy', 'fa', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

/** docs/program.md: names — any of hy, fa, en, ru; en required. */
export const localName = z.strictObject({
  en: z.string().min(1),
  hy: z.string().min(1).optional(),
  fa: z.string().min(1).optional(),
  ru: z.string().min(1).optional(),
});
export type LocalName = z.infer<typeof localName>;

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayOfWeek = (typeof DAYS)[number];

const stringList = z.array(z.string().min(1)).min(1);

const lineAndSaleKeys = {
  stores: stringList.optional(),
  customerGroups: stringList.optional(),
  tiers: stringList.optional(),
  productGroups: stringList.optional(),
  skus: stringList.optional(),
  paymentMethods: stringList.optional(),
};

/** docs/program.md: Filters (any rule). */
export const filterFields = {
  ...lineAndSaleKeys,
  exclude: z.strictObject(lineAndSaleKeys).optional(),
  when: z
    .strictObject({
      from: localDate.optional(),
      to: localDate.optional(),
      daysOfWeek: z.array(z.enum(DAYS)).min(1).optional(),
      hours: hoursRange.optional(),
    })
    .optional(),
  member: z
    .strictObject({
      birthday: z.enum(['day', 'week', 'month']).optional(),
      anniversary: z.enum(['day', 'week', 'month']).optional(),
    })
    .optional(),
};

const ruleBase = { id, name: localName.optional(), ...filterFields };

export const spendRule = z.strictObject({
  ...ruleBase,
  type: z.literal('spend'),
  points: positiveInt,
  per: positiveInt,
});
export const cashbackRule = z.strictObject({ ...ruleBase, type: z.literal('cashback'), percent });
export const multiplierRule = z.strictObject({
  ...ruleBase,
  type: z.literal('multiplier'),
  factor: positiveNumber,
});
export const productBonusRule = z.strictObject({
  ...ruleBase,
  type: z.literal('product-bonus'),
  points: positiveInt,
  maxPerSale: positiveInt.optional(),
});
export const EVENTS = ['birthday', 'anniversary', 'signup', 'referral', 'first-purchase'] as const;
export type EventName = (typeof EVENTS)[number];
export const eventRule = z.strictObject({
  ...ruleBase,
  type: z.literal('event'),
  event: z.enum(EVENTS),
  points: positiveInt,
  /** referral only; docs/engine.md: default `referrer` (docs/program.md gives no default). */
  to: z.enum(['referrer', 'referred', 'both']).default('referrer'),
});
export const discountRule = z.strictObject({ ...ruleBase, type: z.literal('discount'), percent });

export const earnRule = z.discriminatedUnion('type', [
  spendRule,
  cashbackRule,
  multiplierRule,
  productBonusRule,
  eventRule,
  discountRule,
]);
export type EarnRule = z.infer<typeof earnRule>;
export type SpendRule = z.infer<typeof spendRule>;
export type CashbackRule = z.infer<typeof cashbackRule>;
export type MultiplierRule = z.infer<typeof multiplierRule>;
export type ProductBonusRule = z.infer<typeof productBonusRule>;
export type EventRule = z.infer<typeof eventRule>;
export type DiscountRule = z.infer<typeof discountRule>;

export const expiry = z.union(
  [
    z.literal('none'),
    z.null().transform(() => 'none' as const),
    z.strictObject({ afterMonths: positiveInt }),
    z.strictObject({ endOfYearAfter: nonNegativeInt }),
    z.strictObject({ inactivityMonths: positiveInt }),
  ],
  { error: 'must be none, {afterMonths: N}, {endOfYearAfter: N} or {inactivityMonths: N}' },
);
export type Expiry = z.infer<typeof expiry>;

export const tierLevel = z.strictObject({
  id,
  threshold: nonNegativeInt,
  name: localName.optional(),
  earnMultiplier: positiveNumber.default(1),
  discountPercent: percent.optional(),
});
export type TierLevel = z.infer<typeof tierLevel>;

export const tiers = z.strictObject({
  basis: z.union(
    [z.strictObject({ earnedPointsMonths: positiveInt }), z.strictObject({ spendMonths: positiveInt })],
    { error: 'must be {earnedPointsMonths: N} or {spendMonths: N}' },
  ),
  downgradeGraceMonths: nonNegativeInt.default(0),
  levels: z.array(tierLevel).min(1),
});
export type Tiers = z.infer<typeof tiers>;

export const reward = z.strictObject({
  id,
  name: localName,
  cost: z.strictObject({ points: positiveInt }),
  grants: z.union(
    [
      z.strictObject({ voucher: z.strictObject({ sku: z.string().min(1) }) }),
      z.strictObject({ credit: positiveInt }),
    ],
    { error: 'must be {voucher: {sku}} or {credit: N}' },
  ),
  stock: nonNegativeInt.optional(),
  tiers: stringList.optional(),
});
export type Reward = z.infer<typeof reward>;

const rate = z.strictObject({ points: positiveInt, credit: positiveInt });

/** docs/program-raffles.md: the raffle section (an addition beyond docs/program.md). */
export const raffle = z.strictObject({
  id,
  name: localName,
  opens: instant,
  closes: instant,
  drawAt: instant,
  winners: positiveInt,
  entries: z
    .strictObject({
      perPoints: positiveInt.optional(),
      cost: z.strictObject({ points: positiveInt }).optional(),
      maxPerMember: positiveInt.optional(),
    })
    .refine((e) => e.perPoints !== undefined || e.cost !== undefined, 'needs perPoints or cost'),
  seedSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  tiers: stringList.optional(),
});
export type Raffle = z.infer<typeof raffle>;

export const programSchema = z.strictObject({
  version: positiveInt,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (3 upper-case letters)'),
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone (e.g. Asia/Yerevan)'),
  names: z.strictObject({ points: localName, credit: localName }),
  points: z
    .strictObject({
      pendingDays: nonNegativeInt.default(0),
      expiry: expiry.default('none'),
    })
    .default({ pendingDays: 0, expiry: 'none' }),
  credit: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  tiers: tiers.default({
    basis: { earnedPointsMonths: 12 },
    downgradeGraceMonths: 0,
    levels: [{ id: 'base', threshold: 0, earnMultiplier: 1 }],
  }),
  earn: z.array(earnRule).default([]),
  rewards: z.array(reward).default([]),
  conversion: z
    .strictObject({
      pointsToCredit: rate.nullable().default(null),
      creditToPoints: rate.nullable().default(null),
    })
    .default({ pointsToCredit: null, creditToPoints: null }),
  transfers: z
    .strictObject({ allowed: z.boolean().default(false), minPoints: positiveInt.default(1) })
    .default({ allowed: false, minPoints: 1 }),
  redemption: z
    .strictObject({
      maxPercentOfSale: percent.default(100),
      pinRequired: z.boolean().default(true),
      pinAttempts: positiveInt.default(5),
      /** docs/engine.md: how long an authorize holds credit (addition). */
      holdMinutes: positiveInt.default(15),
    })
    .default({ maxPercentOfSale: 100, pinRequired: true, pinAttempts: 5, holdMinutes: 15 }),
  returns: z
    .strictObject({ negativeBalance: z.enum(['clamp', 'debt']).default('clamp') })
    .default({ negativeBalance: 'clamp' }),
  giftCards: z
    .strictObject({
      enabled: z.boolean().default(false),
      defaultValidityMonths: positiveInt.default(12),
    })
    .default({ enabled: false, defaultValidityMonths: 12 }),
  raffles: z.array(raffle).default([]),
  /**
   * docs/engine.md (addition): whether a card tapped on the store's own readers must carry a
   * valid signed token (docs/hardware.md). `false` accepts UID-only cards; a forged token is
   * refused either way.
   */
  cards: z.strictObject({ requireToken: z.boolean().default(false) }).default({ requireToken: false }),
});

export type Program = z.infer<typeof programSchema>;
export type ProgramInput = z.input<typeof programSchema>;
