import { type ErrorBody, type ErrorCode, isErrorCode } from '../contract/index.ts';
import { CodedError } from '../core/errors.ts';

/** A request refused with a contract code (docs/protocol.md §1 error codes). */
export class Refusal extends CodedError {
  constructor(
    readonly contractCode: ErrorCode,
    message: string,
  ) {
    super(contractCode, message);
    this.name = 'Refusal';
  }
}

/** Ledger codes that mean "the caller asked for something impossible", not a bug. */
const LEDGER_REFUSALS: Record<string, ErrorCode> = {
  CONFLICT: 'CONFLICT',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  SALE_UNKNOWN: 'SALE_UNKNOWN',
  SALE_EXISTS: 'INVALID_REQUEST',
  RETURN_EXISTS: 'INVALID_REQUEST',
  RETURN_EXCEEDS_SALE: 'RETURN_EXCEEDS_SALE',
  REWARD_UNAVAILABLE: 'REWARD_UNAVAILABLE',
  HOLD_UNKNOWN: 'HOLD_UNKNOWN',
  HOLD_CLOSED: 'HOLD_UNKNOWN',
  HOLD_EXISTS: 'INVALID_REQUEST',
  CARD_EXISTS: 'CARD_EXISTS',
  CARD_UNKNOWN: 'CARD_UNKNOWN',
  MEMBER_EXISTS: 'INVALID_REQUEST',
  GIFT_CARD_EXISTS: 'CARD_EXISTS',
};

/**
 * The contract error a thrown error stands for, or null when it is a fault of ours
 * (which the caller answers as INTERNAL and logs). Engine errors already carry contract
 * codes; ledger errors are mapped.
 */
export const refusalOf = (error: unknown): ErrorBody | null => {
  if (!(error instanceof Error) || !('code' in error)) return null;
  const code = String((error as { code: unknown }).code);
  const name = error.name;
  if (name === 'LedgerError') {
    const mapped = LEDGER_REFUSALS[code];
    return mapped ? { code: mapped, message: error.message } : null;
  }
  if (isErrorCode(code) && code !== 'INTERNAL') return { code, message: error.message };
  return null;
};
