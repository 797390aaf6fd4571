import { LedgerError, uniqueOr } from './errors.ts';
import { openHold } from './holds.ts';
import { type Db, one, run } from './sql.ts';
import type { LedgerCommit, NewCard, NewMember } from './types.ts';

/** Effects that postings may depend on: new members, cards, gift cards, holds. */
export function applyEffectsBefore(db: Db, tx: LedgerCommit, txId: number): void {
  const e = tx.effects;
  if (!e) return;
  for (const m of e.members ?? []) insertMember(db, m);
  for (const c of e.cards ?? []) insertCard(db, c);
  for (const g of e.giftCards ?? []) {
    uniqueOr('GIFT_CARD_EXISTS', `gift card ${g.code} exists`, () =>
      run(
        db,
        'INSERT INTO gift_cards (code, issued_at, expires_at, tx_id) VALUES (?, ?, ?, ?)',
        g.code,
        tx.at,
        g.expiresAt,
        txId,
      ),
    );
  }
  for (const h of e.openHolds ?? []) {
    openHold(db, txId, h.holdId, h.memberId, h.amount, h.expiresAt, `hold ${h.holdId}`);
  }
}

/** Effects checked against the state the postings left: tiers, events, stock (holds close in holds.ts). */
export function applyEffectsAfter(db: Db, tx: LedgerCommit, txId: number): void {
  const e = tx.effects;
  if (!e) return;
  if (e.tierChange) {
    const t = e.tierChange;
    const m = one<{ tier: string }>(db, 'SELECT tier FROM members WHERE id = ?', t.memberId);
    if (!m) throw new LedgerError('MEMBER_UNKNOWN', `no member ${t.memberId}`);
    if (m.tier !== t.from)
      throw new LedgerError('TIER_MISMATCH', `${t.memberId} is ${m.tier}, not ${t.from}`);
    run(
      db,
      'INSERT INTO tier_changes (member_id, from_tier, to_tier, at, tx_id) VALUES (?, ?, ?, ?, ?)',
      t.memberId,
      t.from,
      t.to,
      tx.at,
      txId,
    );
    if (t.upgrade)
      run(db, 'UPDATE members SET tier = ?, tier_since = ? WHERE id = ?', t.to, tx.at, t.memberId);
    else run(db, 'UPDATE members SET tier = ? WHERE id = ?', t.to, t.memberId);
  }
  if (e.lastSaleAt) {
    const r = run(
      db,
      'UPDATE members SET last_sale_at = ? WHERE id = ?',
      e.lastSaleAt.at,
      e.lastSaleAt.memberId,
    );
    if (r.changes === 0) throw new LedgerError('MEMBER_UNKNOWN', `no member ${e.lastSaleAt.memberId}`);
  }
  for (const ev of e.events ?? []) {
    uniqueOr('EVENT_ALREADY_POSTED', `${ev.event} already posted for ${ev.memberId}`, () =>
      run(
        db,
        'INSERT INTO member_events (member_id, event, tx_id) VALUES (?, ?, ?)',
        ev.memberId,
        ev.event,
        txId,
      ),
    );
  }
  for (const r of e.rewards ?? []) {
    if (!Number.isSafeInteger(r.quantity) || r.quantity <= 0) {
      throw new LedgerError('INVALID_POSTING', `reward ${r.rewardId}: quantity must be a positive integer`);
    }
    // Atomic reservation: the conditional UPDATE cannot oversell, whatever runs concurrently.
    const u = run(
      db,
      'UPDATE reward_stock SET remaining = remaining - ? WHERE reward_id = ? AND remaining >= ?',
      r.quantity,
      r.rewardId,
      r.quantity,
    );
    if (u.changes === 0 && one(db, 'SELECT 1 FROM reward_stock WHERE reward_id = ?', r.rewardId)) {
      throw new LedgerError('REWARD_UNAVAILABLE', `reward ${r.rewardId} is out of stock`);
    }
  }
  for (const c of e.cardStatus ?? []) {
    const r = run(db, 'UPDATE cards SET status = ? WHERE uid = ?', c.status, c.uid.toUpperCase());
    if (r.changes === 0) throw new LedgerError('CARD_UNKNOWN', `no card ${c.uid}`);
  }
}

export function insertMember(db: Db, m: NewMember): void {
  uniqueOr('MEMBER_EXISTS', `member ${m.id} exists`, () =>
    run(
      db,
      `INSERT INTO members (id, first_name, last_name, phone, email, birth_date, anniversary_date, language,
         customer_group, tier, tier_since, referrer_id, enrolled_at, last_sale_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL)`,
      m.id,
      m.firstName,
      m.lastName ?? null,
      m.phone ?? null,
      m.email ?? null,
      m.birthDate ?? null,
      m.anniversaryDate ?? null,
      m.language ?? 'en',
      m.customerGroup ?? null,
      m.tier,
      m.referrerId ?? null,
      m.enrolledAt,
    ),
  );
}

export function insertCard(db: Db, c: NewCard): void {
  if (!one(db, 'SELECT 1 FROM members WHERE id = ?', c.memberId)) {
    throw new LedgerError('MEMBER_UNKNOWN', `card ${c.uid}: no member ${c.memberId}`);
  }
  uniqueOr('CARD_EXISTS', `card ${c.uid}${c.number ? ` / ${c.number}` : ''} exists`, () =>
    run(
      db,
      `INSERT INTO cards (uid, number, member_id, status, expires_at, pin_hash, pin_failures, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
      c.uid.toUpperCase(),
      c.number ?? null,
      c.memberId,
      c.status ?? 'active',
      c.expiresAt ?? null,
      c.pinHash ?? null,
      c.createdAt,
    ),
  );
}
