/**
 * The ledger side of head-office sync (docs/protocol.md §2): the sync cursor and ack state, hq's
 * balance snapshots, and applying a changes page in ONE SQLite transaction. Applying the
 * same page twice changes nothing the second time.
 */
import type { ChangesPage, WireCard, WireMember } from '../sync/wire.ts';
import { all, type Db, one, run } from './sql.ts';

/** `uploadFailure` and `quarantined`: sync/upload-health.ts. */
export type SyncKey = 'cursor' | 'ackedSeq' | 'lastOkAt' | 'uploadFailure' | 'quarantined';

export function getSyncState(db: Db, key: SyncKey): string | null {
  return one<{ value: string }>(db, 'SELECT value FROM sync_state WHERE key = ?', key)?.value ?? null;
}

export function setSyncState(db: Db, key: SyncKey, value: string): void {
  run(
    db,
    'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    value,
  );
}

export interface HqSnapshot {
  points: number;
  credit: number;
  tier: string | null;
  includesDeviceSeq: number;
}

export function hqSnapshot(db: Db, memberId: string): HqSnapshot | null {
  const r = one<{ points: number; credit: number; tier: string | null; includes_device_seq: number }>(
    db,
    'SELECT points, credit, tier, includes_device_seq FROM sync_balances WHERE member_id = ?',
    memberId,
  );
  return r
    ? { points: r.points, credit: r.credit, tier: r.tier, includesDeviceSeq: r.includes_device_seq }
    : null;
}

/**
 * docs/protocol.md §2 invariant: the balance a store shows = hq's balance (which includes this
 * device's entries up to includesDeviceSeq) + this device's entries after that seq. With no
 * snapshot yet, hq's part is 0 and every local entry counts. Buckets: `available` (what hq
 * sums too); held credit is this store's own and not part of the chain balance.
 */
export function shownBalance(db: Db, memberId: string): { points: number; credit: number } {
  const snap = hqSnapshot(db, memberId);
  const local = all<{ asset: string; total: number }>(
    db,
    `SELECT asset, SUM(amount) AS total FROM entries
     WHERE owner_type = 'member' AND owner_id = ? AND bucket = 'available' AND seq > ? GROUP BY asset`,
    memberId,
    snap?.includesDeviceSeq ?? 0,
  );
  const part = (asset: string) => local.find((l) => l.asset === asset)?.total ?? 0;
  return { points: (snap?.points ?? 0) + part('points'), credit: (snap?.credit ?? 0) + part('credit') };
}

/**
 * The part of a member's chain balance that this store does not hold: hq's balance minus this
 * device's own entries up to what hq has seen (other stores' earnings and spends, hq's
 * events and adjustments). Shown balance = what this store holds + this. Null when hq has sent
 * no balance for the member (a standalone store, or a member hq does not know yet).
 */
export function heldElsewhere(db: Db, memberId: string): { points: number; credit: number } | null {
  const snap = hqSnapshot(db, memberId);
  if (!snap) return null;
  // Entries up to includesDeviceSeq = the stored balance minus the entries after it: the
  // entries since hq's snapshot, not the member's whole history (balances = Σ entries, verify).
  const seen = all<{ asset: string; total: number }>(
    db,
    `SELECT b.asset, b.amount - COALESCE((SELECT SUM(e.amount) FROM entries e
       WHERE e.owner_type = 'member' AND e.owner_id = b.owner_id AND e.seq > ? AND e.asset = b.asset
         AND e.bucket = 'available'), 0) AS total
     FROM balances b WHERE b.owner_type = 'member' AND b.owner_id = ? AND b.bucket = 'available'`,
    snap.includesDeviceSeq,
    memberId,
  );
  const part = (asset: string) => seen.find((l) => l.asset === asset)?.total ?? 0;
  return { points: snap.points - part('points'), credit: snap.credit - part('credit') };
}

/** Members with a snapshot or local entries (for tests and reconciliation). */
export function knownMembers(db: Db): string[] {
  return all<{ id: string }>(
    db,
    `SELECT member_id AS id FROM sync_balances UNION
     SELECT DISTINCT owner_id FROM entries WHERE owner_type = 'member' ORDER BY 1`,
  ).map((r) => r.id);
}

export interface ApplyResult {
  applied: boolean;
  members: number;
  cards: number;
  balances: number;
  /** Members whose tier hq's page set (docs/program.md: in a chain, head office decides tiers). */
  tiers: number;
  skippedCards: number;
}

/**
 * Applies a page in one transaction. A page older than the stored cursor is ignored as a
 * whole (a late duplicate); balance rows also keep the newest page's value, so re-applying
 * or reordering never regresses a snapshot.
 */
export function applyChangesPage(db: Db, page: ChangesPage, since: number, nowIso: string): ApplyResult {
  return db
    .transaction((): ApplyResult => {
      const stored = Number(getSyncState(db, 'cursor') ?? '0');
      const result: ApplyResult = {
        applied: false,
        members: 0,
        cards: 0,
        balances: 0,
        tiers: 0,
        skippedCards: 0,
      };
      if (since < stored && page.cursor <= stored) return result;
      for (const m of page.members) {
        run(
          db,
          `INSERT INTO members (id, first_name, last_name, phone, email, birth_date, anniversary_date, language,
             customer_group, tier, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
             phone = excluded.phone, email = excluded.email, birth_date = excluded.birth_date,
             anniversary_date = excluded.anniversary_date, language = excluded.language,
             customer_group = excluded.customer_group`,
          m.id,
          m.firstName,
          m.lastName,
          m.phone,
          m.email,
          m.birthDate,
          m.anniversaryDate,
          m.language,
          m.customerGroup,
          m.tier,
          m.enrolledAt,
        );
        run(db, "INSERT INTO sync_members (member_id, origin) VALUES (?, 'hq') ON CONFLICT DO NOTHING", m.id);
        result.members++;
      }
      for (const c of page.cards) {
        // A card whose member this store has never heard of would break the foreign key
        // and block every later page: it is skipped (its member's change brings it again).
        if (!one(db, 'SELECT 1 FROM members WHERE id = ?', c.memberId)) {
          result.skippedCards++;
          continue;
        }
        run(
          db,
          `INSERT INTO cards (uid, number, member_id, status, expires_at, pin_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (uid) DO UPDATE SET number = excluded.number, member_id = excluded.member_id,
             status = excluded.status, expires_at = excluded.expires_at,
             pin_hash = COALESCE(cards.pin_hash, excluded.pin_hash)`,
          c.uid.toUpperCase(),
          c.number,
          c.memberId,
          c.status,
          c.expiresAt,
          c.pinHash,
          c.createdAt,
        );
        result.cards++;
      }
      for (const b of page.balances) {
        run(
          db,
          `INSERT INTO sync_balances (member_id, points, credit, tier, includes_device_seq, cursor)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (member_id) DO UPDATE SET points = excluded.points, credit = excluded.credit,
             tier = excluded.tier, includes_device_seq = excluded.includes_device_seq, cursor = excluded.cursor
           WHERE excluded.cursor >= sync_balances.cursor`,
          b.memberId,
          b.points,
          b.credit,
          b.tier,
          b.includesDeviceSeq,
          page.cursor,
        );
        if (b.tier !== null && adoptHqTier(db, b.memberId, b.tier, b.includesDeviceSeq)) result.tiers++;
        result.balances++;
      }
      if (page.program)
        run(
          db,
          'INSERT INTO sync_program (version, body, received_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING',
          page.program.version,
          JSON.stringify(page.program.body),
          nowIso,
        );
      for (const r of page.rewards)
        run(
          db,
          'INSERT INTO sync_rewards (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body',
          r.id,
          JSON.stringify(r.body),
        );
      for (const o of page.offers)
        run(
          db,
          `INSERT INTO sync_offers (id, member_id, body) VALUES (?, ?, ?)
           ON CONFLICT (id, member_id) DO UPDATE SET body = excluded.body`,
          o.id,
          o.memberId,
          JSON.stringify(o.body),
        );
      for (const r of page.removed) {
        if (r.kind === 'reward') run(db, 'DELETE FROM sync_rewards WHERE id = ?', r.id);
        else if (r.kind === 'offer') run(db, 'DELETE FROM sync_offers WHERE id = ?', r.id);
        else run(db, "UPDATE cards SET status = 'blocked' WHERE uid = ?", r.id.toUpperCase());
      }
      setSyncState(db, 'cursor', String(Math.max(stored, page.cursor)));
      result.applied = true;
      return result;
    })
    .immediate();
}

/**
 * In a chain, head office decides a member's tier (it sees every store's sales). hq's tier
 * is adopted unless this store moved the member's tier after the entries hq has seen
 * (`includesDeviceSeq`): that local change is newer, and hq hears of it with the next batch.
 * Returns true when the stored tier changed.
 */
function adoptHqTier(db: Db, memberId: string, tier: string, includesDeviceSeq: number): boolean {
  const newerHere = one(
    db,
    `SELECT 1 FROM tier_changes WHERE member_id = ? AND tx_id >
       COALESCE((SELECT tx_id FROM entries WHERE seq <= ? ORDER BY seq DESC LIMIT 1), 0)`,
    memberId,
    includesDeviceSeq,
  );
  if (newerHere) return false;
  return run(db, 'UPDATE members SET tier = ? WHERE id = ? AND tier <> ?', tier, memberId, tier).changes > 0;
}

/** The newest program hq sent, if any (the gateway may load it instead of its file). */
export function latestSyncedProgram(db: Db): { version: number; body: unknown } | null {
  const r = one<{ version: number; body: string }>(
    db,
    'SELECT version, body FROM sync_program ORDER BY version DESC LIMIT 1',
  );
  return r ? { version: r.version, body: JSON.parse(r.body) as unknown } : null;
}

export function offersFor(db: Db, memberId: string): Array<{ id: string; body: unknown }> {
  return all<{ id: string; body: string }>(
    db,
    'SELECT id, body FROM sync_offers WHERE member_id = ? ORDER BY id',
    memberId,
  ).map((r) => ({ id: r.id, body: JSON.parse(r.body) as unknown }));
}

/** Members enrolled at this store that hq has not been sent yet, with their cards. */
export function membersToUpload(
  db: Db,
  limit = 500,
  /** The durable watermark (durable-seq.ts): rows past it may yet be lost to a power cut. */
  ceilings: { member: number; card: number } = {
    member: Number.MAX_SAFE_INTEGER,
    card: Number.MAX_SAFE_INTEGER,
  },
): { members: WireMember[]; cards: WireCard[] } {
  const rows = all<{
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
    enrolled_at: string;
  }>(
    db,
    `SELECT m.* FROM members m WHERE m.rowid <= ?
       AND NOT EXISTS (SELECT 1 FROM sync_members s WHERE s.member_id = m.id)
     ORDER BY m.rowid LIMIT ?`,
    ceilings.member,
    limit,
  );
  const members: WireMember[] = rows.map((r) => ({
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
    enrolledAt: r.enrolled_at,
  }));
  const cards: WireCard[] = [];
  for (const m of members)
    for (const c of all<{
      uid: string;
      number: string | null;
      status: WireCard['status'];
      expires_at: string | null;
      pin_hash: string | null;
      created_at: string;
    }>(
      db,
      'SELECT uid, number, status, expires_at, pin_hash, created_at FROM cards WHERE member_id = ? AND rowid <= ?',
      m.id,
      ceilings.card,
    ))
      cards.push({
        uid: c.uid,
        number: c.number,
        memberId: m.id,
        status: c.status,
        expiresAt: c.expires_at,
        pinHash: c.pin_hash,
        createdAt: c.created_at,
      });
  return { members, cards };
}

export function markMembersUploaded(db: Db, ids: readonly string[]): void {
  db.transaction(() => {
    for (const id of ids)
      run(
        db,
        "INSERT INTO sync_members (member_id, origin) VALUES (?, 'uploaded') ON CONFLICT DO NOTHING",
        id,
      );
  }).immediate();
}
