import { all, type Db } from './sql.ts';
import type { VerifyProblem } from './types.ts';

/**
 * `ledger verify`: recomputes every projection from the append-only entries and reports
 * drift. Empty list = clean. Read-only; runs in one read transaction so it sees one snapshot.
 */
export function verify(db: Db): VerifyProblem[] {
  return db.transaction(() => [
    ...integrity(db),
    ...balanceDrift(db),
    ...lotDrift(db),
    ...lotsVsBalances(db),
    ...outboxGaps(db),
    ...holdDrift(db),
  ])();
}

function integrity(db: Db): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const quick = db.pragma('quick_check', { simple: true });
  if (quick !== 'ok') problems.push({ code: 'INTEGRITY', message: `quick_check: ${String(quick)}` });
  for (const fk of db.pragma('foreign_key_check') as Array<{
    table: string;
    rowid: number;
    parent: string;
  }>) {
    problems.push({
      code: 'INTEGRITY',
      message: `${fk.table} row ${fk.rowid} references a missing ${fk.parent}`,
    });
  }
  return problems;
}

function balanceDrift(db: Db): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const r of all<{
    owner_type: string;
    owner_id: string;
    asset: string;
    bucket: string;
    stored: number | null;
    computed: number | null;
  }>(
    db,
    `WITH sums AS (
       SELECT owner_type, owner_id, asset, bucket, SUM(amount) AS computed FROM entries
       GROUP BY owner_type, owner_id, asset, bucket)
     SELECT s.owner_type, s.owner_id, s.asset, s.bucket, b.amount AS stored, s.computed FROM sums s
       LEFT JOIN balances b USING (owner_type, owner_id, asset, bucket)
       WHERE b.amount IS NOT s.computed AND NOT (b.amount IS NULL AND s.computed = 0)
     UNION ALL
     SELECT b.owner_type, b.owner_id, b.asset, b.bucket, b.amount, NULL FROM balances b
       WHERE NOT EXISTS (SELECT 1 FROM sums s WHERE s.owner_type = b.owner_type AND s.owner_id = b.owner_id
         AND s.asset = b.asset AND s.bucket = b.bucket) AND b.amount <> 0`,
  )) {
    problems.push({
      code: 'BALANCE_DRIFT',
      message: `${r.owner_type} ${r.owner_id} ${r.asset}/${r.bucket}: stored ${r.stored ?? 0}, entries sum to ${r.computed ?? 0}`,
    });
  }
  for (const r of all<{ owner_id: string; asset: string; bucket: string; amount: number }>(
    db,
    'SELECT owner_id, asset, bucket, amount FROM balances WHERE amount < 0',
  )) {
    problems.push({
      code: 'NEGATIVE_BALANCE',
      message: `${r.owner_id} ${r.asset}/${r.bucket} is ${r.amount}`,
    });
  }
  return problems;
}

/**
 * A lot's remaining = the sum of the entries that name it (its creating posting included)
 * and of those naming the lots merged into it; a merged lot holds nothing itself and names
 * a live lot (docs/ledger.md: Merged lots). One pass over entries, each finding its lot by
 * key, not a lookup of entries per lot.
 */
function lotDrift(db: Db): VerifyProblem[] {
  const problems: VerifyProblem[] = all<{ id: number; remaining: number; computed: number | null }>(
    db,
    `WITH sums AS MATERIALIZED (
       SELECT COALESCE(l.merged_into, l.id) AS id, SUM(e.amount) AS computed
       FROM entries e JOIN lots l ON l.id = e.lot_id WHERE e.lot_id IS NOT NULL GROUP BY 1)
     SELECT l.id, l.remaining, s.computed FROM sums s JOIN lots l ON l.id = s.id
     WHERE l.remaining <> s.computed OR l.merged_into IS NOT NULL
     UNION ALL
     SELECT l.id, l.remaining, NULL FROM lots l
     WHERE l.merged_into IS NULL AND l.remaining <> 0 AND l.id NOT IN (SELECT id FROM sums)`,
  ).map((r) => ({
    code: 'LOT_DRIFT',
    message: `lot ${r.id}: remaining ${r.remaining}, entries sum to ${r.computed ?? 0}`,
  }));
  for (const r of all<{ id: number; remaining: number; merged: number }>(
    db,
    `SELECT l.id, l.remaining, l.merged_into AS merged FROM lots l LEFT JOIN lots t ON t.id = l.merged_into
     WHERE l.merged_into IS NOT NULL AND (l.remaining <> 0 OR t.id IS NULL OR t.merged_into IS NOT NULL)`,
  )) {
    problems.push({
      code: 'LOT_DRIFT',
      message: `lot ${r.id} was merged into lot ${r.merged}, yet holds ${r.remaining} or lot ${r.merged} is not live`,
    });
  }
  return problems;
}

function lotsVsBalances(db: Db): VerifyProblem[] {
  return all<{ owner_id: string; asset: string; lots: number; available: number }>(
    db,
    `WITH l AS (SELECT owner_type, owner_id, asset, SUM(remaining) AS lots FROM lots GROUP BY owner_type, owner_id, asset)
     SELECT l.owner_id, l.asset, l.lots, COALESCE(b.amount, 0) AS available FROM l
       LEFT JOIN balances b ON b.owner_type = l.owner_type AND b.owner_id = l.owner_id AND b.asset = l.asset
         AND b.bucket = 'available'
     WHERE l.lots <> COALESCE(b.amount, 0)`,
  ).map((r) => ({
    code: 'LOTS_VS_BALANCE',
    message: `${r.owner_id} ${r.asset}: lots hold ${r.lots}, available balance is ${r.available}`,
  }));
}

function outboxGaps(db: Db): VerifyProblem[] {
  const problems: VerifyProblem[] = all<{ id: number; idempotency_key: string }>(
    db,
    'SELECT t.id, t.idempotency_key FROM transactions t LEFT JOIN outbox o ON o.tx_id = t.id WHERE o.id IS NULL',
  ).map((r) => ({
    code: 'OUTBOX_MISSING',
    message: `transaction ${r.id} (${r.idempotency_key}) has no outbox row`,
  }));
  for (const r of all<{
    tx_id: number;
    from_seq: number | null;
    to_seq: number | null;
    lo: number | null;
    hi: number | null;
  }>(
    db,
    `SELECT o.tx_id, o.from_seq, o.to_seq, MIN(e.seq) AS lo, MAX(e.seq) AS hi
     FROM outbox o LEFT JOIN entries e ON e.tx_id = o.tx_id GROUP BY o.id
     HAVING o.from_seq IS NOT lo OR o.to_seq IS NOT hi`,
  )) {
    problems.push({
      code: 'OUTBOX_RANGE',
      message: `transaction ${r.tx_id}: outbox ${r.from_seq}..${r.to_seq}, entries ${r.lo}..${r.hi}`,
    });
  }
  return problems;
}

/** Hold state agrees with the held bucket: open holds hold ≥ 0, closed ones nothing. */
function holdDrift(db: Db): VerifyProblem[] {
  const problems: VerifyProblem[] = all<{ hold_id: string; status: string; held: number }>(
    db,
    `SELECT h.hold_id, h.status, COALESCE((SELECT SUM(e.amount) FROM entries e WHERE e.hold_id = h.hold_id), 0) AS held
     FROM holds h WHERE held < 0 OR (h.status <> 'open' AND held <> 0)`,
  ).map((r) => ({ code: 'HOLD_DRIFT', message: `hold ${r.hold_id} (${r.status}) holds ${r.held}` }));
  for (const r of all<{ owner_id: string; held: number; balance: number }>(
    db,
    `SELECT e.owner_id, SUM(e.amount) AS held, COALESCE(b.amount, 0) AS balance FROM entries e
       LEFT JOIN balances b ON b.owner_type = e.owner_type AND b.owner_id = e.owner_id AND b.asset = e.asset AND b.bucket = 'held'
     WHERE e.bucket = 'held' AND e.hold_id IS NULL GROUP BY e.owner_type, e.owner_id, e.asset`,
  )) {
    problems.push({ code: 'HOLD_DRIFT', message: `${r.owner_id}: ${r.held} held outside any hold` });
  }
  return problems;
}
