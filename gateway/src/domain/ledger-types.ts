/**
 * The shapes that cross between the pure accrual engine (`engine/`) and the ledger
 * (`ledger/`). The engine reads a `MemberState` and returns a `LedgerTransaction`; the
 * ledger commits it atomically (entries + lot changes + outbox row + stored response)
 * or, when its idempotency key was seen before, returns what it stored then.
 *
 * Money is integer minor units, points are integers (docs/program.md: Units). Instants are
 * ISO-8601 strings with offset.
 */

export type Asset = 'points' | 'credit';

/**
 * Where an amount sits for its owner:
 * - `available`: spendable or pending lots (a positive posting creates a lot, a negative one consumes one lot);
 * - `held`: credit reserved by an authorize, not spendable twice (docs/program.md: Redemption);
 * - `debt`: what a return under `negativeBalance: debt` could not take back, paid from future earnings.
 * No bucket's balance is ever stored negative.
 */
export type Bucket = 'available' | 'held' | 'debt';

/** Who owns an account: a member, or a gift card (which has credit but no member). */
export type Owner = { member: string } | { giftCard: string };

export type EntryKind =
  | 'earn' // sale accrual: spend, multiplier, tier multiplier, product-bonus, cashback
  | 'event' // birthday, anniversary, signup, first-purchase, referral
  | 'opening' // imported opening balance
  | 'adjust' // manual adjustment (meta: reason, operator)
  | 'spend' // points on a reward, raffle entries
  | 'reverse' // a return taking back what a sale earned
  | 'write-off' // clamp: the part of a reversal already spent (amount 0 on balances, recorded for reports)
  | 'debt' // debt: the part of a reversal already spent, owed from future earnings
  | 'debt-repay' // a later earning paying the debt back
  | 'expire' // what is left of a lot when it expires
  | 'hold' // credit moved available -> held
  | 'capture' // held credit paid at the till
  | 'release' // held credit back to available (void, hold expiry, capture for less)
  | 'transfer-out'
  | 'transfer-in'
  | 'convert-out'
  | 'convert-in'
  | 'giftcard-issue'
  | 'giftcard-redeem'
  | 'giftcard-expire';

/** The lot a positive `available` posting creates (docs/program.md: Balances, lots, expiry, pending). */
export interface NewLot {
  availableAt: string; // pending until then: counts toward tiers, not spendable
  expiresAt: string | null; // null: never (or by inactivity, decided by the engine)
}

export interface Posting {
  owner: Owner;
  asset: Asset;
  bucket: Bucket;
  kind: EntryKind;
  /** Signed integer: + adds to the bucket, − takes from it. Never 0 except for `write-off`. */
  amount: number;
  /** Required when bucket is `available` and amount > 0. */
  lot?: NewLot;
  /** Required when bucket is `available` and amount < 0: the one lot this posting consumes. */
  lotId?: number;
  /** Signed change to the member's tier-qualifying total (points, or spend for a spend basis). */
  qualifying?: number;
  ruleId?: string;
  /** Free-form, stored as JSON: reason, operator, counterpart member, hold id, ... */
  meta?: Record<string, unknown>;
}

/** Everything one business operation posts, committed all-or-nothing. */
export interface LedgerTransaction {
  /** UNIQUE in the schema. Till requests use `till:{clientId}:{requestId}`. */
  idempotencyKey: string;
  /** A digest of the request body: the same key with another hash is a CONFLICT. */
  requestHash?: string;
  /** sale, return, authorize, capture, void, redeem-reward, convert, transfer, event, expire, adjust, import, ... */
  type: string;
  at: string;
  programVersion: number;
  storeId: string;
  /** saleId, returnId, holdId, gift card code: what reports and returns look the operation up by. */
  ref?: string;
  postings: Posting[];
  records?: LedgerTransactionRecords;
  /** What the caller answered; replayed verbatim for the same idempotency key (docs/protocol.md: Idempotent). */
  response?: unknown;
}

/** A lot as the engine sees it. */
export interface Lot {
  id: number;
  asset: Asset;
  remaining: number;
  earnedAt: string;
  availableAt: string;
  expiresAt: string | null;
}

export interface Hold {
  holdId: string;
  amount: number; // still held
  expiresAt: string;
  status: 'open' | 'captured' | 'voided' | 'expired';
}

/** A point in the member's tier-qualifying history (a sale's earning or a return's reversal). */
export interface QualifyingEntry {
  at: string;
  amount: number;
}

/** All the engine needs to know of a member to decide one operation. */
export interface MemberState {
  memberId: string;
  tier: string;
  /** When the member last moved up a tier (for downgradeGraceMonths); null if never. */
  tierSince: string | null;
  customerGroup: string | null;
  birthDate: string | null; // YYYY-MM-DD
  anniversaryDate: string | null; // YYYY-MM-DD
  enrolledAt: string;
  language: string;
  /** Lots with remaining > 0, of both assets. */
  lots: Lot[];
  holds: Hold[];
  debt: { points: number; credit: number };
  /** Qualifying entries inside the longest window the program may ask for. */
  qualifying: QualifyingEntry[];
  lastSaleAt: string | null;
  /** Scheduled events already posted, as `${event}:${year}` (e.g. `birthday:2026`), and `first-purchase`. */
  eventsPosted: string[];
  referrerId: string | null;
}

/** The three kinds a sale earns; returns reverse each kind on its own (docs/program.md: Returns). */
export type EarnKind = 'spend' | 'bonus' | 'cashback';

/** An exact rational as `"num/den"` (BigInt digits), so records survive JSON exactly. */
export type RationalString = string;

export interface SaleLineRecord {
  lineId: string;
  sku: string;
  productGroup: string | null;
  qty: number;
  amount: number;
}

/** What a sale earned, kept so returns can reverse it exactly; stored by the ledger with the sale's transaction. */
export interface SaleRecord {
  saleId: string;
  memberId: string | null; // null: anonymous sale, earns nothing
  at: string;
  total: number;
  lines: SaleLineRecord[];
  /** Per kind: E (what was posted) and each line's exact contribution. */
  earned: Record<EarnKind, { posted: number; lines: Record<string, RationalString> }>;
}

export interface ReturnRecord {
  returnId: string;
  saleId: string;
  at: string;
  lines: Array<{ lineId: string; qty: number }>;
  reversed: Record<EarnKind, number>;
}

/** A sale with every return that named it so far, as the engine needs for the next return. */
export interface SaleHistory {
  sale: SaleRecord;
  returns: ReturnRecord[];
}

/** Optional records a transaction carries; the ledger stores each in the same commit. */
export interface LedgerTransactionRecords {
  sale?: SaleRecord;
  saleReturn?: ReturnRecord;
}
