/**
 * hq's check of every item of a ledger batch before its transaction (docs/sync.md:
 * quarantine). An item PostgreSQL would refuse (a date that does not exist, a NUL in a
 * string, a program version beyond INTEGER) would fail the whole batch, and with it every
 * later batch of that store, forever; instead it is kept in `quarantine` with the reason,
 * the rest lands, and the device hears of it in the ack (`quarantined[]`). The check is a
 * pure function of the batch, so a batch sent again gets the same report.
 */
import { instantProblem } from '../../gateway/src/core/instants.ts';
import type { LedgerBatch, WireCard, WireEntry, WireMember } from '../../gateway/src/sync/wire.ts';
import type { SqlDb, SqlRunner } from './db/sql.ts';
import { num } from './db/sql.ts';

export type QuarantineItem = 'entry' | 'member' | 'card';

/** What the ack tells the device about one item hq could not store. */
export interface QuarantineReport {
  item: QuarantineItem;
  /** The entry's device seq; absent for members and cards. */
  seq?: number;
  /** The entry's idempotency key, the member id or the card uid. */
  key: string;
  reason: string;
}

export interface CheckedBatch {
  entries: WireEntry[];
  members: WireMember[];
  cards: WireCard[];
  quarantined: Array<QuarantineReport & { body: unknown }>;
}

const INT4_MAX = 2_147_483_647;
/** A NUL (PostgreSQL text refuses it) or half a surrogate pair (jsonb refuses it). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL is the point.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** `text` with what PostgreSQL cannot store written as `\uXXXX`. */
const storable = (text: string): string =>
  text.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The path of the first string (or key) in `value` PostgreSQL cannot store, or null. */
function unstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = unstorable(v, `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE.test(k)) return `${path} (a key)`;
      const bad = unstorable(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return null;
}

const stringProblem = (value: unknown, path: string): string | null => {
  const bad = unstorable(value, path);
  return bad === null
    ? null
    : `${bad}: holds a NUL or a broken surrogate pair, which the database cannot store`;
};

const instantField = (value: string | null, path: string): string | null => {
  if (value === null) return null;
  const problem = instantProblem(value);
  return problem === null ? null : `${path}: ${JSON.stringify(value.slice(0, 40))} ${problem}`;
};

/** Why hq cannot store this entry, or null. */
export function entryProblem(e: WireEntry): string | null {
  return (
    instantField(e.at, 'at') ??
    (e.programVersion < 0 || e.programVersion > INT4_MAX
      ? `programVersion: ${e.programVersion} is out of range`
      : null) ??
    stringProblem({ key: e.key, txKey: e.txKey, owner: e.owner, kind: e.kind, ruleId: e.ruleId }, 'entry') ??
    stringProblem(e.meta, 'meta')
  );
}

export const memberProblem = (m: WireMember): string | null =>
  instantField(m.enrolledAt, 'enrolledAt') ?? stringProblem(m, 'member');

export const cardProblem = (c: WireCard): string | null =>
  instantField(c.expiresAt, 'expiresAt') ??
  instantField(c.createdAt, 'createdAt') ??
  stringProblem(c, 'card');

/** Splits a batch into what hq stores and what it quarantines, with the reason. */
export function checkBatch(batch: LedgerBatch): CheckedBatch {
  const out: CheckedBatch = { entries: [], members: [], cards: [], quarantined: [] };
  for (const e of batch.entries) {
    const reason = entryProblem(e);
    if (reason === null) out.entries.push(e);
    else out.quarantined.push({ item: 'entry', seq: e.seq, key: e.key, reason, body: e });
  }
  for (const m of batch.members ?? []) {
    const reason = memberProblem(m);
    if (reason === null) out.members.push(m);
    else out.quarantined.push({ item: 'member', key: m.id, reason, body: m });
  }
  for (const c of batch.cards ?? []) {
    const reason = cardProblem(c);
    if (reason === null) out.cards.push(c);
    else out.quarantined.push({ item: 'card', key: c.uid, reason, body: c });
  }
  return out;
}

/** Keeps the quarantined items (inside the ingest's transaction); one row per item, ever. */
export async function storeQuarantine(
  tx: SqlRunner,
  device: { deviceId: string; storeId: string },
  items: CheckedBatch['quarantined'],
): Promise<void> {
  if (items.length === 0) return;
  // JSON.stringify writes a NUL or a lone surrogate as the text `\u0000`, which TEXT holds.
  const rows = items.map((q) => ({
    item: q.item,
    seq: q.seq ?? null,
    key: storable(q.key),
    body: JSON.stringify(q.body),
    reason: storable(q.reason),
  }));
  await tx.query(
    `INSERT INTO quarantine (device_id, store_id, item, seq, key, body, reason)
     SELECT $1, $2, x.item, x.seq, x.key, x.body, x.reason
     FROM json_to_recordset($3::json) AS x(item text, seq bigint, key text, body text, reason text)
     ON CONFLICT DO NOTHING`,
    [device.deviceId, device.storeId, JSON.stringify(rows)],
  );
}

export interface QuarantineRow extends QuarantineReport {
  deviceId: string;
  storeId: string;
  body: string;
  quarantinedAt: string;
}

/** The management API's list (newest first), optionally for one device. */
export async function listQuarantine(
  db: SqlDb,
  deviceId: string | null,
  limit = 500,
): Promise<QuarantineRow[]> {
  const rows = await db.query<{
    device_id: string;
    store_id: string;
    item: QuarantineItem;
    seq: string | number | null;
    key: string;
    body: string;
    reason: string;
    quarantined_at: string | Date;
  }>(
    `SELECT device_id, store_id, item, seq, key, body, reason, quarantined_at FROM quarantine
     WHERE $1::text IS NULL OR device_id = $1 ORDER BY id DESC LIMIT $2`,
    [deviceId, limit],
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    storeId: r.store_id,
    item: r.item,
    ...(r.seq === null ? {} : { seq: num(r.seq) }),
    key: r.key,
    body: r.body,
    reason: r.reason,
    quarantinedAt: new Date(r.quarantined_at).toISOString(),
  }));
}
