import { type Db, one } from './sql.ts';

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
