/**
 * Payloads the gateway publishes on its own (not request/response): kiosk sessions, reader
 * taps and states, integration events and the retained gateway status (docs/protocol.md §1
 * "Kiosk" and "Readers, events, status").
 */
import type { ErrorBody } from './errors.ts';
import type { Balances, IsoInstant, MemberSummary, Money, NextTier, Points } from './ops.ts';
import type { EventType } from './topics.ts';

export interface RewardOffer {
  id: string;
  /** Already in the member's language. */
  name: string;
  cost: { points: Points };
  /** The member may redeem it now (enough points, tier allowed, in stock). */
  available: boolean;
}

/** `loyalty/v1/kiosk/{K}/session`, QoS 1, never retained (personal data). */
export type KioskSession =
  | {
      sessionId: string;
      state: 'member';
      member: MemberSummary;
      balances: Balances;
      tier: string;
      nextTier: NextTier | null;
      expiringSoon: Array<{ points: Points; at: IsoInstant }>;
      rewards: RewardOffer[];
    }
  | { sessionId: string; state: 'unknown-card' }
  /** A card the kiosk may not show (blocked, expired...): `error.code` says why. */
  | { sessionId: string; state: 'refused'; error: ErrorBody }
  | { state: 'idle' };

export type KioskSessionState = KioskSession['state'];

/** `loyalty/v1/reader/{R}/tap`, QoS 1: one tap per debounce window. */
export interface ReaderTap {
  /** Hex, upper case, as read. */
  uid: string;
  at: IsoInstant;
  reader: string;
}

/**
 * `loyalty/v1/reader/{R}/state`, retained. docs/protocol.md names the topic (kiosk ACL) but
 * not its payload; this shape is the gateway's addition.
 */
export interface ReaderState {
  reader: string;
  state: 'ready' | 'card-present' | 'offline' | 'error';
  at: IsoInstant;
  message?: string;
}

/** `loyalty/v1/events/{type}`, QoS 1. Member id only; PII only for integrations allowed it. */
export interface EventMessage<T extends EventType | string = string> {
  type: T;
  at: IsoInstant;
  memberId?: string;
  data: Record<string, unknown>;
}

/** What the gateway publishes after each committed operation (gateway/src/tills/ops, kiosk). */
export interface LedgerPostedEvent extends EventMessage<'ledger.posted'> {
  data: {
    /** sale, return, authorize, capture, enroll, redeem-reward, convert, ... */
    type: string;
    storeId: string;
    saleId?: string;
    holdId?: string;
    earned?: { points: Points; credit: Money };
    reversed?: { points: Points; credit: Money };
  };
}
export interface TierChangedEvent extends EventMessage<'tier.changed'> {
  data: { from: string; to: string };
}
export interface CardStatusEvent extends EventMessage<'card.status'> {
  data: { cardId: string; status: string };
}
export interface RewardRedeemedEvent extends EventMessage<'reward.redeemed'> {
  data: { rewardId: string; points: Points };
}
export interface SyncStateEvent extends EventMessage<'sync.state'> {
  data: { pending: number; lastOkAt: IsoInstant | null; online: boolean };
}

/** `loyalty/v1/gateway/status`, retained. */
export interface GatewayOnlineStatus {
  online: true;
  version: string;
  storeId: string;
  startedAt: IsoInstant;
  /** Program id and version in force. */
  program: { id: string; version: number } | null;
  sync: {
    pending: number;
    lastOkAt: IsoInstant | null;
    /** (addition) Uploads to head office failing since when and why; null while they succeed. */
    uploadFailing?: { since: IsoInstant; error: string; attempts: number } | null;
    /** (addition) Entries head office could not store and quarantined (docs/sync.md). */
    quarantined?: number;
  };
}
/** The last will / stop payload. */
export interface GatewayOfflineStatus {
  online: false;
}
export type GatewayStatus = GatewayOnlineStatus | GatewayOfflineStatus;
