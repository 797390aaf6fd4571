/** The ledger's public surface: only `ledger/` writes SQL (architecture.md: Boundaries). */
export { type BackupProgress, backup } from './backup.ts';
export { effectiveStatus, type MemberPatch, type PinCheck } from './cards.ts';
export { commit, commitMany } from './commit.ts';
export { appliedMigrations, loadMigrations, migrate, type OpenOptions, openDatabase } from './database.ts';
export { DurableSeq } from './durable-seq.ts';
export { LedgerError, type LedgerErrorCode } from './errors.ts';
export {
  type ImportOptions,
  type ImportProblem,
  type ImportResult,
  type ImportRow,
  importMembers,
} from './import.ts';
export { Ledger, type LedgerOptions, openLedger } from './ledger.ts';
export { getSaleHistory, loadGiftCard, loadMemberState, rewardStockLeft } from './member-state.ts';
export type { OutboxItem } from './outbox.ts';
export {
  hashPin,
  hashPinAsync,
  IMPORT_PIN_PARAMS,
  PIN_PARAMS,
  pinMatches,
  type ScryptParams,
} from './pins.ts';
export { getRecords } from './records.ts';
export type * from './types.ts';
export { verify } from './verify.ts';
export type { WalSyncSeams } from './wal-sync.ts';
