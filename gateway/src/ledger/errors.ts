/**
 * Ledger errors carry a stable `code`; the boundary (MQTT response, CLI exit code) converts
 * them (architecture.md: errors). Codes that the till sees are those of docs/protocol.md
 * (INSUFFICIENT_BALANCE, CONFLICT, SALE_UNKNOWN, ...); the others are programming errors of the
 * caller (INVALID_POSTING, LOT_UNKNOWN, ...) and should become INTERNAL at the boundary.
 */
export type LedgerErrorCode =
  | 'CONFLICT' // same idempotency key, different request hash (docs/protocol.md: Idempotent)
  | 'INSUFFICIENT_BALANCE' // a bucket would go negative
  | 'LOT_UNKNOWN' // a consuming posting names a lot that is not the owner's
  | 'LOT_EXHAUSTED' // a consuming posting takes more than the lot's remaining
  | 'INVALID_POSTING' // a posting breaks the ledger-types.ts rules
  | 'OWNER_UNKNOWN' // posting to a member or gift card that does not exist
  | 'MEMBER_UNKNOWN'
  | 'MEMBER_EXISTS'
  | 'CARD_UNKNOWN'
  | 'CARD_EXISTS'
  | 'GIFT_CARD_EXISTS'
  | 'HOLD_UNKNOWN'
  | 'HOLD_EXISTS'
  | 'HOLD_CLOSED' // posting to, or closing, a hold that is no longer open
  | 'HOLD_EXCEEDED' // more taken from a hold than it holds, or a hold closed while still holding
  | 'SALE_UNKNOWN'
  | 'SALE_EXISTS'
  | 'RETURN_EXISTS'
  | 'RETURN_EXCEEDS_SALE'
  | 'REWARD_UNAVAILABLE'
  | 'EVENT_ALREADY_POSTED'
  | 'TIER_MISMATCH' // a tier change whose `from` is not the stored tier (a concurrent change)
  | 'CONSTRAINT' // a schema CHECK / FOREIGN KEY / NOT NULL the checks above did not name
  | 'IMPORT_REJECTED'
  | 'MIGRATION_FAILED';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${code}: ${message}`);
  }
}

/** SQLite's own error, as thrown by better-sqlite3 (its class is not exported as a type). */
interface SqliteErrorLike {
  code: string;
  message: string;
}

export function isSqliteError(err: unknown): err is SqliteErrorLike {
  return (
    err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && err.name === 'SqliteError'
  );
}

/** True for a UNIQUE or PRIMARY KEY violation. */
export function isUniqueViolation(err: unknown): boolean {
  return (
    isSqliteError(err) &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/** Runs `fn`, turning a UNIQUE violation into a LedgerError with `code`. */
export function uniqueOr<T>(code: LedgerErrorCode, message: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new LedgerError(code, message);
    throw err;
  }
}

/** Any SQLite constraint failure becomes a LedgerError, so callers see one error type. */
export function asLedgerError(err: unknown): unknown {
  if (err instanceof LedgerError) return err;
  if (isSqliteError(err) && err.code.startsWith('SQLITE_CONSTRAINT')) {
    return new LedgerError('CONSTRAINT', err.message, { sqliteCode: err.code });
  }
  return err;
}
