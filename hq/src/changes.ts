import type { ChangesPage, WireCard, WireMember } from '../../gateway/src/sync/wire.ts';
import type { SqlDb } from './db/sql.ts';
import { num } from './db/sql.ts';

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
  enrolled_at: Date | string;
}

interface CardRow {
  uid: string;
  number: string | null;
  member_id: string;
  status: WireCard['status'];
  expires_at: Date | string | null;
  pin_hash: string | null;
  created_at: Date | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

const toMember = (r: MemberRow): WireMember => ({
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
  enrolledAt: iso(r.enrolled_at),
});

const toCard = (r: CardRow): WireCard => ({
  uid: r.uid,
  number: r.number,
  memberId: r.member_id,
  status: r.status,
  expiresAt: r.expires_at === null ? null : iso(r.expires_at),
  pinHash: r.pin_hash,
  createdAt: iso(r.created_at),
});

/**
 * docs/protocol.md §2 `GET /v1/devices/{id}/changes?since&limit`: the next `limit` change rows
 * for this device's store, each served as the CURRENT state of what it names (so a page is
 * idempotent and later pages supersede earlier ones). Balances carry includesDeviceSeq =
 * this device's acked seq, read in the same statement as the balances: ingest moves both in
 * one transaction, so the pair is always consistent (nothing counted twice or dropped).
 */
export async function readChanges(
  db: SqlDb,
  device: { deviceId: string; storeId: string },
  since: number,
  limit: number,
): Promise<ChangesPage> {
  const rows = await db.query<{ cursor: string; kind: string; key: string }>(
    `SELECT cursor, kind, key FROM changes
     WHERE cursor > $1 AND (store_id IS NULL OR store_id = $2) ORDER BY cursor LIMIT $3`,
    [since, device.storeId, limit],
  );
  const page: ChangesPage = {
    cursor: rows.length > 0 ? num(rows[rows.length - 1]?.cursor) : since,
    members: [],
    cards: [],
    rewards: [],
    balances: [],
    offers: [],
    removed: [],
    more: rows.length === limit,
  };
  const keys = (kind: string) => [...new Set(rows.filter((r) => r.kind === kind).map((r) => r.key))];
  const members = keys('member');
  if (members.length > 0)
    page.members = (
      await db.query<MemberRow>('SELECT * FROM members WHERE id = ANY($1) ORDER BY id', [members])
    ).map(toMember);
  const cards = keys('card');
  if (cards.length > 0)
    page.cards = (
      await db.query<CardRow>('SELECT * FROM cards WHERE uid = ANY($1) ORDER BY uid', [cards])
    ).map(toCard);
  const balances = keys('balance');
  if (balances.length > 0) {
    const b = await db.query<{
      member_id: string;
      points: string;
      credit: string;
      tier: string | null;
      acked: string;
    }>(
      `SELECT b.member_id, b.points, b.credit, m.tier, d.acked_seq AS acked
       FROM balances b LEFT JOIN members m ON m.id = b.member_id CROSS JOIN devices d
       WHERE d.id = $1 AND b.member_id = ANY($2) ORDER BY b.member_id`,
      [device.deviceId, balances],
    );
    page.balances = b.map((r) => ({
      memberId: r.member_id,
      points: num(r.points),
      credit: num(r.credit),
      tier: r.tier,
      includesDeviceSeq: num(r.acked),
    }));
  }
  if (keys('program').length > 0) {
    const p = await db.query<{ version: number; body: Record<string, unknown> }>(
      'SELECT version, body FROM programs ORDER BY version DESC LIMIT 1',
    );
    if (p[0]) page.program = { version: num(p[0].version), body: p[0].body };
  }
  const rewards = keys('reward');
  if (rewards.length > 0) {
    const r = await db.query<{ id: string; body: Record<string, unknown>; active: boolean }>(
      'SELECT id, body, active FROM rewards WHERE id = ANY($1) ORDER BY id',
      [rewards],
    );
    for (const row of r) {
      if (row.active) page.rewards.push({ id: row.id, body: row.body });
      else page.removed.push({ kind: 'reward', id: row.id });
    }
  }
  const offers = keys('offer');
  if (offers.length > 0) {
    // An offer change key is `{offerId}`; targets are this chain's members in the segment.
    const o = await db.query<{ id: string; member_id: string; body: Record<string, unknown> }>(
      `SELECT o.id, t.member_id, o.body FROM offers o JOIN offer_targets t ON t.offer_id = o.id
       WHERE o.id = ANY($1) ORDER BY o.id, t.member_id`,
      [offers],
    );
    page.offers = o.map((r) => ({ id: r.id, memberId: r.member_id, body: r.body }));
  }
  return page;
}
