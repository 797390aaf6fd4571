import type { ImportRow } from '../../gateway/src/import/columns.ts';
import { hashPinAsync, IMPORT_PIN_PARAMS } from '../../gateway/src/ledger/pins.ts';
import { checkProgram } from '../../gateway/src/program/check.ts';
import type { SqlDb } from './db/sql.ts';
import { num } from './db/sql.ts';
import { addChanges, type EntryInput, insertEntries } from './entries.ts';
import { HqError } from './errors.ts';

/**
 * Head-office management: everything here writes hq's tables and a change row in the same
 * transaction, so it flows down to the stores through the changes feed (docs/protocol.md §2).
 */

/** docs/program.md Cards and members: all-or-nothing; opening balances become hq-origin `opening` entries. */
export async function importMembers(
  db: SqlDb,
  rows: readonly ImportRow[],
  opts: { tier: string; at: string; programVersion: number },
): Promise<{ members: number; cards: number; openings: number }> {
  // PINs are hashed before the transaction (slow work never holds the database).
  const pinHashes = await Promise.all(
    rows.map((r) => (r.pin ? hashPinAsync(r.pin, IMPORT_PIN_PARAMS) : null)),
  );
  const firstRows = new Map<string, ImportRow>();
  for (const r of rows) if (!firstRows.has(r.memberId)) firstRows.set(r.memberId, r);
  const members = [...firstRows.values()].map((r) => ({
    id: r.memberId,
    firstName: r.firstName,
    lastName: r.lastName,
    phone: r.phone,
    email: r.email,
    birthDate: r.birthDate,
    anniversaryDate: r.anniversaryDate,
    language: r.language,
    customerGroup: r.customerGroup,
  }));
  const cards = rows.map((r, i) => ({
    uid: r.cardUid.toUpperCase(),
    memberId: r.memberId,
    pinHash: pinHashes[i],
  }));
  const openings: EntryInput[] = [];
  for (const r of firstRows.values()) {
    for (const [asset, amount] of [
      ['points', r.openingPoints],
      ['credit', r.openingCredit],
    ] as const) {
      if (amount === 0) continue;
      openings.push({
        seq: null,
        key: `hq/opening/${r.memberId}/${asset}`,
        txKey: `hq/import/${r.memberId}`,
        ownerType: 'member',
        ownerId: r.memberId,
        asset,
        bucket: 'available',
        kind: 'opening',
        amount,
        qualifying: 0,
        ruleId: null,
        meta: null,
        at: opts.at,
        programVersion: opts.programVersion,
      });
    }
  }
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO members AS m (id, first_name, last_name, phone, email, birth_date, anniversary_date, language,
         customer_group, tier, enrolled_at, updated_at)
       SELECT x.id, x."firstName", x."lastName", x.phone, x.email, x."birthDate", x."anniversaryDate", x.language,
         x."customerGroup", $2, $3, $3
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, "firstName" text, "lastName" text, phone text, email text,
         "birthDate" text, "anniversaryDate" text, language text, "customerGroup" text)
       ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
         phone = excluded.phone, email = excluded.email, birth_date = excluded.birth_date,
         anniversary_date = excluded.anniversary_date, language = excluded.language,
         customer_group = excluded.customer_group, updated_at = excluded.updated_at`,
      [JSON.stringify(members), opts.tier, opts.at],
    );
    await tx.query(
      `INSERT INTO cards AS c (uid, member_id, pin_hash, created_at)
       SELECT x.uid, x."memberId", x."pinHash", $2 FROM jsonb_to_recordset($1::jsonb) AS x(uid text, "memberId" text,
         "pinHash" text)
       ON CONFLICT (uid) DO UPDATE SET member_id = excluded.member_id, pin_hash = COALESCE(excluded.pin_hash, c.pin_hash)`,
      [JSON.stringify(cards), opts.at],
    );
    const moved = await insertEntries(tx, { kind: 'hq' }, openings);
    await addChanges(
      tx,
      'member',
      members.map((m) => m.id),
    );
    await addChanges(
      tx,
      'card',
      cards.map((c) => c.uid),
    );
    await addChanges(tx, 'balance', moved.members);
    return { members: members.length, cards: cards.length, openings: moved.inserted };
  });
}

/** Publishes a program validated with checkProgram; its version must increase (docs/program.md: version). */
export async function publishProgram(
  db: SqlDb,
  value: unknown,
  operator: string | null,
): Promise<{ version: number; rewards: number }> {
  const checked = checkProgram(value);
  if (!checked.ok)
    throw new HqError('PROGRAM_INVALID', checked.problems.map((p) => `${p.path}: ${p.message}`).join('\n'), {
      problems: checked.problems,
    });
  const program = checked.program;
  return db.transaction(async (tx) => {
    const latest = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM programs');
    const current = latest[0]?.v ?? null;
    if (current !== null && program.version <= num(current))
      throw new HqError(
        'PROGRAM_VERSION',
        `version ${program.version} is not above the published ${current}`,
      );
    await tx.query('INSERT INTO programs (version, body, published_by) VALUES ($1, $2, $3)', [
      program.version,
      JSON.stringify(value),
      operator,
    ]);
    const rewards = program.rewards ?? [];
    await tx.query(
      `INSERT INTO rewards AS r (id, body, active) SELECT x.id, x.body, true
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, body jsonb)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, active = true`,
      [JSON.stringify(rewards.map((r) => ({ id: r.id, body: r })))],
    );
    const dropped = await tx.query<{ id: string }>(
      'UPDATE rewards SET active = false WHERE active AND NOT (id = ANY($1)) RETURNING id',
      [rewards.map((r) => r.id)],
    );
    await addChanges(tx, 'program', [String(program.version)]);
    await addChanges(tx, 'reward', [...rewards.map((r) => r.id), ...dropped.map((d) => d.id)]);
    return { version: program.version, rewards: rewards.length };
  });
}

export async function setCardStatus(
  db: SqlDb,
  uid: string,
  status: 'active' | 'suspended' | 'blocked' | 'locked' | 'expired',
): Promise<void> {
  await db.transaction(async (tx) => {
    const r = await tx.query('UPDATE cards SET status = $2 WHERE uid = $1 RETURNING uid', [
      uid.toUpperCase(),
      status,
    ]);
    if (r.length === 0) throw new HqError('CARD_UNKNOWN', `no card ${uid}`);
    await addChanges(tx, 'card', [uid.toUpperCase()]);
  });
}

export interface Adjustment {
  /** Idempotency: the same key never posts twice. */
  key: string;
  memberId: string;
  asset: 'points' | 'credit';
  amount: number;
  reason: string;
  operator: string;
  at: string;
}

/** docs/program.md: manual adjustments need a reason code and an operator id, and are reported apart. */
export async function adjustBalance(
  db: SqlDb,
  adj: Adjustment,
): Promise<{ posted: boolean; balance: number }> {
  return db.transaction(async (tx) => {
    const m = await tx.query('SELECT 1 FROM members WHERE id = $1', [adj.memberId]);
    if (m.length === 0) throw new HqError('MEMBER_UNKNOWN', `no member ${adj.memberId}`);
    await tx.query('INSERT INTO balances (member_id) VALUES ($1) ON CONFLICT DO NOTHING', [adj.memberId]);
    const b = await tx.query<{ points: string; credit: string }>(
      'SELECT points, credit FROM balances WHERE member_id = $1 FOR UPDATE',
      [adj.memberId],
    );
    const before = num(adj.asset === 'points' ? b[0]?.points : b[0]?.credit);
    if (before + adj.amount < 0)
      throw new HqError('INVALID_REQUEST', `the adjustment would make the ${adj.asset} balance negative`);
    const moved = await insertEntries(tx, { kind: 'hq' }, [
      {
        seq: null,
        key: `hq/adjust/${adj.key}`,
        txKey: `hq/adjust/${adj.key}`,
        ownerType: 'member',
        ownerId: adj.memberId,
        asset: adj.asset,
        bucket: 'available',
        kind: 'adjust',
        amount: adj.amount,
        qualifying: 0,
        ruleId: null,
        meta: { reason: adj.reason, operator: adj.operator },
        at: adj.at,
        programVersion: 0,
      },
    ]);
    await addChanges(tx, 'balance', moved.members);
    return { posted: moved.inserted === 1, balance: before + (moved.inserted === 1 ? adj.amount : 0) };
  });
}
