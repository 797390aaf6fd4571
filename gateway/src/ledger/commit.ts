import { applyEffectsAfter, applyEffectsBefore } from './effects.ts';
import { asLedgerError, LedgerError } from './errors.ts';
import { closeHolds } from './holds.ts';
import { applyPosting, type PostingContext } from './postings.ts';
import { insertOtherRecords, insertReturn, insertSale } from './records.ts';
import { type Db, fromJson, one, run, toJson } from './sql.ts';
import type { CommitOutcome, CommitResult, LedgerCommit } from './types.ts';

interface TxRow {
  id: number;
  request_hash: string | null;
  response: string | null;
  from_seq: number | null;
  to_seq: number | null;
}

/**
 * Applies one transaction. Must run inside a better-sqlite3 transaction (see `commit`): any
 * throw rolls everything back, so checks may be done in any order.
 */
export function applyTransaction(db: Db, tx: LedgerCommit, nowIso: string): CommitResult {
  try {
    return applyChecked(db, tx, nowIso);
  } catch (err) {
    throw asLedgerError(err);
  }
}

function applyChecked(db: Db, tx: LedgerCommit, nowIso: string): CommitResult {
  const requestHash = tx.requestHash ?? null;
  // Idempotency lives in the schema (architecture.md): the UNIQUE key decides, not a map.
  const inserted = run(
    db,
    `INSERT INTO transactions (idempotency_key, request_hash, type, at, store_id, ref, response, program_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
    tx.idempotencyKey,
    requestHash,
    tx.type,
    tx.at,
    tx.storeId,
    tx.ref ?? null,
    toJson(tx.response),
    tx.programVersion,
  );
  if (inserted.changes === 0) return replay(db, tx.idempotencyKey, requestHash);
  const txId = Number(inserted.lastInsertRowid);
  const atMs = Date.parse(tx.at);
  if (Number.isNaN(atMs))
    throw new LedgerError('INVALID_POSTING', `transaction at is not an instant: ${tx.at}`);

  applyEffectsBefore(db, tx, txId);
  const ctx: PostingContext = {
    touchedHolds: new Set(),
    issuedGiftCards: new Set((tx.effects?.giftCards ?? []).map((g) => g.code)),
    knownMembers: new Set(),
  };
  let seqFrom: number | null = null;
  let seqTo: number | null = null;
  for (const [i, posting] of tx.postings.entries()) {
    const seq = applyPosting(db, tx, txId, atMs, posting, i, ctx);
    seqFrom ??= seq;
    seqTo = seq;
  }
  closeHolds(db, tx, txId, ctx.touchedHolds);
  applyEffectsAfter(db, tx, txId);
  if (tx.records?.sale) insertSale(db, tx.records.sale, txId);
  if (tx.records?.saleReturn) insertReturn(db, tx.records.saleReturn, txId);
  insertOtherRecords(db, tx.records, txId);
  run(
    db,
    'INSERT INTO outbox (tx_id, from_seq, to_seq, created_at) VALUES (?, ?, ?, ?)',
    txId,
    seqFrom,
    seqTo,
    nowIso,
  );
  return { replayed: false, response: tx.response, txId, seqFrom, seqTo };
}

function replay(db: Db, key: string, requestHash: string | null): CommitResult {
  const row = one<TxRow>(
    db,
    `SELECT t.id, t.request_hash, t.response, o.from_seq, o.to_seq
     FROM transactions t LEFT JOIN outbox o ON o.tx_id = t.id WHERE t.idempotency_key = ?`,
    key,
  );
  if (!row) throw new LedgerError('CONFLICT', `idempotency key ${key} vanished`);
  if (row.request_hash !== requestHash) {
    throw new LedgerError('CONFLICT', `idempotency key ${key} was used with another request`);
  }
  return {
    replayed: true,
    response: fromJson(row.response),
    txId: row.id,
    seqFrom: row.from_seq,
    seqTo: row.to_seq,
  };
}

/** One transaction, one fsync. IMMEDIATE takes the write lock up front (no upgrade deadlock). */
export function commit(db: Db, tx: LedgerCommit, now: () => Date = () => new Date()): CommitResult {
  return db.transaction(() => applyTransaction(db, tx, now().toISOString())).immediate();
}

/**
 * Group commit: many transactions, one SQLite transaction (one fsync). Each runs in its own
 * savepoint (better-sqlite3 nests transactions as savepoints), so a failing one is rolled back
 * alone and reported; the others commit.
 */
export function commitMany(db: Db, txs: LedgerCommit[], now: () => Date = () => new Date()): CommitOutcome[] {
  const nowIso = now().toISOString();
  const applyOne = db.transaction((tx: LedgerCommit) => applyTransaction(db, tx, nowIso));
  return db
    .transaction((): CommitOutcome[] =>
      txs.map((tx) => {
        try {
          return { ok: true, idempotencyKey: tx.idempotencyKey, result: applyOne(tx) };
        } catch (error) {
          return {
            ok: false,
            idempotencyKey: tx.idempotencyKey,
            error: error instanceof Error ? error : new Error(String(error)),
          };
        }
      }),
    )
    .immediate();
}
