import type { MemberState } from '../../gateway/src/domain/ledger-types.ts';
import { formatDate, localDateOf, parseDate } from '../../gateway/src/engine/calendar.ts';
import { dueEvents } from '../../gateway/src/engine/events.ts';
import { dailyTier, windowStart } from '../../gateway/src/engine/tiers.ts';
import { checkProgram } from '../../gateway/src/program/check.ts';
import type { Program } from '../../gateway/src/program/schema.ts';
import type { SqlDb } from './db/sql.ts';
import { num } from './db/sql.ts';
import { addChanges, type EntryInput, insertEntries } from './entries.ts';

/**
 * docs/program.md Events: "In a chain, member-level scheduled events run at head office only, so
 * no member gets them twice". Birthday and anniversary bonuses (the engine's dueEvents
 * decides) and the daily tier re-evaluation (the engine's dailyTier) run here; each posts
 * at most once per member per event per year (member_events primary key), so running the
 * job twice, or on two hq processes, posts nothing more. Lot-based expiry stays with the
 * store that holds the lots; hq only sees the resulting `expire` entries.
 */
export interface EventRun {
  day: string;
  events: number;
  tierChanges: number;
}

export async function publishedProgram(db: SqlDb): Promise<Program | null> {
  const rows = await db.query<{ body: unknown }>('SELECT body FROM programs ORDER BY version DESC LIMIT 1');
  if (!rows[0]) return null;
  const checked = checkProgram(rows[0].body);
  return checked.ok ? checked.program : null;
}

interface Candidate {
  id: string;
  tier: string;
  tier_since: Date | string | null;
  customer_group: string | null;
  birth_date: string | null;
  anniversary_date: string | null;
  enrolled_at: Date | string;
  language: string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function state(m: Candidate, posted: string[], qualifying: number, nowIso: string): MemberState {
  return {
    memberId: m.id,
    tier: m.tier,
    tierSince: m.tier_since === null ? null : iso(m.tier_since),
    customerGroup: m.customer_group,
    birthDate: m.birth_date,
    anniversaryDate: m.anniversary_date,
    enrolledAt: iso(m.enrolled_at),
    language: m.language,
    lots: [],
    holds: [],
    debt: { points: 0, credit: 0 },
    qualifying: qualifying === 0 ? [] : [{ at: nowIso, amount: qualifying }],
    lastSaleAt: null,
    eventsPosted: posted,
    referrerId: null,
  };
}

export async function runChainEvents(db: SqlDb, program: Program, now: Date): Promise<EventRun> {
  const nowIso = now.toISOString();
  const day = formatDate(localDateOf(nowIso, program.timezone));
  const { y, m, d } = parseDate(day);
  const mmdd = day.slice(5);
  const isLeap = (year: number) => new Date(Date.UTC(year, 1, 29)).getUTCDate() === 29;
  // 29 Feb → 28 Feb in common years (docs/program.md Events): those members are candidates on the 28th.
  const days = m === 2 && d === 28 && !isLeap(y) ? [mmdd, '02-29'] : [mmdd];
  const ctx = { program, now: nowIso, storeId: 'hq' };
  const result: EventRun = { day, events: 0, tierChanges: 0 };

  const candidates = await db.query<Candidate & { posted: string[] | null }>(
    `SELECT m.*, (SELECT array_agg(event || ':' || year) FROM member_events e WHERE e.member_id = m.id) AS posted
     FROM members m WHERE substr(m.birth_date, 6) = ANY($1) OR substr(m.anniversary_date, 6) = ANY($1)`,
    [days],
  );
  for (const c of candidates) {
    const due = dueEvents(ctx, state(c, c.posted ?? [], 0, nowIso), day);
    if (due.length === 0) continue;
    await db.transaction(async (tx) => {
      const entries: EntryInput[] = [];
      for (const e of due) {
        const claimed = await tx.query(
          `INSERT INTO member_events (member_id, event, year, entry_key) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING member_id`,
          [c.id, e.event, y, `hq/event/${c.id}/${e.key}/${e.ruleId}`],
        );
        if (claimed.length === 0) continue;
        entries.push({
          seq: null,
          key: `hq/event/${c.id}/${e.key}/${e.ruleId}`,
          txKey: `hq/event/${c.id}/${e.key}`,
          ownerType: 'member',
          ownerId: c.id,
          asset: 'points',
          bucket: 'available',
          kind: 'event',
          amount: e.points,
          qualifying: 0, // docs/program.md Tiers: event bonuses do not qualify
          ruleId: e.ruleId,
          meta: { event: e.event },
          at: nowIso,
          programVersion: program.version,
        });
      }
      const moved = await insertEntries(tx, { kind: 'hq' }, entries);
      result.events += moved.inserted;
      await addChanges(tx, 'balance', moved.members);
    });
  }

  const from = new Date(windowStart(program, nowIso)).toISOString();
  const tiers = await db.query<Candidate & { q: string }>(
    `SELECT m.*, COALESCE((SELECT sum(e.qualifying) FROM entries e WHERE e.owner_type = 'member'
       AND e.owner_id = m.id AND e.qualifying <> 0 AND e.at >= $1), 0) AS q FROM members m`,
    [from],
  );
  for (const t of tiers) {
    const decision = dailyTier(program, state(t, [], num(t.q), nowIso), nowIso);
    if (!decision.changed) continue;
    await db.transaction(async (tx) => {
      const up =
        program.tiers.levels.findIndex((l) => l.id === decision.tier) >
        program.tiers.levels.findIndex((l) => l.id === t.tier);
      await tx.query(
        `UPDATE members SET tier = $2, tier_since = CASE WHEN $3 THEN $4::timestamptz ELSE tier_since END,
           updated_at = $4 WHERE id = $1`,
        [t.id, decision.tier, up, nowIso],
      );
      await addChanges(tx, 'member', [t.id]);
      await addChanges(tx, 'balance', [t.id]);
    });
    result.tierChanges++;
  }
  return result;
}
