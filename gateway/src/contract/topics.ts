/**
 * Topic builders and parsers for docs/protocol.md §1. Every MQTT topic string in the gateway is
 * built here, so a typo cannot create a topic nobody subscribes to.
 */
import { isKioskOp, isTillOp, type KioskOp, type TillOp } from './ops.ts';

export const TOPIC_ROOT = 'loyalty/v1';

/** The two request/response roles (docs/protocol.md §1 "Request / response"). */
export type RequesterRole = 'till' | 'kiosk';

/** Response topic suffix used when no requestId (or no op) could be read. */
export const ERROR_OP = 'error';

export const topics = {
  tillRequest: (tillId: string, op: TillOp): string => `${TOPIC_ROOT}/till/${tillId}/req/${op}`,
  tillResponse: (tillId: string, op: TillOp | typeof ERROR_OP): string =>
    `${TOPIC_ROOT}/till/${tillId}/res/${op}`,
  kioskRequest: (kioskId: string, op: KioskOp): string => `${TOPIC_ROOT}/kiosk/${kioskId}/req/${op}`,
  kioskResponse: (kioskId: string, op: KioskOp | typeof ERROR_OP): string =>
    `${TOPIC_ROOT}/kiosk/${kioskId}/res/${op}`,
  /** Not retained: it holds personal data (docs/protocol.md §1 Kiosk). */
  kioskSession: (kioskId: string): string => `${TOPIC_ROOT}/kiosk/${kioskId}/session`,
  readerTap: (readerId: string): string => `${TOPIC_ROOT}/reader/${readerId}/tap`,
  readerState: (readerId: string): string => `${TOPIC_ROOT}/reader/${readerId}/state`,
  event: (type: EventType): string => `${TOPIC_ROOT}/events/${type}`,
  /** Retained; `{online:false}` when the gateway stops. */
  gatewayStatus: `${TOPIC_ROOT}/gateway/status`,
  /** Untyped op: for answering requests whose op is not in the contract. */
  response: (role: RequesterRole, id: string, op: string): string => `${TOPIC_ROOT}/${role}/${id}/res/${op}`,
} as const;

/** Event types the gateway publishes at least (docs/protocol.md §1 Readers, events, status). */
export const EVENT_TYPES = [
  'ledger.posted',
  'tier.changed',
  'card.status',
  'reward.redeemed',
  'sync.state',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type ParsedRequestTopic =
  | { role: 'till'; id: string; op: TillOp }
  | { role: 'kiosk'; id: string; op: KioskOp }
  /** A request topic whose op is not in the contract: answered INVALID_REQUEST. */
  | { role: RequesterRole; id: string; op: string; unknownOp: true };

/**
 * The till or kiosk whose request subtree `loyalty/v1/{till|kiosk}/{id}/req/...` holds
 * `topic`, or `null` for any other topic.
 */
export function requestTopicOwner(topic: string): { role: RequesterRole; id: string } | null {
  const [root, version, role, id, req] = topic.split('/', 5);
  if (root !== 'loyalty' || version !== 'v1' || req !== 'req' || !id) return null;
  return role === 'till' || role === 'kiosk' ? { role, id } : null;
}

/**
 * Reads `loyalty/v1/{till|kiosk}/{id}/req/{op}`; anything else (deeper levels, empty
 * levels, other roots) is `null`.
 */
export function parseRequestTopic(topic: string): ParsedRequestTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 6 || parts[0] !== 'loyalty' || parts[1] !== 'v1' || parts[4] !== 'req') return null;
  const [, , role, id, , op] = parts;
  if (!id || !op) return null;
  if (role === 'till') return isTillOp(op) ? { role, id, op } : { role, id, op, unknownOp: true };
  if (role === 'kiosk') return isKioskOp(op) ? { role, id, op } : { role, id, op, unknownOp: true };
  return null;
}
