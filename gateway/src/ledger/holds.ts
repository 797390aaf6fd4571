import type { Posting } from '../domain/ledger-types.ts';
import { LedgerError } from './errors.ts';
import { type Db, one, run } from './sql.ts';
import type { HoldStatus, LedgerCommit } from './types.ts';

/**
 * Hold state is derived from the held bucket so the two cannot disagree (docs/program.md:
 * Redemption): the first positive `hold` posting to an unknown `meta.holdId` opens the hold,
 * and a hold whose held entries sum to 0 after a transaction is closed by it. `effects`
 * may open or close explicitly; the engine's plain transactions need neither.
 */
export function heldPosting(
  db: Db,
  tx: LedgerCommit,
  txId: number,
  p: Posting,
  memberId: string | null,
  where: string,
): string {
  const holdId = typeof p.meta?.holdId === 'string' ? p.meta.holdId : null;
  if (holdId === null) throw new LedgerError('INVALID_POSTING', `${where}: a held posting needs meta.holdId`);
  if (memberId === null) throw new LedgerError('INVALID_POSTING', `${where}: only members hold credit`);
  const hold = one<{ member_id: string; status: string; opened_tx: number }>(
    db,
    'SELECT member_id, status, opened_tx FROM holds WHERE hold_id = ?',
    holdId,
  );
  if (!hold && p.amount > 0 && p.kind === 'hold') {
    openHold(db, txId, holdId, memberId, p.amount, holdExpiry(tx, p, holdId), where);
    return holdId;
  }
  if (!hold || hold.member_id !== memberId)
    throw new LedgerError('HOLD_UNKNOWN', `${where}: no hold ${holdId} for ${memberId}`);
  if (hold.status !== 'open')
    throw new LedgerError('HOLD_CLOSED', `${where}: hold ${holdId} is ${hold.status}`);
  // A holdId is authorized once (engine/holds.ts: 'already used'); only its opening transaction funds it.
  if (p.amount > 0 && p.kind === 'hold' && hold.opened_tx !== txId) {
    throw new LedgerError('HOLD_EXISTS', `${where}: hold ${holdId} was already authorized`);
  }
  return holdId;
}

/** After the posting: a hold never holds less than nothing. */
export function checkHeld(db: Db, holdId: string, where: string): void {
  if (heldIn(db, holdId) < 0)
    throw new LedgerError('HOLD_EXCEEDED', `${where}: more taken than hold ${holdId} holds`);
}

export function openHold(
  db: Db,
  txId: number,
  holdId: string,
  memberId: string,
  amount: number,
  expiresAt: string,
  where: string,
) {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new LedgerError('INVALID_POSTING', `${where}: hold amount must be positive`);
  const expiresMs = Date.parse(expiresAt);
  if (Number.isNaN(expiresMs))
    throw new LedgerError('INVALID_POSTING', `${where}: hold expiresAt ${expiresAt} is not an instant`);
  if (one(db, 'SELECT 1 FROM holds WHERE hold_id = ?', holdId))
    throw new LedgerError('HOLD_EXISTS', `hold ${holdId} exists`);
  run(
    db,
    'INSERT INTO holds (hold_id, member_id, amount, expires_at, expires_ms, opened_tx) VALUES (?, ?, ?, ?, ?, ?)',
    holdId,
    memberId,
    amount,
    expiresAt,
    expiresMs,
    txId,
  );
}

/** Where an implicit hold's expiry comes from: the posting's meta, else the authorize response (docs/protocol.md). */
function holdExpiry(tx: LedgerCommit, p: Posting, holdId: string): string {
  const fromMeta = p.meta?.expiresAt;
  if (typeof fromMeta === 'string') return fromMeta;
  const response = tx.response;
  if (
    typeof response === 'object' &&
    response !== null &&
    'expiresAt' in response &&
    typeof response.expiresAt === 'string'
  ) {
    return response.expiresAt;
  }
  throw new LedgerError(
    'INVALID_POSTING',
    `hold ${holdId}: no expiresAt (meta.expiresAt, response.expiresAt or effects.openHolds)`,
  );
}

function heldIn(db: Db, holdId: string): number {
  return (
    one<{ s: number }>(db, 'SELECT COALESCE(SUM(amount), 0) AS s FROM entries WHERE hold_id = ?', holdId)
      ?.s ?? 0
  );
}

/** Explicit closes first (they must leave nothing held), then every touched hold now empty. */
export function closeHolds(db: Db, tx: LedgerCommit, txId: number, touched: Set<string>): void {
  for (const h of tx.effects?.closeHolds ?? []) {
    const hold = one<{ status: string }>(db, 'SELECT status FROM holds WHERE hold_id = ?', h.holdId);
    if (!hold) throw new LedgerError('HOLD_UNKNOWN', `no hold ${h.holdId}`);
    if (hold.status !== 'open')
      throw new LedgerError('HOLD_CLOSED', `hold ${h.holdId} is already ${hold.status}`);
    const left = heldIn(db, h.holdId);
    if (left !== 0) throw new LedgerError('HOLD_EXCEEDED', `hold ${h.holdId} closed with ${left} still held`);
    run(db, 'UPDATE holds SET status = ?, closed_tx = ? WHERE hold_id = ?', h.status, txId, h.holdId);
  }
  for (const holdId of touched) {
    if (heldIn(db, holdId) !== 0) continue;
    run(
      db,
      "UPDATE holds SET status = ?, closed_tx = ? WHERE hold_id = ? AND status = 'open'",
      closedStatus(tx, holdId),
      txId,
      holdId,
    );
  }
}

function closedStatus(tx: LedgerCommit, holdId: string): Exclude<HoldStatus, 'open'> {
  const own = tx.postings.filter((p) => p.meta?.holdId === holdId);
  if (own.some((p) => p.kind === 'capture')) return 'captured';
  if (tx.type.includes('expire') || own.some((p) => p.meta?.reason === 'expired')) return 'expired';
  return 'voided';
}
