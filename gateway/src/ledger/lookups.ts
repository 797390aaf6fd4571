import { all, type Db, one } from './sql.ts';

/** The member a hold belongs to, for capture and void requests that name only the hold. */
export function holdMember(db: Db, holdId: string): string | null {
  return (
    one<{ member_id: string }>(db, 'SELECT member_id FROM holds WHERE hold_id = ?', holdId)?.member_id ?? null
  );
}

/** A card's stored PIN hash, so a replacement card keeps the member's PIN. */
export function cardPinHash(db: Db, uid: string): string | null {
  return (
    one<{ pin_hash: string | null }>(db, 'SELECT pin_hash FROM cards WHERE uid = ?', uid.toUpperCase())
      ?.pin_hash ?? null
  );
}

/** Members whose birth or anniversary date falls on one of these `MM-DD` days (the yearly events job). */
export function membersWithYearlyDates(db: Db, monthDays: readonly string[]): string[] {
  if (monthDays.length === 0) return [];
  const marks = monthDays.map(() => '?').join(',');
  return all<{ id: string }>(
    db,
    `SELECT id FROM members WHERE substr(birth_date, 6) IN (${marks}) OR substr(anniversary_date, 6) IN (${marks})`,
    ...monthDays,
    ...monthDays,
  ).map((r) => r.id);
}

/** Members above the first tier: the only ones a daily downgrade can move. */
export function membersAboveTier(db: Db, firstTier: string): string[] {
  return all<{ id: string }>(db, 'SELECT id FROM members WHERE tier <> ?', firstTier).map((r) => r.id);
}
