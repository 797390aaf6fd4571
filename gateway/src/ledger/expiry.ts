import type { Owner } from '../domain/ledger-types.ts';
import { ownerFromRow } from './owner.ts';
import { all, type Db } from './sql.ts';

/**
 * Queries for the scheduled jobs (lot expiry, hold expiry, offline spend limits). They only
 * read: the job decides with the engine and commits `expire` / `release` transactions.
 */
export interface ExpiringLot {
  owner: Owner;
  lotId: number;
  asset: 'points' | 'credit';
  remaining: number;
  expiresAt: string;
}

/** Lots with something left whose `expiresAt` is at or before `now` (docs/program.md: expiry). */
export function findExpiredLots(db: Db, now: Date, limit = 1000): ExpiringLot[] {
  return all<{
    owner_type: string;
    owner_id: string;
    id: number;
    asset: 'points' | 'credit';
    remaining: number;
    expires_at: string;
  }>(
    db,
    `SELECT owner_type, owner_id, id, asset, remaining, expires_at FROM lots
     WHERE remaining > 0 AND expires_ms IS NOT NULL AND expires_ms <= ? ORDER BY expires_ms, id LIMIT ?`,
    now.getTime(),
    limit,
  ).map((r) => ({
    owner: ownerFromRow(r.owner_type, r.owner_id),
    lotId: r.id,
    asset: r.asset,
    remaining: r.remaining,
    expiresAt: r.expires_at,
  }));
}

/** Open holds past their `expiresAt`, with what they still hold. */
export function findExpiredHolds(
  db: Db,
  now: Date,
  limit = 1000,
): Array<{ holdId: string; memberId: string; held: number; expiresAt: string }> {
  return all<{ hold_id: string; member_id: string; held: number; expires_at: string }>(
    db,
    `SELECT h.hold_id, h.member_id, h.expires_at,
       (SELECT COALESCE(SUM(e.amount), 0) FROM entries e WHERE e.hold_id = h.hold_id) AS held
     FROM holds h WHERE h.status = 'open' AND h.expires_ms <= ? ORDER BY h.expires_ms LIMIT ?`,
    now.getTime(),
    limit,
  ).map((r) => ({ holdId: r.hold_id, memberId: r.member_id, held: r.held, expiresAt: r.expires_at }));
}

/**
 * docs/protocol.md offline redemption: what a member took out of `available` (spends, holds,
 * transfers out, conversions) since `since`, per asset, as positive numbers.
 */
export function spentSince(db: Db, memberId: string, since: Date): { points: number; credit: number } {
  const out = { points: 0, credit: 0 };
  for (const r of all<{ asset: 'points' | 'credit'; spent: number }>(
    db,
    `SELECT asset, -SUM(amount) AS spent FROM entries
     WHERE owner_type = 'member' AND owner_id = ? AND bucket = 'available' AND amount < 0 AND at_ms >= ?
       AND kind IN ('spend', 'hold', 'transfer-out', 'convert-out')
     GROUP BY asset`,
    memberId,
    since.getTime(),
  )) {
    out[r.asset] = r.spent;
  }
  return out;
}
