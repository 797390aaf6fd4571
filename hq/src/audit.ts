import type { SqlDb } from './db/sql.ts';
import { num } from './db/sql.ts';

export interface Audit {
  ackedSeq: number;
  /** Every entry key hq holds from this device (docs/protocol.md §2: each exactly once). */
  keys: string[];
  balances: Record<string, { points: number; credit: number }>;
  /** Members whose stored balance differs from the sum of their entries (must be empty). */
  drift: string[];
}

/** Reconciliation of one device's upload, and of the balance projection against the entries. */
export async function audit(db: SqlDb, deviceId: string): Promise<Audit> {
  const acked = await db.query<{ acked_seq: string }>('SELECT acked_seq FROM devices WHERE id = $1', [
    deviceId,
  ]);
  const keys = await db.query<{ k: string }>(
    'SELECT idempotency_key AS k FROM entries WHERE device_id = $1 ORDER BY seq',
    [deviceId],
  );
  const balances = await db.query<{ member_id: string; points: string; credit: string }>(
    'SELECT member_id, points, credit FROM balances ORDER BY member_id',
  );
  const drift = await db.query<{ member_id: string }>(
    `SELECT b.member_id FROM balances b LEFT JOIN (
       SELECT owner_id, COALESCE(SUM(amount) FILTER (WHERE asset = 'points'), 0) AS p,
         COALESCE(SUM(amount) FILTER (WHERE asset = 'credit'), 0) AS c
       FROM entries WHERE owner_type = 'member' AND bucket = 'available' GROUP BY owner_id) e ON e.owner_id = b.member_id
     WHERE b.points <> COALESCE(e.p, 0) OR b.credit <> COALESCE(e.c, 0)`,
  );
  return {
    ackedSeq: num(acked[0]?.acked_seq),
    keys: keys.map((r) => r.k),
    balances: Object.fromEntries(
      balances.map((b) => [b.member_id, { points: num(b.points), credit: num(b.credit) }]),
    ),
    drift: drift.map((d) => d.member_id),
  };
}
