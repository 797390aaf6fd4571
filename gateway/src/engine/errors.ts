/**
 * Engine refusals carry a stable `code` from docs/protocol.md §1; the boundary turns them into
 * `{ok:false, error:{code, message}}`.
 */
export type EngineErrorCode =
  | 'INVALID_REQUEST'
  | 'INSUFFICIENT_BALANCE'
  | 'HOLD_UNKNOWN'
  | 'HOLD_EXPIRED'
  | 'SALE_UNKNOWN'
  | 'RETURN_EXCEEDS_SALE'
  | 'REWARD_UNAVAILABLE'
  | 'TIER_NOT_ALLOWED';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** For INVALID_REQUEST: the request field at fault, e.g. `lines[1].amount`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function invalid(field: string, why: string): EngineError {
  return new EngineError('INVALID_REQUEST', `${field}: ${why}`, field);
}
