import type { Config } from '../config/load.ts';
import { localDateOf, startOfDay } from '../engine/calendar.ts';
import type { Ledger } from '../ledger/index.ts';
import { getSyncState } from '../ledger/sync-store.ts';
import type { Program } from '../program/schema.ts';
import { checkOfflineSpend, durationMs } from '../sync/offline-caps.ts';
import { Refusal } from './refusal.ts';

/** Checks one spend against the offline cap; null when it may go ahead. */
export type OfflineCap = (
  memberId: string,
  asset: 'points' | 'credit',
  amount: number,
  now: Date,
) => Refusal | null;

/**
 * docs/protocol.md §2 offline redemption: a chain store that has not reached head office for
 * longer than `offline.maxAge` caps credit holds and point spends per member per day (the
 * program's day), so one balance cannot be spent twice in two stores.
 */
export const offlineCap = (
  config: Config,
  ledger: Ledger,
  program: () => Program,
): OfflineCap | undefined => {
  if (!config.hq || !config.offline) return undefined;
  const policy = { maxAgeMs: durationMs(config.offline.maxAge), spendLimit: config.offline.spendLimit };
  return (memberId, asset, amount, now) => {
    const tz = program().timezone;
    const dayStart = new Date(startOfDay(localDateOf(now.toISOString(), tz), tz));
    const check = checkOfflineSpend({
      now,
      lastOkAt: getSyncState(ledger.db, 'lastOkAt'),
      policy,
      asset,
      amount,
      spentToday: ledger.spentSince(memberId, dayStart),
    });
    return check.ok ? null : new Refusal('INSUFFICIENT_BALANCE', check.message);
  };
};
