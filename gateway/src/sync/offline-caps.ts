/**
 * docs/protocol.md §2 Offline redemption: while head office has not been reached for longer than
 * `offline.maxAge`, credit holds and point spends are capped per member per day
 * (`offline.spendLimit`). Pure: the till op passes what the member already spent today
 * (ledger.spentSince(memberId, startOfLocalDay)) and the last time hq answered.
 */
export interface OfflinePolicy {
  maxAgeMs: number;
  spendLimit: { points: number; credit: number };
}

export type OfflineCheck =
  | { ok: true; offline: boolean }
  | { ok: false; code: 'OFFLINE_LIMIT'; allowed: number; message: string };

/** `30s`, `15m`, `6h`, `2d` (the config's duration form) in ms. */
export function durationMs(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function isOffline(now: Date, lastOkAt: string | null, maxAgeMs: number): boolean {
  if (lastOkAt === null) return true;
  return now.getTime() - Date.parse(lastOkAt) > maxAgeMs;
}

export function checkOfflineSpend(input: {
  now: Date;
  lastOkAt: string | null;
  policy: OfflinePolicy | undefined;
  asset: 'points' | 'credit';
  amount: number;
  spentToday: { points: number; credit: number };
}): OfflineCheck {
  const { policy } = input;
  if (policy === undefined) return { ok: true, offline: false };
  if (!isOffline(input.now, input.lastOkAt, policy.maxAgeMs)) return { ok: true, offline: false };
  const allowed = Math.max(0, policy.spendLimit[input.asset] - input.spentToday[input.asset]);
  if (input.amount <= allowed) return { ok: true, offline: true };
  return {
    ok: false,
    code: 'OFFLINE_LIMIT',
    allowed,
    message: `head office unreachable: at most ${allowed} ${input.asset} more today`,
  };
}
