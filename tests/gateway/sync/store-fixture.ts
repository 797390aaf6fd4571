/** A store for sync tests: a real SQLite ledger driven with simple earn / spend transactions. */
import type { Asset, Posting } from '../../../gateway/src/domain/ledger-types.ts';
import { runBatch } from '../../../gateway/src/ledger/batch.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import type { ChangesPage, WireBalance } from '../../../gateway/src/sync/wire.ts';

export const AT = '2026-11-23T10:00:00+04:00';

export function openStore(path: string): Ledger {
  return openLedger(path);
}

export function ensureMember(ledger: Ledger, id: string): void {
  if (!ledger.getMember(id))
    ledger.addMember({ id, firstName: `First ${id}`, tier: 'bronze', enrolledAt: AT });
}

/** An earning of `amount` (a sale), under idempotency key `key`. */
export function earn(
  ledger: Ledger,
  storeId: string,
  key: string,
  memberId: string,
  amount: number,
  asset: Asset = 'points',
) {
  ensureMember(ledger, memberId);
  return ledger.commit({
    idempotencyKey: key,
    type: 'sale',
    at: AT,
    programVersion: 1,
    storeId,
    postings: [
      {
        owner: { member: memberId },
        asset,
        bucket: 'available',
        kind: 'earn',
        amount,
        lot: { availableAt: AT, expiresAt: null },
      },
    ],
    response: { ok: true },
  });
}

/**
 * A spend (redemption or return) of `amount` from this store's own lots, soonest first;
 * returns false (nothing posted) when the local lots do not hold that much.
 */
export function spend(
  ledger: Ledger,
  storeId: string,
  key: string,
  memberId: string,
  amount: number,
  asset: Asset = 'points',
  kind: 'spend' | 'reverse' = 'spend',
): boolean {
  ensureMember(ledger, memberId);
  const lots = ledger
    .loadMemberState(memberId, new Date(AT), 12)
    .lots.filter((l) => l.asset === asset && l.remaining > 0);
  const postings: Posting[] = [];
  let left = amount;
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    postings.push({
      owner: { member: memberId },
      asset,
      bucket: 'available',
      kind,
      amount: -take,
      lotId: lot.id,
    });
    left -= take;
  }
  if (left > 0 || postings.length === 0) return false;
  ledger.commit({
    idempotencyKey: key,
    type: kind === 'spend' ? 'redeem-reward' : 'return',
    at: AT,
    programVersion: 1,
    storeId,
    postings,
    response: { ok: true },
  });
  return true;
}

/**
 * An earning committed as the till write queue commits a group (its WAL flush deferred,
 * ledger/wal-sync.ts); resolves once its fsync completes. Needs a file ledger.
 */
export function earnDeferred(ledger: Ledger, storeId: string, key: string, memberId: string, amount: number) {
  ensureMember(ledger, memberId);
  const wal = ledger.groupSync;
  if (!wal) throw new Error('earnDeferred needs a WAL file ledger');
  const commit = {
    idempotencyKey: key,
    type: 'sale',
    at: AT,
    programVersion: 1,
    storeId,
    postings: [
      {
        owner: { member: memberId },
        asset: 'points' as const,
        bucket: 'available' as const,
        kind: 'earn' as const,
        amount,
        lot: { availableAt: AT, expiresAt: null },
      },
    ],
    response: { ok: true },
  };
  wal.deferred(1, () => runBatch(ledger.db, [() => ({ commit, value: null })], () => new Date()));
  return wal.durable();
}

/** `n` earnings spread over `members` members, group-committed 500 at a time (fast set-up). */
export function earnMany(
  ledger: Ledger,
  storeId: string,
  n: number,
  members: number,
  prefix = storeId,
): void {
  for (let m = 0; m < members; m++) ensureMember(ledger, `m${m}`);
  for (let from = 0; from < n; from += 500) {
    const txs = [];
    for (let i = from; i < Math.min(n, from + 500); i++)
      txs.push({
        idempotencyKey: `${prefix}:e${i}`,
        type: 'sale',
        at: AT,
        programVersion: 1,
        storeId,
        postings: [
          {
            owner: { member: `m${i % members}` },
            asset: 'points' as const,
            bucket: 'available' as const,
            kind: 'earn' as const,
            amount: 1 + (i % 5),
            lot: { availableAt: AT, expiresAt: null },
          },
        ],
        response: { ok: true },
      });
    ledger.commitMany(txs);
  }
}

/** A head-office changes page that carries only balance rows. */
export const balancesPage = (cursor: number, balances: WireBalance[]): ChangesPage => ({
  cursor,
  members: [],
  cards: [],
  rewards: [],
  offers: [],
  removed: [],
  more: false,
  balances,
});
