import type {
  Hold,
  Lot,
  MemberState,
  QualifyingEntry,
  SaleHistory,
  SaleRecord,
} from '../domain/ledger-types.ts';
import { getMemberRow } from './cards.ts';
import { LedgerError } from './errors.ts';
import { ownerKey } from './owner.ts';
import { getReturns } from './records.ts';
import { all, type Db, one, rows } from './sql.ts';

const DAY_MS = 86_400_000;
const RECENT_HOLDS_MS = 31 * DAY_MS;

/**
 * Everything the engine needs of one member (ledger-types.ts: MemberState). Every query
 * here is served by an index (lots_open, holds_member, entries_qualifying, qualifying_days',
 * balances' and member_events' keys) and reads rows bounded by the program, not by the
 * member's history: open lots are merged per expiry day (postings.ts), the tier window is
 * day sums, holds are the open ones and a month of closed ones.
 *
 * The qualifying window starts `windowMonths` before `now` (UTC calendar months) with one day
 * of margin, since the engine decides "which day" in the program's timezone and filters
 * exactly; an extra entry is harmless, a missing one is not.
 */
export function loadMemberState(db: Db, memberId: string, now: Date, windowMonths: number): MemberState {
  const m = getMemberRow(db, memberId);
  if (!m) throw new LedgerError('MEMBER_UNKNOWN', `no member ${memberId}`);
  const cutoff = new Date(now.getTime());
  cutoff.setUTCMonth(cutoff.getUTCMonth() - windowMonths);

  const lots = openLots(db, 'member', memberId);

  // Open holds, and holds closed that expired less than a month ago, so the engine can answer
  // HOLD_EXPIRED rather than HOLD_UNKNOWN and refuse a reused holdId (docs/protocol.md: error codes).
  // Two index ranges (holds_open, holds_member), not every hold the member ever had.
  const holds = all<{ hold_id: string; expires_at: string; status: Hold['status']; held: number }>(
    db,
    `SELECT h.hold_id, h.expires_at, h.status,
       (SELECT COALESCE(SUM(e.amount), 0) FROM entries e WHERE e.hold_id = h.hold_id) AS held
     FROM holds h WHERE h.rowid IN (
       SELECT rowid FROM holds WHERE member_id = ? AND status = 'open'
       UNION SELECT rowid FROM holds WHERE member_id = ? AND expires_ms >= ?) ORDER BY h.rowid`,
    memberId,
    memberId,
    now.getTime() - RECENT_HOLDS_MS,
  ).map((h): Hold => ({ holdId: h.hold_id, amount: h.held, expiresAt: h.expires_at, status: h.status }));

  const debt = { points: 0, credit: 0 };
  for (const b of all<{ asset: 'points' | 'credit'; amount: number }>(
    db,
    `SELECT asset, amount FROM balances WHERE owner_type = 'member' AND owner_id = ? AND bucket = 'debt'`,
    memberId,
  )) {
    debt[b.asset] = b.amount;
  }

  // The engine decides the window's first day exactly; only entries near that edge need
  // their own instant. Everything well inside the window is read from the running sums per
  // UTC day (qualifying_days, kept in the same transaction as the entries), so a frequent
  // customer's state is at most a year of day rows, not a year of entries.
  // Four days back: UTC month arithmetic overflows (31 March − 1 month = 3 March) where the
  // engine's calendar clamps (28 February), and the program's day may start a day apart.
  // The edge ends on a UTC day boundary, where the day sums take over.
  const edgeFrom = cutoff.getTime() - 4 * DAY_MS;
  const insideDay = Math.floor((cutoff.getTime() + 2 * DAY_MS) / DAY_MS) + 1;
  const qualifying = all<QualifyingEntry>(
    db,
    `SELECT at, qualifying AS amount FROM entries
     WHERE owner_type = 'member' AND owner_id = ? AND qualifying <> 0 AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, seq`,
    memberId,
    edgeFrom,
    insideDay * DAY_MS,
  );
  // Dated as the earliest of them (its own `at` as stored), so one entry reads as itself.
  const inside = one<{ amount: number | null; at: string | null }>(
    db,
    `SELECT SUM(amount) AS amount, (
       SELECT first_at FROM qualifying_days WHERE member_id = ? AND day >= ? ORDER BY day LIMIT 1) AS at
     FROM qualifying_days WHERE member_id = ? AND day >= ?`,
    memberId,
    insideDay,
    memberId,
    insideDay,
  );
  if (inside?.amount && inside.at !== null) qualifying.push({ at: inside.at, amount: inside.amount });

  const eventsPosted = all<{ event: string }>(
    db,
    'SELECT event FROM member_events WHERE member_id = ? ORDER BY event',
    memberId,
  ).map((e) => e.event);

  return {
    memberId,
    tier: m.tier,
    tierSince: m.tier_since,
    customerGroup: m.customer_group,
    birthDate: m.birth_date,
    anniversaryDate: m.anniversary_date,
    enrolledAt: m.enrolled_at,
    language: m.language,
    lots,
    holds,
    debt,
    qualifying,
    lastSaleAt: m.last_sale_at,
    eventsPosted,
    referrerId: m.referrer_id,
  };
}

type LotRow = [number, Lot['asset'], number, string, string, string | null];

/**
 * An owner's open lots, in the order of their index (asset, expiry): rows as arrays, since a
 * frequent customer has one per expiry day (a year of them) and this runs on every sale.
 */
function openLots(db: Db, type: string, id: string): Lot[] {
  return rows<LotRow>(
    db,
    `SELECT id, asset, remaining, earned_at, available_at, expires_at FROM lots
     WHERE owner_type = ? AND owner_id = ? AND remaining > 0 ORDER BY asset, expires_ms, id`,
    type,
    id,
  ).map(([id, asset, remaining, earnedAt, availableAt, expiresAt]) => ({
    id,
    asset,
    remaining,
    earnedAt,
    availableAt,
    expiresAt,
  }));
}

/** Stored balance of one bucket (0 when never posted). */
export function getBalance(
  db: Db,
  owner: { member: string } | { giftCard: string },
  asset: 'points' | 'credit',
  bucket: 'available' | 'held' | 'debt' = 'available',
): number {
  const [type, id] = 'member' in owner ? ['member', owner.member] : ['gift-card', owner.giftCard];
  return (
    one<{ amount: number }>(
      db,
      'SELECT amount FROM balances WHERE owner_type = ? AND owner_id = ? AND asset = ? AND bucket = ?',
      type,
      id,
      asset,
      bucket,
    )?.amount ?? 0
  );
}

/** The sale and every return that named it so far (ledger-types.ts: SaleHistory); null if unknown. */
export function getSaleHistory(db: Db, saleId: string): SaleHistory | null {
  const sale = one<{ record: string }>(db, 'SELECT record FROM sales WHERE sale_id = ?', saleId);
  if (!sale) return null;
  return { sale: JSON.parse(sale.record) as SaleRecord, returns: getReturns(db, saleId) };
}

/** A stored response by idempotency key (a till asking again after a reconnect). */
export function findTransaction(
  db: Db,
  idempotencyKey: string,
): { txId: number; type: string; response: unknown } | null {
  const r = one<{ id: number; type: string; response: string | null }>(
    db,
    'SELECT id, type, response FROM transactions WHERE idempotency_key = ?',
    idempotencyKey,
  );
  return r
    ? {
        txId: r.id,
        type: r.type,
        response: r.response === null ? undefined : (JSON.parse(r.response) as unknown),
      }
    : null;
}

/** A gift card as the engine reads it (engine/gift-cards.ts GiftCardState), null if never issued. */
export function loadGiftCard(
  db: Db,
  code: string,
): { code: string; expiresAt: string | null; lots: Lot[] } | null {
  const card = one<{ expires_at: string | null }>(
    db,
    'SELECT expires_at FROM gift_cards WHERE code = ?',
    code,
  );
  if (!card) return null;
  const { type } = ownerKey({ giftCard: code });
  const lots = openLots(db, type, code);
  return { code, expiresAt: card.expires_at, lots };
}

/** Units of a reward left in this store; null when it has no stock limit (engine/rewards.ts stockLeft). */
export function rewardStockLeft(db: Db, rewardId: string): number | null {
  return (
    one<{ remaining: number }>(db, 'SELECT remaining FROM reward_stock WHERE reward_id = ?', rewardId)
      ?.remaining ?? null
  );
}
