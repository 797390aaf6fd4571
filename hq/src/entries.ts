import type { SqlRunner } from './db/sql.ts';
import { num } from './db/sql.ts';

/** A ledger entry as hq stores it (flattened owner). */
export interface EntryInput {
  seq: number | null;
  key: string;
  txKey: string;
  ownerType: 'member' | 'gift-card';
  ownerId: string;
  asset: 'points' | 'credit';
  bucket: 'available' | 'held' | 'debt';
  kind: string;
  amount: number;
  qualifying: number;
  ruleId: string | null;
  meta: Record<string, unknown> | null;
  at: string;
  programVersion: number;
}

/** Any constant: the one lock every writer of `changes` takes (see 001-init.sql). */
export const CHANGES_LOCK = 7_243_002;

/**
 * Inserts entries with ONE multi-row INSERT (rows passed as a single jsonb parameter, so
 * there is no bind-parameter limit), skips the ones already there (idempotency: UNIQUE
 * (device_id, seq) and UNIQUE idempotency_key), and moves the members' balances by what was
 * really inserted, in the same statement. Must run inside a transaction; returns what moved.
 */
export async function insertEntries(
  tx: SqlRunner,
  origin: { kind: 'device'; deviceId: string; storeId: string } | { kind: 'hq' },
  entries: readonly EntryInput[],
): Promise<{ inserted: number; members: string[] }> {
  if (entries.length === 0) return { inserted: 0, members: [] };
  const rows = await tx.query<{ inserted: string | number; members: string[] | null }>(
    `WITH ins AS (
       INSERT INTO entries (origin, device_id, store_id, seq, idempotency_key, tx_key, owner_type, owner_id, asset,
         bucket, kind, amount, qualifying, rule_id, meta, at, program_version)
       SELECT $1, $2, $3, x.seq, x.key, x."txKey", x."ownerType", x."ownerId", x.asset, x.bucket, x.kind, x.amount,
         x.qualifying, x."ruleId", x.meta, x.at::timestamptz, x."programVersion"
       FROM json_to_recordset($4::json) AS x(seq bigint, key text, "txKey" text, "ownerType" text,
         "ownerId" text, asset text, bucket text, kind text, amount bigint, qualifying bigint, "ruleId" text,
         meta jsonb, at text, "programVersion" integer)
       ON CONFLICT DO NOTHING
       RETURNING owner_type, owner_id, asset, bucket, amount
     ), agg AS (
       SELECT owner_id AS member_id,
         COALESCE(SUM(amount) FILTER (WHERE asset = 'points'), 0) AS points,
         COALESCE(SUM(amount) FILTER (WHERE asset = 'credit'), 0) AS credit
       FROM ins WHERE owner_type = 'member' AND bucket = 'available' GROUP BY owner_id
     ), bal AS (
       INSERT INTO balances AS b (member_id, points, credit) SELECT member_id, points, credit FROM agg
       ON CONFLICT (member_id) DO UPDATE SET points = b.points + excluded.points, credit = b.credit + excluded.credit
       RETURNING member_id
     )
     SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT array_agg(member_id) FROM bal) AS members`,
    [
      origin.kind,
      origin.kind === 'device' ? origin.deviceId : null,
      origin.kind === 'device' ? origin.storeId : null,
      JSON.stringify(entries),
    ],
  );
  const row = rows[0];
  return { inserted: num(row?.inserted), members: row?.members ?? [] };
}

/** Appends change rows (protocol.md §2 changes feed) under the changes lock, in cursor order. */
export async function addChanges(
  tx: SqlRunner,
  kind: 'member' | 'card' | 'balance' | 'program' | 'reward' | 'offer',
  keys: readonly string[],
  storeId: string | null = null,
): Promise<void> {
  if (keys.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CHANGES_LOCK]);
  await tx.query('INSERT INTO changes (kind, key, store_id) SELECT $1, k, $3 FROM unnest($2::text[]) AS k', [
    kind,
    [...keys],
    storeId,
  ]);
}
