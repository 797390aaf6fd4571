import {
  type LedgerBatch,
  type WireCard,
  type WireEntry,
  type WireMember,
  wireSale,
} from '../../gateway/src/sync/wire.ts';
import type { SqlDb, SqlRunner } from './db/sql.ts';
import { num } from './db/sql.ts';
import { addChanges, type EntryInput, insertEntries, insertNewEntries } from './entries.ts';
import { HqError } from './errors.ts';
import { type CheckedBatch, checkBatch, type QuarantineReport, storeQuarantine } from './quarantine.ts';

export interface IngestResult {
  ackedSeq: number;
  inserted: number;
  duplicate: boolean;
  /** What of this batch hq could not store and keeps in quarantine (docs/sync.md), for the ack. */
  quarantined: QuarantineReport[];
}

/**
 * docs/protocol.md §2 `POST /v1/devices/{id}/ledger`, in ONE database transaction:
 * - the device row is locked first, so two uploads of one device never interleave;
 * - an already-acked batch gets the same answer (`{ackedSeq}`), nothing written;
 * - a gap (`fromSeq > ackedSeq + 1`) is refused with the ackedSeq to resume from;
 * - an overlapping batch (a retry after a lost answer) writes only what lies past ackedSeq.
 * A SIGKILL anywhere leaves either the whole batch and its ack, or neither.
 * Every item is checked before the transaction (quarantine.ts): one hq cannot store is kept
 * in quarantine, acked and reported, so it never fails this batch or the later ones. Should
 * the database still refuse one, `findRefused` finds it and it is quarantined the same way.
 */
export async function ingestBatch(
  db: SqlDb,
  device: { deviceId: string; storeId: string },
  batch: LedgerBatch,
  now: Date,
): Promise<IngestResult> {
  const checked = checkBatch(batch);
  try {
    return await ingestChecked(db, device, batch, checked, now);
  } catch (error) {
    if (!refusedByDatabase(error)) throw error;
    // The database refused something the check does not know of: find which items, keep
    // them in quarantine like the others, and take the rest, rather than fail forever.
    const tried = await findRefused(db, device, checked);
    if (tried.quarantined.length === checked.quarantined.length) throw error;
    // Every entry of a batch refused says more about hq's database than about the entries
    // (a constraint gone wrong): the batch fails and is sent again, nothing is quarantined.
    if (tried.entries.length === 0 && checked.entries.length > 1) throw error;
    return ingestChecked(db, device, batch, tried, now);
  }
}

/**
 * `reports` plus the quarantined entries hq already holds from the batch's first seq up to
 * what the answer acks (the device adopts hq's ackedSeq, so a range whose answer was lost is
 * reported on the re-send that jumps over it). At most 1000, the first ones.
 */
async function withStored(
  tx: SqlRunner,
  deviceId: string,
  batch: LedgerBatch,
  acked: number,
  reports: QuarantineReport[],
): Promise<QuarantineReport[]> {
  const rows = await tx.query<{ seq: string | number; key: string; reason: string }>(
    `SELECT seq, key, reason FROM quarantine
     WHERE device_id = $1 AND item = 'entry' AND seq BETWEEN $2 AND $3 ORDER BY seq LIMIT 1000`,
    [deviceId, batch.fromSeq, Math.max(batch.toSeq, acked)],
  );
  const known = new Set(reports.flatMap((r) => (r.seq === undefined ? [] : [r.seq])));
  const stored = rows
    .map((r) => ({ item: 'entry' as const, seq: num(r.seq), key: r.key, reason: r.reason }))
    .filter((r) => !known.has(r.seq));
  if (stored.length === 0) return reports;
  return [...reports, ...stored].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** PostgreSQL's refusals of a value (data exceptions, NOT NULL, foreign key, CHECK, limits). */
const refusedByDatabase = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (/^(22|54)/.test(code) || ['23502', '23503', '23514'].includes(code));
};

const toEntryInput = (e: WireEntry): EntryInput => ({
  seq: e.seq,
  key: e.key,
  txKey: e.txKey,
  ownerType: 'member' in e.owner ? 'member' : 'gift-card',
  ownerId: 'member' in e.owner ? e.owner.member : e.owner.giftCard,
  asset: e.asset,
  bucket: e.bucket,
  kind: e.kind,
  amount: e.amount,
  qualifying: e.qualifying,
  ruleId: e.ruleId,
  meta: e.meta,
  at: e.at,
  programVersion: e.programVersion,
});

const TRIAL_DONE = new Error('trial ingest rolled back');

/**
 * Tries every item of the batch on its own, under a savepoint, in a transaction that is
 * always rolled back: the items the database refuses join the quarantine with its message.
 */
async function findRefused(
  db: SqlDb,
  device: { deviceId: string; storeId: string },
  checked: CheckedBatch,
): Promise<CheckedBatch> {
  const out: CheckedBatch = { entries: [], members: [], cards: [], quarantined: [...checked.quarantined] };
  const attempt = async (
    tx: SqlRunner,
    item: Omit<CheckedBatch['quarantined'][number], 'reason'>,
    run: () => Promise<unknown>,
  ): Promise<boolean> => {
    await tx.query('SAVEPOINT trial');
    try {
      await run();
      await tx.query('RELEASE SAVEPOINT trial');
      return true;
    } catch (error) {
      if (!refusedByDatabase(error)) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT trial');
      await tx.query('RELEASE SAVEPOINT trial');
      out.quarantined.push({ ...item, reason: `the database refused it: ${(error as Error).message}` });
      return false;
    }
  };
  await db
    .transaction(async (tx) => {
      for (const m of checked.members)
        if (
          await attempt(tx, { item: 'member', key: m.id, body: m }, () =>
            storeMembers(tx, { members: [m], cards: [] }),
          )
        )
          out.members.push(m);
      for (const c of checked.cards)
        if (
          await attempt(tx, { item: 'card', key: c.uid, body: c }, () =>
            storeMembers(tx, { members: [], cards: [c] }),
          )
        )
          out.cards.push(c);
      for (const e of checked.entries) {
        const insert = async () => {
          await insertEntries(tx, { kind: 'device', ...device }, [toEntryInput(e)]);
          await storeSales(tx, device, [e], 0);
        };
        if (await attempt(tx, { item: 'entry', seq: e.seq, key: e.key, body: e }, insert))
          out.entries.push(e);
      }
      throw TRIAL_DONE;
    })
    .catch((error: unknown) => {
      if (error !== TRIAL_DONE) throw error;
    });
  return out;
}

async function ingestChecked(
  db: SqlDb,
  device: { deviceId: string; storeId: string },
  batch: LedgerBatch,
  checked: CheckedBatch,
  now: Date,
): Promise<IngestResult> {
  const checkedReports = checked.quarantined.map(({ body: _body, ...report }) => report);
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ acked_seq: string | number }>(
      'SELECT acked_seq FROM devices WHERE id = $1 FOR UPDATE',
      [device.deviceId],
    );
    if (rows.length === 0) throw new HqError('NOT_FOUND', `no device ${device.deviceId}`);
    const acked = num(rows[0]?.acked_seq);
    if (batch.fromSeq > acked + 1)
      throw new HqError('SEQ_GAP', `batch starts at ${batch.fromSeq}, acked is ${acked}`, {
        ackedSeq: acked,
      });
    // Members enrolled at the store: stored whenever hq answers with an ack (a duplicate
    // too), since the device marks them sent on any ack.
    await storeMembers(tx, checked);
    await storeQuarantine(
      tx,
      device,
      checked.quarantined.filter((q) => q.seq === undefined || q.seq > acked),
    );
    // The ack names every quarantined entry of the batch's range, also those the database
    // refused when it came first (a re-send after a lost answer hears of them too).
    const quarantined = await withStored(tx, device.deviceId, batch, acked, checkedReports);
    if (batch.toSeq <= acked) return { ackedSeq: acked, inserted: 0, duplicate: true, quarantined };
    const fresh = checked.entries.filter((e) => e.seq > acked).map(toEntryInput);
    const moved = await insertNewEntries(tx, { kind: 'device', ...device }, fresh);
    await storeSales(tx, device, checked.entries, acked);
    await tx.query('UPDATE devices SET acked_seq = $2, last_seen_at = $3 WHERE id = $1', [
      device.deviceId,
      batch.toSeq,
      now.toISOString(),
    ]);
    // Every store hears of the new balances; the sender too, with a fresh includesDeviceSeq.
    await addChanges(tx, 'balance', moved.members);
    return { ackedSeq: batch.toSeq, inserted: moved.inserted, duplicate: false, quarantined };
  });
}

export async function deviceAckedSeq(db: SqlDb, deviceId: string): Promise<number> {
  const rows = await db.query<{ acked_seq: string }>('SELECT acked_seq FROM devices WHERE id = $1', [
    deviceId,
  ]);
  return num(rows[0]?.acked_seq);
}

/** hq's own data wins: a member or card hq already has is left alone (DO NOTHING). */
async function storeMembers(
  tx: SqlRunner,
  batch: { members: readonly WireMember[]; cards: readonly WireCard[] },
): Promise<void> {
  if (batch.members.length) {
    const added = await tx.query<{ id: string }>(
      `INSERT INTO members (id, first_name, last_name, phone, email, birth_date, anniversary_date, language,
         customer_group, tier, enrolled_at)
       SELECT x.id, x."firstName", x."lastName", x.phone, x.email, x."birthDate", x."anniversaryDate", x.language,
         x."customerGroup", x.tier, x."enrolledAt"::timestamptz
       FROM json_to_recordset($1::json) AS x(id text, "firstName" text, "lastName" text, phone text, email text,
         "birthDate" text, "anniversaryDate" text, language text, "customerGroup" text, tier text, "enrolledAt" text)
       ON CONFLICT DO NOTHING RETURNING id`,
      [JSON.stringify(batch.members)],
    );
    await addChanges(
      tx,
      'member',
      added.map((r) => r.id),
    );
  }
  if (batch.cards.length) {
    const added = await tx.query<{ uid: string }>(
      `INSERT INTO cards (uid, number, member_id, status, expires_at, pin_hash, created_at)
       SELECT upper(x.uid), x.number, x."memberId", x.status, x."expiresAt"::timestamptz, x."pinHash", x."createdAt"::timestamptz
       FROM json_to_recordset($1::json) AS x(uid text, number text, "memberId" text, status text, "expiresAt" text,
         "pinHash" text, "createdAt" text)
       WHERE EXISTS (SELECT 1 FROM members m WHERE m.id = x."memberId")
       ON CONFLICT DO NOTHING RETURNING uid`,
      [JSON.stringify(batch.cards)],
    );
    await addChanges(
      tx,
      'card',
      added.map((r) => r.uid),
    );
  }
}

/**
 * The sales the fresh entries carry (`meta.sale`, wire.ts wireSale), one row per
 * transaction: ON CONFLICT DO NOTHING, so a sale whose entries span two batches, or a batch
 * sent again, is stored once. A `meta.sale` that is not a wireSale is left in the entry's
 * meta and not counted as a sale.
 */
async function storeSales(
  tx: SqlRunner,
  device: { deviceId: string; storeId: string },
  entries: readonly WireEntry[],
  acked: number,
): Promise<void> {
  const sales = new Map<string, Record<string, unknown>>();
  for (const e of entries) {
    const sale = e.meta?.sale;
    if (sale === undefined || e.seq <= acked) continue;
    const known = sales.get(e.txKey);
    const member = 'member' in e.owner ? e.owner.member : null;
    if (known) {
      known.memberId ??= member;
      continue;
    }
    const parsed = wireSale.safeParse(sale);
    if (!parsed.success) continue;
    sales.set(e.txKey, {
      txKey: e.txKey,
      saleId: parsed.data.saleId,
      memberId: member,
      total: parsed.data.total,
      currency: parsed.data.currency ?? null,
      at: e.at,
    });
  }
  if (sales.size === 0) return;
  await tx.query(
    `INSERT INTO sales (device_id, store_id, tx_key, sale_id, member_id, total, currency, at)
     SELECT $1, $2, x."txKey", x."saleId", x."memberId", x.total, x.currency, x.at::timestamptz
     FROM json_to_recordset($3::json) AS x("txKey" text, "saleId" text, "memberId" text, total bigint,
       currency text, at text)
     ON CONFLICT DO NOTHING`,
    [device.deviceId, device.storeId, JSON.stringify([...sales.values()])],
  );
}
