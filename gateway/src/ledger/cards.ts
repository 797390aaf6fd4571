import { insertCard, insertMember } from './effects.ts';
import { LedgerError } from './errors.ts';
import { hashPinAsync, needsRehash, PIN_PARAMS, pinMatchesAsync, type ScryptParams } from './pins.ts';
import { all, type Db, one, run } from './sql.ts';
import type { Card, CardRef, CardStatus, Member, NewCard, NewMember } from './types.ts';

interface CardRow {
  uid: string;
  number: string | null;
  member_id: string;
  status: CardStatus;
  expires_at: string | null;
  pin_hash: string | null;
  pin_failures: number;
  created_at: string;
}

interface MemberRow {
  id: string;
  first_name: string;
  last_name: string | null;
  phone: string | null;
  email: string | null;
  birth_date: string | null;
  anniversary_date: string | null;
  language: string;
  customer_group: string | null;
  tier: string;
  tier_since: string | null;
  referrer_id: string | null;
  enrolled_at: string;
  last_sale_at: string | null;
}

const CARD_COLUMNS =
  'c.uid, c.number, c.member_id, c.status, c.expires_at, c.pin_hash, c.pin_failures, c.created_at';

function toCard(r: CardRow): Card {
  return {
    uid: r.uid,
    number: r.number,
    memberId: r.member_id,
    status: r.status,
    expiresAt: r.expires_at,
    hasPin: r.pin_hash !== null,
    pinFailures: r.pin_failures,
    createdAt: r.created_at,
  };
}

export function toMember(r: MemberRow): Member {
  return {
    id: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    email: r.email,
    birthDate: r.birth_date,
    anniversaryDate: r.anniversary_date,
    language: r.language,
    customerGroup: r.customer_group,
    tier: r.tier,
    tierSince: r.tier_since,
    referrerId: r.referrer_id,
    enrolledAt: r.enrolled_at,
    lastSaleAt: r.last_sale_at,
  };
}

export function getMemberRow(db: Db, id: string): MemberRow | undefined {
  return one<MemberRow>(db, 'SELECT * FROM members WHERE id = ?', id);
}

export function getMember(db: Db, id: string): Member | null {
  const r = getMemberRow(db, id);
  return r ? toMember(r) : null;
}

/** Adds a member (and its cards) outside a posting transaction; enrolments with a bonus use commit's effects. */
export function addMember(db: Db, member: NewMember, cards: NewCard[] = []): void {
  db.transaction(() => {
    insertMember(db, member);
    for (const c of cards) insertCard(db, c);
  }).immediate();
}

/** Details a member may change (from the till, the kiosk or head office's changes feed). */
export type MemberPatch = Partial<
  Pick<
    NewMember,
    | 'firstName'
    | 'lastName'
    | 'phone'
    | 'email'
    | 'birthDate'
    | 'anniversaryDate'
    | 'language'
    | 'customerGroup'
  >
>;

const PATCH_COLUMNS: Record<keyof MemberPatch, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone',
  email: 'email',
  birthDate: 'birth_date',
  anniversaryDate: 'anniversary_date',
  language: 'language',
  customerGroup: 'customer_group',
};

/** Tier, enrolment and sale dates are not patchable: they follow from transactions. */
export function updateMember(db: Db, id: string, patch: MemberPatch): Member {
  const keys = (Object.keys(patch) as Array<keyof MemberPatch>).filter(
    (k) => k in PATCH_COLUMNS && patch[k] !== undefined,
  );
  return db
    .transaction(() => {
      if (keys.length > 0) {
        const sets = keys.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ');
        run(db, `UPDATE members SET ${sets} WHERE id = ?`, ...keys.map((k) => patch[k] ?? null), id);
      }
      const m = getMember(db, id);
      if (!m) throw new LedgerError('MEMBER_UNKNOWN', `no member ${id}`);
      return m;
    })
    .immediate();
}

export function addCard(db: Db, card: NewCard): void {
  db.transaction(() => insertCard(db, card)).immediate();
}

/**
 * docs/protocol.md card reference: `{uid}` (any case in, upper case stored), `{number}`, or
 * `{phone}` → the member's active card (the most recently created one).
 */
export function findCard(db: Db, ref: CardRef): Card | null {
  let row: CardRow | undefined;
  if ('uid' in ref)
    row = one<CardRow>(db, `SELECT ${CARD_COLUMNS} FROM cards c WHERE c.uid = ?`, ref.uid.toUpperCase());
  else if ('number' in ref)
    row = one<CardRow>(db, `SELECT ${CARD_COLUMNS} FROM cards c WHERE c.number = ?`, ref.number);
  else {
    row = one<CardRow>(
      db,
      `SELECT ${CARD_COLUMNS} FROM members m JOIN cards c ON c.member_id = m.id
       WHERE m.phone = ? AND c.status = 'active' ORDER BY c.created_at DESC, c.rowid DESC LIMIT 1`,
      ref.phone,
    );
  }
  return row ? toCard(row) : null;
}

export function listCards(db: Db, memberId: string): Card[] {
  return all<CardRow>(
    db,
    `SELECT ${CARD_COLUMNS} FROM cards c WHERE c.member_id = ? ORDER BY c.created_at, c.rowid`,
    memberId,
  ).map(toCard);
}

/** The status a till must act on: an active card past its `expiresAt` is `expired` (docs/program.md: Cards). */
export function effectiveStatus(card: Card, now: Date): CardStatus {
  if (card.status === 'active' && card.expiresAt !== null && Date.parse(card.expiresAt) <= now.getTime())
    return 'expired';
  return card.status;
}

export function setCardStatus(db: Db, uid: string, status: CardStatus): void {
  const r = run(db, 'UPDATE cards SET status = ? WHERE uid = ?', status, uid.toUpperCase());
  if (r.changes === 0) throw new LedgerError('CARD_UNKNOWN', `no card ${uid}`);
}

/** Hashes before the write (async, off the event loop): the slow part never holds the write lock. */
export async function setPin(
  db: Db,
  uid: string,
  pin: string,
  params: ScryptParams = PIN_PARAMS,
): Promise<void> {
  const hash = await hashPinAsync(pin, params);
  const r = run(db, 'UPDATE cards SET pin_hash = ?, pin_failures = 0 WHERE uid = ?', hash, uid.toUpperCase());
  if (r.changes === 0) throw new LedgerError('CARD_UNKNOWN', `no card ${uid}`);
}

export type PinCheck =
  | { ok: true }
  | { ok: false; code: 'PIN_INVALID'; attemptsLeft: number }
  | { ok: false; code: 'CARD_LOCKED' | 'CARD_UNKNOWN' | 'PIN_NOT_SET' };

/**
 * docs/program.md Redemption: after `maxAttempts` wrong PINs in a row the card is `locked` until
 * unlocked; a right PIN resets the count. Hashing runs on the thread pool; each counter
 * update is its own small synchronous transaction, counted in SQL so concurrent checks add up.
 */
export async function verifyPin(db: Db, uid: string, pin: string, maxAttempts: number): Promise<PinCheck> {
  const key = uid.toUpperCase();
  const row = one<CardRow>(db, `SELECT ${CARD_COLUMNS} FROM cards c WHERE c.uid = ?`, key);
  if (!row) return { ok: false, code: 'CARD_UNKNOWN' };
  if (row.status === 'locked') return { ok: false, code: 'CARD_LOCKED' };
  if (row.pin_hash === null) return { ok: false, code: 'PIN_NOT_SET' };
  if (await pinMatchesAsync(pin, row.pin_hash)) {
    // A lighter import hash is upgraded on the first right PIN (pins.ts: IMPORT_PIN_PARAMS).
    const upgraded = needsRehash(row.pin_hash) ? await hashPinAsync(pin) : null;
    // Only if the card was not locked meanwhile by a concurrent wrong attempt.
    const r = run(db, "UPDATE cards SET pin_failures = 0 WHERE uid = ? AND status <> 'locked'", key);
    if (r.changes === 0) return { ok: false, code: 'CARD_LOCKED' };
    if (upgraded)
      run(db, 'UPDATE cards SET pin_hash = ? WHERE uid = ? AND pin_hash = ?', upgraded, key, row.pin_hash);
    return { ok: true };
  }
  const failures = db
    .transaction(() => {
      run(db, 'UPDATE cards SET pin_failures = pin_failures + 1 WHERE uid = ?', key);
      const n =
        one<{ n: number }>(db, 'SELECT pin_failures AS n FROM cards WHERE uid = ?', key)?.n ?? maxAttempts;
      if (n >= maxAttempts) run(db, "UPDATE cards SET status = 'locked' WHERE uid = ?", key);
      return n;
    })
    .immediate();
  if (failures >= maxAttempts) return { ok: false, code: 'CARD_LOCKED' };
  return { ok: false, code: 'PIN_INVALID', attemptsLeft: maxAttempts - failures };
}

/** docs/protocol.md card-unlock: only a locked card unlocks (a blocked card stays blocked). */
export function unlockCard(db: Db, uid: string): Card {
  const key = uid.toUpperCase();
  const row = one<CardRow>(db, `SELECT ${CARD_COLUMNS} FROM cards c WHERE c.uid = ?`, key);
  if (!row) throw new LedgerError('CARD_UNKNOWN', `no card ${uid}`);
  if (row.status === 'locked')
    run(db, "UPDATE cards SET status = 'active', pin_failures = 0 WHERE uid = ?", key);
  return toCard(row.status === 'locked' ? { ...row, status: 'active', pin_failures: 0 } : row);
}
