/**
 * Types the ledger adds beside `domain/ledger-types.ts` (which it must not change): the
 * side effects a transaction implies besides its postings, and the member/card records.
 */
import type { Asset, Bucket, LedgerTransaction, Owner } from '../domain/ledger-types.ts';

export type CardStatus = 'active' | 'suspended' | 'blocked' | 'locked' | 'expired';
export type HoldStatus = 'open' | 'captured' | 'voided' | 'expired';

export interface NewMember {
  id: string;
  firstName: string;
  lastName?: string | null;
  phone?: string | null;
  email?: string | null;
  birthDate?: string | null; // YYYY-MM-DD
  anniversaryDate?: string | null;
  language?: string;
  customerGroup?: string | null;
  tier: string;
  referrerId?: string | null;
  enrolledAt: string;
}

export interface Member extends Required<Omit<NewMember, 'language'>> {
  language: string;
  tierSince: string | null;
  lastSaleAt: string | null;
}

export interface NewCard {
  uid: string; // hex; stored upper case
  number?: string | null;
  memberId: string;
  status?: CardStatus;
  expiresAt?: string | null;
  /** Already hashed with `hashPin` (never the PIN itself: hashing is slow and must not run inside a transaction). */
  pinHash?: string | null;
  createdAt: string;
}

export interface Card {
  uid: string;
  number: string | null;
  memberId: string;
  status: CardStatus;
  expiresAt: string | null;
  hasPin: boolean;
  pinFailures: number;
  createdAt: string;
}

/** docs/protocol.md: card reference. */
export type CardRef = { uid: string } | { number: string } | { phone: string };

/**
 * What a transaction changes besides entries, committed in the same SQLite transaction.
 * Held postings name their hold in `meta.holdId`; a hold opened here may be posted to in the
 * same transaction.
 */
export interface LedgerEffects {
  members?: NewMember[];
  cards?: NewCard[];
  cardStatus?: Array<{ uid: string; status: CardStatus }>;
  /** Gift cards issued by this transaction (their credit is a posting to `{giftCard: code}`). */
  giftCards?: Array<{ code: string; expiresAt: string | null }>;
  openHolds?: Array<{ holdId: string; memberId: string; amount: number; expiresAt: string }>;
  /** Closing a hold requires that nothing is left in it after this transaction's postings. */
  closeHolds?: Array<{ holdId: string; status: Exclude<HoldStatus, 'open'> }>;
  /** docs/program.md Tiers; `upgrade` moves `tierSince` to the transaction's `at`. */
  tierChange?: { memberId: string; from: string; to: string; upgrade: boolean };
  /** Usually the sale's `at` for the inactivity expiry (docs/program.md: expiry). */
  lastSaleAt?: { memberId: string; at: string };
  /** `${event}:${year}` or `first-purchase`; a second post of the same one is refused (EVENT_ALREADY_POSTED). */
  events?: Array<{ memberId: string; event: string }>;
  /** Rewards with stock: reserved atomically; no stock row = unlimited (docs/program.md: rewards.stock). */
  rewards?: Array<{ rewardId: string; quantity: number }>;
}

/** What `commit` takes: the engine's transaction plus the effects it implies. */
export interface LedgerCommit extends LedgerTransaction {
  effects?: LedgerEffects;
}

export interface CommitResult {
  replayed: boolean;
  response: unknown;
  txId: number;
  /** Device sequence of the first and last entry posted; null when the transaction posted none. */
  seqFrom: number | null;
  seqTo: number | null;
}

export type CommitOutcome =
  | { ok: true; idempotencyKey: string; result: CommitResult }
  | { ok: false; idempotencyKey: string; error: Error };

export interface EntryRow {
  seq: number;
  txId: number;
  idempotencyKey: string;
  owner: Owner;
  asset: Asset;
  bucket: Bucket;
  kind: string;
  amount: number;
  lotId: number | null;
  holdId: string | null;
  qualifying: number;
  ruleId: string | null;
  meta: Record<string, unknown> | null;
  at: string;
  programVersion: number;
  /** The sale of a sale transaction's entry, where the reader joins it (the sync upload). */
  sale?: { saleId: string; total: number } | null;
}

export interface VerifyProblem {
  code:
    | 'BALANCE_DRIFT'
    | 'NEGATIVE_BALANCE'
    | 'LOT_DRIFT'
    | 'LOTS_VS_BALANCE'
    | 'OUTBOX_MISSING'
    | 'OUTBOX_RANGE'
    | 'HOLD_DRIFT'
    | 'INTEGRITY';
  message: string;
}
