/**
 * Request and `ok` response shapes of every till and kiosk op (docs/protocol.md §1 table and
 * "Kiosk"). Money is integer minor units, points are integers, instants ISO-8601 with
 * offset. Type-only consumers (kiosk-ui) import from `contract/index.ts`.
 */
import type { ErrorBody } from './errors.ts';

export type IsoInstant = string;
/** Integer minor units (e.g. luma for AMD). */
export type Money = number;
export type Points = number;

/** docs/protocol.md §1: hex upper-case uid as read, printed number, or phone. */
export type CardRef = { uid: string } | { number: string } | { phone: string };

export type CardStatus = 'active' | 'suspended' | 'blocked' | 'locked' | 'expired';

export interface Balances {
  points: Points;
  pendingPoints: Points;
  credit: Money;
  /**
   * An addition: in a chain, when other stores hold part of the balance, what this store can
   * spend now (its own lots). `points`/`credit` are the chain's (docs/protocol.md §2 invariant).
   */
  spendableHere?: { points: Points; credit: Money };
}

export interface MemberSummary {
  id: string;
  displayName: string;
  tier: string;
  language: string;
}

export interface NextTier {
  id: string;
  missing: number;
}

/** docs/program.md §Accrual 10: the till applies it; the highest percent on a line wins. */
export interface Discount {
  ruleId: string;
  percent: number;
  lineIds: string[];
}

export interface EarnedAmounts {
  points: Points;
  credit: Money;
}

// --- envelopes (docs/protocol.md §1 Request / response) --------------------------------------

export interface RequestEnvelope {
  /** Client-chosen, unique per client; re-sending it gets the identical response. */
  requestId: string;
}

export type OkResponse<T> = { requestId: string; ok: true } & T;

export interface ErrorResponse {
  /** `null` only on `res/error`, when no requestId could be read from the request. */
  requestId: string | null;
  ok: false;
  error: ErrorBody;
}

export type OpResponse<T> = OkResponse<T> | ErrorResponse;

// --- till ops ---------------------------------------------------------------------------

export interface IdentifyRequest {
  card: CardRef;
}
export interface IdentifyResult {
  member: MemberSummary;
  card: { status: CardStatus; expiresAt: IsoInstant | null };
  balances: Balances;
  nextTier: NextTier | null;
  discounts: Discount[];
}

export interface SaleLine {
  lineId: string;
  sku: string;
  productGroup?: string;
  qty: number;
  unitPrice: Money;
  amount: Money;
}
export interface SalePayment {
  /** e.g. `cash`, `card`, `loyalty-credit` (needs `holdId`), `gift-card`. */
  method: string;
  amount: Money;
  holdId?: string;
}
export interface SaleRequest {
  saleId: string;
  at: IsoInstant;
  /** Absent: an anonymous sale, recorded for reports, earns nothing. */
  card?: CardRef;
  currency: string;
  lines: SaleLine[];
  payments: SalePayment[];
  total: Money;
}
export interface SaleResult {
  saleId: string;
  earned: EarnedAmounts;
  breakdown: Array<{ ruleId: string; points: Points; credit: Money }>;
  discounts: Discount[];
  balances: Balances;
  tier: string;
  tierChanged: boolean;
  /** Printable lines in the member's language. */
  receipt: string[];
}

export interface ReturnRequest {
  returnId: string;
  saleId: string;
  at: IsoInstant;
  lines?: Array<{ lineId: string; qty: number }>;
  all?: true;
}
export interface ReturnResult {
  reversed: EarnedAmounts;
  writtenOff: EarnedAmounts;
  balances: Balances;
  tier: string;
}

export interface AuthorizeRequest {
  holdId?: string;
  card: CardRef;
  pin?: string;
  credit: Money;
}
export interface AuthorizeResult {
  holdId: string;
  credit: Money;
  expiresAt: IsoInstant;
  balances: Balances;
}

export interface CaptureRequest {
  holdId: string;
  saleId: string;
  credit: Money;
}
export interface VoidRequest {
  holdId: string;
}
export interface BalancesResult {
  balances: Balances;
}

export interface GiftcardRedeemRequest {
  code: string;
  credit: Money;
}
export interface GiftcardRedeemResult {
  remaining: Money;
}

/** An addition to docs/protocol.md: a gift card sold at the till, its credit issued on the card's code. */
export interface GiftcardIssueRequest {
  code: string;
  credit: Money;
  /** Default: the program's `giftCards.defaultValidityMonths`. */
  validityMonths?: number;
}
export interface GiftcardIssueResult {
  code: string;
  credit: Money;
  expiresAt: string;
}

export interface NewMember {
  firstName: string;
  lastName?: string;
  phone?: string;
  email?: string;
  birthDate?: string;
  language?: string;
  customerGroup?: string;
}
export interface EnrollRequest {
  card: CardRef;
  member: NewMember;
  referrer?: CardRef;
  pin?: string;
}
export interface EnrollResult {
  member: MemberSummary;
  balances: Balances;
}

export interface CardReplaceRequest {
  card: CardRef;
  newCard: CardRef;
  managerCode: string;
}
export interface CardReplaceResult {
  member: MemberSummary;
}

export interface CardUnlockRequest {
  card: CardRef;
  managerCode: string;
}
export interface CardUnlockResult {
  card: { status: CardStatus };
}

/** Till op → request fields (without `requestId`) and `ok` response fields. */
export interface TillOps {
  identify: { request: IdentifyRequest; result: IdentifyResult };
  simulate: { request: SaleRequest; result: SaleResult };
  sale: { request: SaleRequest; result: SaleResult };
  return: { request: ReturnRequest; result: ReturnResult };
  authorize: { request: AuthorizeRequest; result: AuthorizeResult };
  capture: { request: CaptureRequest; result: BalancesResult };
  void: { request: VoidRequest; result: BalancesResult };
  'giftcard-redeem': { request: GiftcardRedeemRequest; result: GiftcardRedeemResult };
  'giftcard-issue': { request: GiftcardIssueRequest; result: GiftcardIssueResult };
  enroll: { request: EnrollRequest; result: EnrollResult };
  'card-replace': { request: CardReplaceRequest; result: CardReplaceResult };
  'card-unlock': { request: CardUnlockRequest; result: CardUnlockResult };
}
export type TillOp = keyof TillOps;

export const TILL_OPS = [
  'identify',
  'simulate',
  'sale',
  'return',
  'authorize',
  'capture',
  'void',
  'giftcard-redeem',
  'giftcard-issue',
  'enroll',
  'card-replace',
  'card-unlock',
] as const satisfies readonly TillOp[];

// --- kiosk ops --------------------------------------------------------------------------

export interface HistoryRequest {
  sessionId: string;
  limit: number;
}
export interface HistoryEntry {
  at: IsoInstant;
  /** Ledger entry kind, e.g. `earn`, `spend`, `expire`. */
  kind: string;
  points: Points;
  credit: Money;
  description?: string;
}
export interface HistoryResult {
  entries: HistoryEntry[];
}

export interface RedeemRewardRequest {
  sessionId: string;
  rewardId: string;
  pin: string;
}
export interface RedeemRewardResult {
  balances: Balances;
  /** What the reward grants, e.g. a voucher code to show. */
  voucher?: { sku: string; code?: string };
}

export interface ConvertRequest {
  sessionId: string;
  points: Points;
  pin: string;
}
export interface ConvertResult {
  balances: Balances;
  credit: Money;
}

export interface EndRequest {
  sessionId: string;
}

export interface KioskOps {
  history: { request: HistoryRequest; result: HistoryResult };
  'redeem-reward': { request: RedeemRewardRequest; result: RedeemRewardResult };
  convert: { request: ConvertRequest; result: ConvertResult };
  end: { request: EndRequest; result: Record<string, never> };
}
export type KioskOp = keyof KioskOps;

export const KIOSK_OPS = ['history', 'redeem-reward', 'convert', 'end'] as const satisfies readonly KioskOp[];

const tillOpSet: ReadonlySet<string> = new Set(TILL_OPS);
const kioskOpSet: ReadonlySet<string> = new Set(KIOSK_OPS);

export function isTillOp(op: string): op is TillOp {
  return tillOpSet.has(op);
}
export function isKioskOp(op: string): op is KioskOp {
  return kioskOpSet.has(op);
}

/** The full wire request of op `O`: envelope + op fields. */
export type TillRequestMessage<O extends TillOp> = RequestEnvelope & TillOps[O]['request'];
export type TillResponseMessage<O extends TillOp> = OpResponse<TillOps[O]['result']>;
export type KioskRequestMessage<O extends KioskOp> = RequestEnvelope & KioskOps[O]['request'];
export type KioskResponseMessage<O extends KioskOp> = OpResponse<KioskOps[O]['result']>;
