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

const ENTRY_COLUMNS = `origin, device_id, store_id, seq, idempotency_key, tx_key, owner_type, owner_id, asset,
  bucket, kind, amount, qualifying, rule_id, meta, at, program_version`;
/** The rows of `$4` (one jsonb parameter, so there is no bind-parameter limit) as entries. */
const ENTRY_ROWS = `SELECT $1, $2, $3, x.seq, x.key, x."txKey", x."ownerType", x."ownerId", x.asset, x.bucket, x.kind,
    x.amount, x.qualifying, x."ruleId", x.meta, x.at::timestamptz, x."programVersion"
  FROM json_to_recordset($4::json) AS x(seq bigint, key text, "txKey" text, "ownerType" text,
    "ownerId" text, asset text, bucket text, kind text, amount bigint, qualifying bigint, "ruleId" text,
    meta jsonb, at text, "programVersion" integer)`;

type Origin = { kind: 'device'; deviceId: string; storeId: string } | { kind: 'hq' };

const entryParams = (origin: Origin, entries: readonly EntryInput[]) => [
  origin.kind,
  origin.kind === 'device' ? origin.deviceId : null,
  origin.kind === 'device' ? origin.storeId : null,
  JSON.stringify(entries),
];

/**
 * Inserts entries with ONE multi-row INSERT, skips the ones already there (idempotency:
 * UNIQUE (device_id, seq) and UNIQUE idempotency_key), and moves the members' balances by
 * what was really inserted, in the same statement. Must run inside a transaction; returns
 * what moved.
 */
export async function insertEntries(
  tx: SqlRunner,
  origin: Origin,
  entries: readonly EntryInput[],
): Promise<{ inserted: number; members: string[] }> {
  if (entries.length === 0) return { inserted: 0, members: [] };
  const rows = await tx.query<{ inserted: string | number; members: string[] | null }>(
    `WITH ins AS (
       INSERT INTO entries (${ENTRY_COLUMNS}) ${ENTRY_ROWS}
       ON CONFLICT DO NOTHING
       RETURNING owner_type, owner_id, asset, bucket, amount
     ), agg AS (
       SELECT owner_id AS member_id,
         COALESCE(SUM(amount) FILTER (WHERE asset = 'points'), 0) AS points,
         COALESCE(SUM(amount) FILTER (WHERE asset = 'credit'), 0) AS credit
       FROM ins WHERE owner_type = 'member' AND bucket = 'available' GROUP BY owner_id
     ), bal AS (
       INSERT INTO balances AS b (member_id, points, credit) SELECT member_id, points, credit FROM agg
       ORDER BY member_id
       ON CONFLICT (member_id) DO UPDATE SET points = b.points + excluded.points, credit = b.credit + excluded.credit
       RETURNING member_id
     )
     SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT array_agg(member_id) FROM bal) AS members`,
    entryParams(origin, entries),
  );
  const row = rows[0];
  return { inserted: num(row?.inserted), members: row?.members ?? [] };
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * `insertEntries` for entries that are expected to be new (a device's entries past its
 * ackedSeq, the device row locked): the same result, cheaper. A plain INSERT (no ON CONFLICT
 * and no RETURNING: speculative insertion and returned rows cost PGlite about as much as
 * the insert itself) under a savepoint, and the balances moved once per member from the
 * entries themselves. Should any entry already be there after all (an idempotency key sent
 * again under another seq), the savepoint is rolled back and `insertEntries` skips it: the
 * outcome is exactly `insertEntries`'.
 */
export async function insertNewEntries(
  tx: SqlRunner,
  origin: Origin,
  entries: readonly EntryInput[],
): Promise<{ inserted: number; members: string[] }> {
  if (entries.length === 0) return { inserted: 0, members: [] };
  await tx.query('SAVEPOINT new_entries');
  try {
    await tx.query(`INSERT INTO entries (${ENTRY_COLUMNS}) ${ENTRY_ROWS}`, entryParams(origin, entries));
  } catch (error) {
    if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT new_entries');
    await tx.query('RELEASE SAVEPOINT new_entries');
    return insertEntries(tx, origin, entries);
  }
  await tx.query('RELEASE SAVEPOINT new_entries');
  const moved = new Map<string, { points: number; credit: number }>();
  for (const e of entries) {
    if (e.ownerType !== 'member' || e.bucket !== 'available') continue;
    let m = moved.get(e.ownerId);
    if (!m) {
      m = { points: 0, credit: 0 };
      moved.set(e.ownerId, m);
    }
    m[e.asset] += e.amount;
  }
  // Sorted: concurrent batches (the `pg` driver) lock balance rows in one order.
  const members = [...moved.keys()].sort();
  if (members.length > 0)
    await tx.query(
      `INSERT INTO balances AS b (member_id, points, credit)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
       ON CONFLICT (member_id) DO UPDATE SET points = b.points + excluded.points, credit = b.credit + excluded.credit`,
      [members, members.map((m) => moved.get(m)?.points ?? 0), members.map((m) => moved.get(m)?.credit ?? 0)],
    );
  return { inserted: entries.length, members };
}

/** Appends change rows (docs/protocol.md §2 changes feed) under the changes lock, in cursor order. */
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
