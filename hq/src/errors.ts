import { CodedError } from '../../gateway/src/core/errors.ts';

export type HqErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'TOKEN_INVALID'
  | 'DEVICE_EXISTS'
  | 'SEQ_GAP'
  | 'CARD_UNKNOWN'
  | 'MEMBER_UNKNOWN'
  | 'PROGRAM_INVALID'
  | 'PROGRAM_VERSION'
  | 'TOO_LARGE'
  | 'BUSY';

/** Errors with a stable code; the HTTP boundary turns them into a status (http/server.ts). */
export class HqError extends CodedError {
  constructor(
    override readonly code: HqErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(code, message);
    this.name = 'HqError';
  }
}

export const HTTP_STATUS: Record<HqErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOKEN_INVALID: 403,
  DEVICE_EXISTS: 409,
  SEQ_GAP: 409,
  CARD_UNKNOWN: 404,
  MEMBER_UNKNOWN: 404,
  PROGRAM_INVALID: 422,
  PROGRAM_VERSION: 409,
  TOO_LARGE: 413,
  BUSY: 429,
};
