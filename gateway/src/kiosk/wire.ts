/**
 * The kiosk session payload as this gateway publishes it on `loyalty/v1/kiosk/{K}/session`
 * (docs/protocol.md §1 Kiosk). A superset of the contract's `KioskSession`: docs/protocol.md lets an
 * implementation add fields, and the kiosk page needs names in every language (the customer
 * switches language on screen) and the figures to draw, never rules to apply. No Node
 * imports: kiosk-ui imports these types type-only.
 */
import type { Balances, ErrorBody, MemberSummary, NextTier, Points } from '../contract/index.ts';

/** docs/program.md names: any of hy, fa, en, ru; en required. */
export interface LocalName {
  en: string;
  hy?: string;
  fa?: string;
  ru?: string;
}

export interface KioskReward {
  id: string;
  /** In the member's language (the contract's `RewardOffer.name`). */
  name: string;
  names: LocalName;
  cost: { points: Points };
  /** Enough points now. */
  affordable: boolean;
  /** The member's tier may redeem it (docs/program.md Redemption). */
  tierAllowed: boolean;
  /** Units left in this store; null = unlimited. */
  stockLeft: number | null;
  /** Redeemable now: affordable, tier allowed, in stock (the contract's `RewardOffer.available`). */
  available: boolean;
  grants: { voucher: { sku: string } } | { credit: number };
}

export interface KioskOffer {
  id: string;
  names: LocalName;
  /** A discount the till applies (docs/program.md Accrual 10), or a points multiplier now in force. */
  kind: 'discount' | 'multiplier';
  percent?: number;
  factor?: number;
}

export interface TierStep {
  id: string;
  names: LocalName;
  threshold: number;
}

/** What the page needs to draw the tier bar: figures only, no rule. */
export interface TierProgress {
  current: TierStep;
  next: (TierStep & { missing: number }) | null;
}

export interface KioskProgramView {
  currency: string;
  /** IANA zone that decides "which day" (docs/program.md Units): dates are shown in it. */
  timezone: string;
  names: { points: LocalName; credit: LocalName };
  /** docs/program.md conversion.pointsToCredit: the page offers whole multiples of `points`. */
  pointsToCredit: { points: number; credit: number } | null;
  pinRequired: boolean;
}

export interface KioskMemberSession {
  sessionId: string;
  state: 'member';
  member: MemberSummary;
  card: { status: 'active' | 'suspended' };
  balances: Balances;
  tier: string;
  nextTier: NextTier | null;
  tierProgress: TierProgress;
  expiringSoon: Array<{ points: Points; at: string }>;
  rewards: KioskReward[];
  offers: KioskOffer[];
  program: KioskProgramView;
}

export type KioskSessionMessage =
  | KioskMemberSession
  | { sessionId: string; state: 'unknown-card' }
  | { sessionId: string; state: 'refused'; error: ErrorBody }
  | { state: 'idle'; sessionId?: string };

/** `GET /kiosk/{K}/credentials` (loopback only, docs/protocol.md §1 Kiosk). */
export interface KioskCredentials {
  kioskId: string;
  reader: string;
  username: string;
  password: string;
  /** Path of MQTT over WebSocket on this HTTP port. */
  mqttPath: string;
}
