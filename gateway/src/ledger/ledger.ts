import type { Lot, MemberState, SaleHistory } from '../domain/ledger-types.ts';
import { type BackupProgress, backup } from './backup.ts';
import * as cards from './cards.ts';
import { commit, commitMany } from './commit.ts';
import { type OpenOptions, openDatabase } from './database.ts';
import { DurableSeq } from './durable-seq.ts';
import { type ExpiringLot, findExpiredHolds, findExpiredLots, spentSince } from './expiry.ts';
import { type ImportOptions, type ImportResult, type ImportRow, importMembers } from './import.ts';
import {
  findTransaction,
  getBalance,
  getSaleHistory,
  loadGiftCard,
  loadMemberState,
  rewardStockLeft,
} from './member-state.ts';
import * as outbox from './outbox.ts';
import { getRecords } from './records.ts';
import { type Db, run } from './sql.ts';
import type {
  Card,
  CardRef,
  CardStatus,
  CommitOutcome,
  CommitResult,
  EntryRow,
  LedgerCommit,
  Member,
  NewCard,
  NewMember,
  VerifyProblem,
} from './types.ts';
import { verify } from './verify.ts';
import { flushAtOpen, WalSync, type WalSyncSeams } from './wal-sync.ts';

export interface LedgerOptions extends OpenOptions {
  /** Wall clock for outbox `created_at` only (business times come from the transaction's `at`). */
  now?: () => Date;
  /** The disk under the group commits (tests hold the WAL fsync behind a gate). */
  seams?: WalSyncSeams;
}

/**
 * The store's ledger: one SQLite connection and the operations on it. The gateway opens it
 * once and passes it in its context object (architecture.md: no singletons). Every write is
 * one synchronous transaction.
 */
export class Ledger {
  private readonly now: () => Date;
  /** How far the entries are on disk; the uploader reads only up to it (ledger/durable-seq.ts). */
  readonly durable: DurableSeq;
  /** Group commits with their WAL flush off the event loop; null where commits flush themselves. */
  readonly groupSync: WalSync | null;

  constructor(
    readonly db: Db,
    options: { now?: () => Date; seams?: WalSyncSeams } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.durable = new DurableSeq(() => outbox.durableMark(db));
    this.groupSync = WalSync.of(db, { watermark: this.durable, seams: options.seams });
    // What the files hold now counts as durable (durable-seq.ts): make it so.
    if (this.groupSync) flushAtOpen(db);
  }

  commit(tx: LedgerCommit): CommitResult {
    return commit(this.db, tx, this.now);
  }
  commitMany(txs: LedgerCommit[]): CommitOutcome[] {
    return commitMany(this.db, txs, this.now);
  }
  loadMemberState(memberId: string, now: Date, windowMonths: number): MemberState {
    return loadMemberState(this.db, memberId, now, windowMonths);
  }
  balance(
    owner: { member: string } | { giftCard: string },
    asset: 'points' | 'credit',
    bucket?: 'available' | 'held' | 'debt',
  ): number {
    return getBalance(this.db, owner, asset, bucket);
  }
  loadGiftCard(code: string): { code: string; expiresAt: string | null; lots: Lot[] } | null {
    return loadGiftCard(this.db, code);
  }
  rewardStockLeft(rewardId: string): number | null {
    return rewardStockLeft(this.db, rewardId);
  }
  getRecords(kind: string): Array<{ txId: number; record: unknown }> {
    return getRecords(this.db, kind);
  }
  getSaleHistory(saleId: string): SaleHistory | null {
    return getSaleHistory(this.db, saleId);
  }
  findTransaction(idempotencyKey: string): { txId: number; type: string; response: unknown } | null {
    return findTransaction(this.db, idempotencyKey);
  }
  verify(): VerifyProblem[] {
    return verify(this.db);
  }
  backup(destination: string, onProgress?: (p: BackupProgress) => void): Promise<BackupProgress> {
    return backup(this.db, destination, onProgress);
  }

  // Members and cards
  addMember(member: NewMember, newCards: NewCard[] = []): void {
    cards.addMember(this.db, member, newCards);
  }
  updateMember(id: string, patch: cards.MemberPatch): Member {
    return cards.updateMember(this.db, id, patch);
  }
  addCard(card: NewCard): void {
    cards.addCard(this.db, card);
  }
  getMember(id: string): Member | null {
    return cards.getMember(this.db, id);
  }
  findCard(ref: CardRef): Card | null {
    return cards.findCard(this.db, ref);
  }
  listCards(memberId: string): Card[] {
    return cards.listCards(this.db, memberId);
  }
  setCardStatus(uid: string, status: CardStatus): void {
    cards.setCardStatus(this.db, uid, status);
  }
  setPin(uid: string, pin: string): Promise<void> {
    return cards.setPin(this.db, uid, pin);
  }
  verifyPin(uid: string, pin: string, maxAttempts: number): Promise<cards.PinCheck> {
    return cards.verifyPin(this.db, uid, pin, maxAttempts);
  }
  unlockCard(uid: string): Card {
    return cards.unlockCard(this.db, uid);
  }
  importMembers(rows: ImportRow[], opts: ImportOptions): Promise<ImportResult> {
    return importMembers(this.db, rows, opts);
  }

  /** docs/program.md rewards.stock: sets a reward's stock for this store (restock resets what is left). */
  setRewardStock(rewardId: string, stock: number): void {
    run(
      this.db,
      `INSERT INTO reward_stock (reward_id, stock, remaining) VALUES (?, ?, ?)
       ON CONFLICT (reward_id) DO UPDATE SET stock = excluded.stock, remaining = excluded.remaining`,
      rewardId,
      stock,
      stock,
    );
  }

  // Outbox (for the sync uploader)
  readUnsent(limit?: number): outbox.OutboxItem[] {
    return outbox.readUnsent(this.db, limit);
  }
  markSent(outboxIds: number[], at: string): number {
    return outbox.markSent(this.db, outboxIds, at);
  }
  markAckedThrough(ackedSeq: number, at: string): number {
    return outbox.markAckedThrough(this.db, ackedSeq, at);
  }
  /** Entries after `afterSeq` that are on disk (never one whose group still waits for its fsync). */
  entriesAfter(afterSeq: number, limit: number): EntryRow[] {
    return outbox.entriesAfter(this.db, afterSeq, limit, this.durable.ceiling());
  }
  pendingCount(): number {
    return outbox.pendingCount(this.db);
  }
  lastSeq(): number {
    return outbox.lastSeq(this.db);
  }

  // Scheduled jobs (expiry.ts)
  findExpiredLots(now: Date, limit?: number): ExpiringLot[] {
    return findExpiredLots(this.db, now, limit);
  }
  findExpiredHolds(
    now: Date,
    limit?: number,
  ): Array<{ holdId: string; memberId: string; held: number; expiresAt: string }> {
    return findExpiredHolds(this.db, now, limit);
  }
  spentSince(memberId: string, since: Date): { points: number; credit: number } {
    return spentSince(this.db, memberId, since);
  }

  close(): void {
    this.db.close();
  }
}

export function openLedger(path: string, options: LedgerOptions = {}): Ledger {
  return new Ledger(openDatabase(path, options), { now: options.now, seams: options.seams });
}
