import { all, type Db } from './sql.ts';

export interface MemberHistoryRow {
  at: string;
  type: string;
  ref: string | null;
  points: number;
  credit: number;
  ruleId: string | null;
}

/**
 * A member's recent transactions for the kiosk `history` op (docs/protocol.md §1 Kiosk): one row
 * per transaction, newest first, with the net change of its available points and credit.
 * Held credit moves between buckets and is shown as leaving the available wallet.
 */
export function memberHistory(db: Db, memberId: string, limit: number): MemberHistoryRow[] {
  return all<MemberHistoryRow>(
    db,
    `SELECT t.at AS at, t.type AS type, t.ref AS ref,
            SUM(CASE WHEN e.asset = 'points' THEN e.amount ELSE 0 END) AS points,
            SUM(CASE WHEN e.asset = 'credit' THEN e.amount ELSE 0 END) AS credit,
            MAX(e.rule_id) AS ruleId
       FROM entries e JOIN transactions t ON t.id = e.tx_id
      WHERE e.owner_type = 'member' AND e.owner_id = ? AND e.bucket = 'available'
      GROUP BY e.tx_id
      ORDER BY e.tx_id DESC
      LIMIT ?`,
    memberId,
    limit,
  );
}
