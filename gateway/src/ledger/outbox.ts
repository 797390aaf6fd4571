import { ownerFromRow } from './owner.ts';
import { all, type Db, one, run } from './sql.ts';
import type { EntryRow } from './types.ts';

/** One committed transaction waiting for head office (docs/protocol.md §2: ledger batches). */
export interface OutboxItem {
  outboxId: number;
  txId: number;
  idempotencyKey: string;
  type: string;
  at: string;
  fromSeq: number | null;
  toSeq: number | null;
  createdAt: string;
  entries: EntryRow[];
}

interface RawEntry {
  seq: number;
  tx_id: number;
  idempotency_key: string;
  owner_type: string;
  owner_id: string;
  asset: EntryRow['asset'];
  bucket: EntryRow['bucket'];
  kind: string;
  amount: number;
  lot_id: number | null;
  hold_id: string | null;
  qualifying: number;
  rule_id: string | null;
  meta: string | null;
  at: string;
  program_version: number;
}

const ENTRY_COLUMNS = `e.seq, e.tx_id, t.idempotency_key, e.owner_type, e.owner_id, e.asset, e.bucket, e.kind,
  e.amount, e.lot_id, e.hold_id, e.qualifying, e.rule_id, e.meta, e.at, e.program_version`;
const ENTRY_SELECT = `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN transactions t ON t.id = e.tx_id`;

function toEntry(r: RawEntry): EntryRow {
  return {
    seq: r.seq,
    txId: r.tx_id,
    idempotencyKey: r.idempotency_key,
    owner: ownerFromRow(r.owner_type, r.owner_id),
    asset: r.asset,
    bucket: r.bucket,
    kind: r.kind,
    amount: r.amount,
    lotId: r.lot_id,
    holdId: r.hold_id,
    qualifying: r.qualifying,
    ruleId: r.rule_id,
    meta: r.meta === null ? null : (JSON.parse(r.meta) as Record<string, unknown>),
    at: r.at,
    programVersion: r.program_version,
  };
}

/**
 * Entries in device-sequence order after `afterSeq` and at most `ceiling` (the sync batch
 * body; the ledger passes its durable watermark, ledger/durable-seq.ts). A sale's entries
 * carry the sale's id and total, for head office's average check (docs/sync.md).
 */
export function entriesAfter(
  db: Db,
  afterSeq: number,
  limit: number,
  ceiling = Number.MAX_SAFE_INTEGER,
): EntryRow[] {
  return all<RawEntry & { sale_id: string | null; sale_total: number | null }>(
    db,
    `SELECT ${ENTRY_COLUMNS}, s.sale_id, json_extract(s.record, '$.total') AS sale_total
     FROM entries e JOIN transactions t ON t.id = e.tx_id
     LEFT JOIN sales s ON t.type = 'sale' AND s.sale_id = t.ref
     WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?`,
    afterSeq,
    ceiling,
    limit,
  ).map((r) => ({
    ...toEntry(r),
    sale: r.sale_id === null || r.sale_total === null ? null : { saleId: r.sale_id, total: r.sale_total },
  }));
}

export function entriesOfOwner(
  db: Db,
  owner: { member: string } | { giftCard: string },
  limit = 1000,
): EntryRow[] {
  const [type, id] = 'member' in owner ? ['member', owner.member] : ['gift-card', owner.giftCard];
  return all<RawEntry>(
    db,
    `${ENTRY_SELECT} WHERE e.owner_type = ? AND e.owner_id = ? ORDER BY e.seq DESC LIMIT ?`,
    type,
    id,
    limit,
  )
    .map(toEntry)
    .reverse();
}

/** Unsent outbox rows, oldest first (= sequence order, since commits are serial), with their entries. */
export function readUnsent(db: Db, limit = 100): OutboxItem[] {
  const rows = all<{
    id: number;
    tx_id: number;
    idempotency_key: string;
    type: string;
    at: string;
    from_seq: number | null;
    to_seq: number | null;
    created_at: string;
  }>(
    db,
    `SELECT o.id, o.tx_id, t.idempotency_key, t.type, t.at, o.from_seq, o.to_seq, o.created_at
     FROM outbox o JOIN transactions t ON t.id = o.tx_id WHERE o.sent_at IS NULL ORDER BY o.id LIMIT ?`,
    limit,
  );
  return rows.map((r) => ({
    outboxId: r.id,
    txId: r.tx_id,
    idempotencyKey: r.idempotency_key,
    type: r.type,
    at: r.at,
    fromSeq: r.from_seq,
    toSeq: r.to_seq,
    createdAt: r.created_at,
    entries: all<RawEntry>(db, `${ENTRY_SELECT} WHERE e.tx_id = ? ORDER BY e.seq`, r.tx_id).map(toEntry),
  }));
}

/** Marks outbox rows sent (head office acknowledged them). Already-acked rows are left alone. */
export function markSent(db: Db, outboxIds: number[], at: string): number {
  return db
    .transaction(() => {
      let n = 0;
      for (const id of outboxIds)
        n += run(db, 'UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL', at, id).changes;
      return n;
    })
    .immediate();
}

/**
 * docs/protocol.md: head office answers `{ackedSeq}`. Marks every transaction up to the one that
 * holds `ackedSeq` (entry-less transactions before it included) as sent.
 */
export function markAckedThrough(db: Db, ackedSeq: number, at: string): number {
  // The transaction of the last acked entry, found through the entries' primary key (no scan).
  const last = one<{ tx_id: number }>(
    db,
    'SELECT tx_id FROM entries WHERE seq <= ? ORDER BY seq DESC LIMIT 1',
    ackedSeq,
  );
  if (!last) return 0;
  return run(db, 'UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL AND tx_id <= ?', at, last.tx_id)
    .changes;
}

export function pendingCount(db: Db): number {
  return one<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL')?.n ?? 0;
}

export function lastSeq(db: Db): number {
  return one<{ s: number | null }>(db, 'SELECT MAX(seq) AS s FROM entries')?.s ?? 0;
}

/** The durable watermark's mark (durable-seq.ts): the last entry seq, member and card rowids. */
export function durableMark(db: Db): { seq: number; member: number; card: number } {
  const row = one<{ s: number | null; m: number | null; c: number | null }>(
    db,
    `SELECT (SELECT MAX(seq) FROM entries) AS s, (SELECT MAX(rowid) FROM members) AS m,
       (SELECT MAX(rowid) FROM cards) AS c`,
  );
  return { seq: row?.s ?? 0, member: row?.m ?? 0, card: row?.c ?? 0 };
}
