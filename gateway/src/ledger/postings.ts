import type { NewLot, Posting } from '../domain/ledger-types.ts';
import { LedgerError } from './errors.ts';
import { checkHeld, heldPosting } from './holds.ts';
import { ownerKey } from './owner.ts';
import { type Db, one, run, toJson } from './sql.ts';
import type { LedgerCommit } from './types.ts';

/** One posting: validation, lot creation or consumption, the entry, its balance (ledger-types.ts: Posting). */
export interface PostingContext {
  touchedHolds: Set<string>;
  issuedGiftCards: Set<string>;
  /** Members this transaction already found (a sale posts to its member 3–4 times). */
  knownMembers: Set<string>;
  /** Lots this transaction credited, by what makes them one (a sale's rules share a lot). */
  creditedLots?: Map<string, number>;
}

export function applyPosting(
  db: Db,
  tx: LedgerCommit,
  txId: number,
  atMs: number,
  p: Posting,
  i: number,
  ctx: PostingContext,
): number {
  const where = `posting ${i} (${p.kind})`;
  if (!Number.isSafeInteger(p.amount))
    throw new LedgerError('INVALID_POSTING', `${where}: amount not an integer`);
  // ledger-types.ts allows 0 only for write-off; a posting that only carries `qualifying`
  // (a spend-basis sale that earned no points) is accepted too, or its spend would be lost.
  if (p.amount === 0 && p.kind !== 'write-off' && !p.qualifying) {
    throw new LedgerError(
      'INVALID_POSTING',
      `${where}: amount 0 is only for write-off or a qualifying-only posting`,
    );
  }
  if (p.amount === 0 && (p.lot || p.lotId !== undefined)) {
    throw new LedgerError('INVALID_POSTING', `${where}: an amount-0 posting has no lot`);
  }
  if (p.qualifying !== undefined && !Number.isSafeInteger(p.qualifying)) {
    throw new LedgerError('INVALID_POSTING', `${where}: qualifying not an integer`);
  }
  const owner = ownerKey(p.owner);
  assertOwner(db, tx, txId, p, owner.type, owner.id, ctx, where);

  let lotId: number | null = null;
  if (p.bucket === 'available' && p.amount > 0) {
    if (!p.lot || p.lotId !== undefined)
      throw new LedgerError('INVALID_POSTING', `${where}: a credit needs lot, not lotId`);
    lotId = creditLot(db, tx, txId, atMs, owner.type, owner.id, p.asset, p.amount, p.lot, ctx, where);
  } else if (p.bucket === 'available' && p.amount < 0) {
    if (p.lotId === undefined || p.lot)
      throw new LedgerError('INVALID_POSTING', `${where}: a debit needs lotId`);
    lotId = consumeLot(db, owner.type, owner.id, p.asset, p.lotId, p.amount, where);
  } else if (p.lot || p.lotId !== undefined) {
    throw new LedgerError('INVALID_POSTING', `${where}: lots are only for the available bucket`);
  }
  // Only held entries carry hold_id: an available posting may name the hold in meta (a release).
  const holdId =
    p.bucket === 'held'
      ? heldPosting(db, tx, txId, p, owner.type === 'member' ? owner.id : null, where)
      : null;

  const entry = run(
    db,
    `INSERT INTO entries (tx_id, owner_type, owner_id, asset, bucket, kind, amount, lot_id, hold_id, qualifying,
       rule_id, meta, at, at_ms, program_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    txId,
    owner.type,
    owner.id,
    p.asset,
    p.bucket,
    p.kind,
    p.amount,
    lotId,
    holdId,
    p.qualifying ?? 0,
    p.ruleId ?? null,
    toJson(p.meta),
    tx.at,
    atMs,
    tx.programVersion,
  );
  if (p.amount !== 0) addToBalance(db, owner.type, owner.id, p.asset, p.bucket, p.amount, where);
  if (p.qualifying && owner.type === 'member') addQualifying(db, owner.id, atMs, tx.at, p.qualifying);
  if (holdId !== null) {
    ctx.touchedHolds.add(holdId);
    checkHeld(db, holdId, where);
  }
  return Number(entry.lastInsertRowid);
}

/**
 * The owner must exist. A gift card is created by its `giftcard-issue` posting (the engine
 * sends no separate record); issuing an existing code again is refused.
 */
function assertOwner(
  db: Db,
  tx: LedgerCommit,
  txId: number,
  p: Posting,
  type: string,
  id: string,
  ctx: PostingContext,
  where: string,
): void {
  if (type === 'member') {
    if (ctx.knownMembers.has(id)) return;
    if (!one(db, 'SELECT 1 FROM members WHERE id = ?', id))
      throw new LedgerError('OWNER_UNKNOWN', `${where}: no member ${id}`);
    ctx.knownMembers.add(id);
    return;
  }
  const exists = one(db, 'SELECT 1 FROM gift_cards WHERE code = ?', id) !== undefined;
  if (p.kind !== 'giftcard-issue' || ctx.issuedGiftCards.has(id)) {
    if (!exists) throw new LedgerError('OWNER_UNKNOWN', `${where}: no gift card ${id}`);
    return;
  }
  if (exists) throw new LedgerError('GIFT_CARD_EXISTS', `${where}: gift card ${id} was already issued`);
  run(
    db,
    'INSERT INTO gift_cards (code, issued_at, expires_at, tx_id) VALUES (?, ?, ?, ?)',
    id,
    tx.at,
    p.lot?.expiresAt ?? null,
    txId,
  );
  ctx.issuedGiftCards.add(id);
}

/** A negative available posting consumes exactly its lot, never below zero (ledger-types.ts: lotId). */
function consumeLot(
  db: Db,
  type: string,
  id: string,
  asset: string,
  lotId: number,
  amount: number,
  where: string,
): number {
  const r = run(
    db,
    `UPDATE lots SET remaining = remaining + ?
     WHERE id = ? AND owner_type = ? AND owner_id = ? AND asset = ? AND remaining + ? >= 0`,
    amount,
    lotId,
    type,
    id,
    asset,
    amount,
  );
  if (r.changes === 1) return lotId;
  const lot = one<{ merged_into: number | null }>(
    db,
    'SELECT merged_into FROM lots WHERE id = ? AND owner_type = ? AND owner_id = ? AND asset = ?',
    lotId,
    type,
    id,
    asset,
  );
  if (!lot) throw new LedgerError('LOT_UNKNOWN', `${where}: lot ${lotId} is not ${id}'s ${asset}`);
  // A lot merged since the caller read it: what it had is in the lot it was merged into.
  if (lot.merged_into !== null) return consumeLot(db, type, id, asset, lot.merged_into, amount, where);
  throw new LedgerError('LOT_EXHAUSTED', `${where}: lot ${lotId} has less than ${-amount}`);
}

/**
 * A positive available posting: folded into the member's open lot that the program cannot
 * tell apart from a new one (same asset, same expiry instant — an expiry is the end of a
 * day — and the same `availableAt`, or both spendable already at this posting), else a new
 * lot. So a member holds at most one spendable lot per asset and expiry day, however many
 * sales they made (docs/ledger.md: Merged lots). Spending, reversals and expiry read lots
 * by expiry and availability only (docs/program.md: Balances, lots, expiry), so nothing the
 * program decides changes.
 */
function creditLot(
  db: Db,
  tx: LedgerCommit,
  txId: number,
  atMs: number,
  type: string,
  id: string,
  asset: string,
  amount: number,
  lot: NewLot,
  ctx: PostingContext,
  where: string,
): number {
  const expiresMs = instantMs(lot.expiresAt, where);
  const availableMs = instantMs(lot.availableAt, where) ?? atMs;
  // The same lot as an earlier posting of this transaction: no need to look it up again.
  const key = `${type} ${id} ${asset} ${expiresMs} ${availableMs <= atMs ? 'now' : availableMs}`;
  ctx.creditedLots ??= new Map();
  const into = ctx.creditedLots.get(key) ?? findLot(db, type, id, asset, expiresMs, availableMs, atMs);
  if (into !== undefined) {
    run(
      db,
      'UPDATE lots SET amount = amount + ?, remaining = remaining + ? WHERE id = ?',
      amount,
      amount,
      into,
    );
    ctx.creditedLots.set(key, into);
    return into;
  }
  const created = run(
    db,
    `INSERT INTO lots (owner_type, owner_id, asset, amount, remaining, earned_at, available_at, available_ms,
       expires_at, expires_ms, tx_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    type,
    id,
    asset,
    amount,
    amount,
    tx.at,
    lot.availableAt,
    availableMs,
    lot.expiresAt,
    expiresMs,
    txId,
  );
  const createdId = Number(created.lastInsertRowid);
  ctx.creditedLots.set(key, createdId);
  return createdId;
}

/** The open lot a new earning folds into: same owner, asset, expiry and availability. */
function findLot(
  db: Db,
  type: string,
  id: string,
  asset: string,
  expiresMs: number | null,
  availableMs: number,
  atMs: number,
): number | undefined {
  return one<{ id: number }>(
    db,
    `SELECT id FROM lots WHERE owner_type = ? AND owner_id = ? AND asset = ? AND expires_ms IS ? AND remaining > 0
       AND (available_ms = ? OR (available_ms <= ? AND ? <= ?)) ORDER BY id LIMIT 1`,
    type,
    id,
    asset,
    expiresMs,
    availableMs,
    atMs,
    availableMs,
    atMs,
  )?.id;
}

const DAY_MS = 86_400_000;

/** The tier window's running sum per member and UTC day (member-state.ts reads it). */
function addQualifying(db: Db, memberId: string, atMs: number, at: string, qualifying: number): void {
  run(
    db,
    `INSERT INTO qualifying_days (member_id, day, amount, first_ms, first_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (member_id, day) DO UPDATE SET amount = amount + excluded.amount,
       first_at = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_at ELSE first_at END,
       first_ms = MIN(first_ms, excluded.first_ms)`,
    memberId,
    Math.floor(atMs / DAY_MS),
    qualifying,
    atMs,
    at,
  );
}

/** docs/program.md: a balance is never stored negative. Checked here for a clear code; the CHECK is the backstop. */
function addToBalance(
  db: Db,
  type: string,
  id: string,
  asset: string,
  bucket: string,
  amount: number,
  where: string,
) {
  const updated = run(
    db,
    `UPDATE balances SET amount = amount + ?
     WHERE owner_type = ? AND owner_id = ? AND asset = ? AND bucket = ? AND amount + ? >= 0`,
    amount,
    type,
    id,
    asset,
    bucket,
    amount,
  );
  if (updated.changes === 1) return;
  const exists = one(
    db,
    'SELECT 1 FROM balances WHERE owner_type = ? AND owner_id = ? AND asset = ? AND bucket = ?',
    type,
    id,
    asset,
    bucket,
  );
  if (exists || amount < 0) {
    throw new LedgerError('INSUFFICIENT_BALANCE', `${where}: ${id}'s ${asset} ${bucket} would go negative`);
  }
  run(
    db,
    'INSERT INTO balances (owner_type, owner_id, asset, bucket, amount) VALUES (?, ?, ?, ?, ?)',
    type,
    id,
    asset,
    bucket,
    amount,
  );
}

function instantMs(iso: string | null, where: string): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new LedgerError('INVALID_POSTING', `${where}: ${iso} is not an instant`);
  return ms;
}
