/**
 * Error codes a response may carry (docs/protocol.md §1 "Error codes (at least)"). The list is
 * the contract's floor: tills must treat an unknown code as a failure of that request.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'CARD_UNKNOWN',
  'CARD_SUSPENDED',
  'CARD_BLOCKED',
  'CARD_LOCKED',
  'CARD_EXPIRED',
  'PIN_REQUIRED',
  'PIN_INVALID',
  'INSUFFICIENT_BALANCE',
  'HOLD_UNKNOWN',
  'HOLD_EXPIRED',
  'SALE_UNKNOWN',
  'RETURN_EXCEEDS_SALE',
  'REWARD_UNAVAILABLE',
  'TIER_NOT_ALLOWED',
  'CONFLICT', // same requestId, different body
  'SESSION_EXPIRED',
  'MANAGER_CODE_INVALID',
  'CARD_EXISTS',
  // Additions to docs/protocol.md's list: an integration over its request rate (docs/till-guide.md),
  // and a card whose token fails, or that has none where the program requires one (docs/hardware.md).
  'RATE_LIMITED',
  'CARD_NOT_GENUINE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const codes: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codes.has(value);
}

/** The `error` member of an `ok:false` response. `message` names the field when it can. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}
