import {
  type LedgerBatch,
  type WireCard,
  type WireEntry,
  type WireMember,
  wireSale,
} from '../../gateway/src/sync/wire.ts';
import type { SqlDb, SqlRunner } from './db/sql.ts';
import { num } from './db/sql.ts';
import { addChanges, type EntryInput, insertNewEntries } from './entries.ts';
import { HqError } from './errors.ts';
import { checkBatch, type QuarantineReport, storeQuarantine } from './quarantine.ts';

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
 * in quarantine, acked and reported, so it never fails this batch or the later ones.
 */
export async function ingestBatch(
  db: SqlDb,
  device: { deviceId: string; storeId: string },
  batch: LedgerBatch,
  now: Date,
): Promise<IngestResult> {
  const checked = checkBatch(batch);
  const quarantined = checked.quarantined.map(({ body: _body, ...report }) => report);
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
    if (batch.toSeq <= acked) return { ackedSeq: acked, inserted: 0, duplicate: true, quarantined };
    const fresh: EntryInput[] = [];
    for (const e of checked.entries) {
      if (e.seq <= acked) continue;
      fresh.push({
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
    }
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
