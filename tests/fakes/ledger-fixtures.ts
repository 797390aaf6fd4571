/** Builders for ledger transactions in tests: what the engine would produce, by hand. */
import type { Asset, Posting } from '../../gateway/src/domain/ledger-types.ts';
import type { LedgerCommit, NewMember } from '../../gateway/src/ledger/types.ts';

export const AT = '2026-11-23T10:00:00+04:00';

export function member(id: string, extra: Partial<NewMember> = {}): NewMember {
  return { id, firstName: `First ${id}`, tier: 'bronze', enrolledAt: AT, ...extra };
}

let counter = 0;
export function tx(postings: Posting[], extra: Partial<LedgerCommit> = {}): LedgerCommit {
  counter++;
  return {
    idempotencyKey: `test:${counter}:${Math.random()}`,
    type: 'test',
    at: AT,
    programVersion: 1,
    storeId: 'store-1',
    postings,
    response: { ok: true, n: counter },
    ...extra,
  };
}

export function earn(memberId: string, amount: number, asset: Asset = 'points', qualifying = 0): Posting {
  return {
    owner: { member: memberId },
    asset,
    bucket: 'available',
    kind: 'earn',
    amount,
    lot: { availableAt: AT, expiresAt: null },
    ...(qualifying ? { qualifying } : {}),
  };
}

export function spend(memberId: string, lotId: number, amount: number, asset: Asset = 'points'): Posting {
  return { owner: { member: memberId }, asset, bucket: 'available', kind: 'spend', amount: -amount, lotId };
}
