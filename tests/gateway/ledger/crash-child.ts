/**
 * Run by crash.test.ts in its own process: commits as fast as it can and prints each
 * idempotency key only after `commit` returned (docs/protocol.md: "Durable before answered").
 * The parent SIGKILLs it mid-burst.
 */
import { openLedger } from '../../../gateway/src/ledger/ledger.ts';
import type { LedgerCommit } from '../../../gateway/src/ledger/types.ts';

const path = process.argv[2];
const prefix = process.argv[3] ?? 'crash';
if (!path) throw new Error('usage: crash-child.ts DB [KEY-PREFIX]');
const ledger = openLedger(path);
const at = '2026-11-23T10:00:00+04:00';
if (!ledger.getMember('c1'))
  ledger.addMember({ id: 'c1', firstName: 'Crash', tier: 'bronze', enrolledAt: at });

const lot = { availableAt: at, expiresAt: null };
for (let i = 0; ; i++) {
  const base: Omit<LedgerCommit, 'idempotencyKey' | 'postings'> = {
    type: 'burst',
    at,
    programVersion: 1,
    storeId: 's',
    response: { i },
  };
  if (i % 10 === 9) {
    // Every tenth round: a group commit of three.
    const txs = [0, 1, 2].map((j) => ({
      ...base,
      idempotencyKey: `${prefix}:${i}:${j}`,
      postings: [
        {
          owner: { member: 'c1' },
          asset: 'points' as const,
          bucket: 'available' as const,
          kind: 'earn' as const,
          amount: 5,
          lot,
        },
      ],
    }));
    for (const o of ledger.commitMany(txs)) if (o.ok) process.stdout.write(`${o.idempotencyKey}\n`);
    continue;
  }
  const lots = ledger.loadMemberState('c1', new Date(), 12).lots;
  const spendable = lots.find((l) => l.remaining >= 3);
  const postings: LedgerCommit['postings'] =
    i % 2 === 1 && spendable
      ? [
          {
            owner: { member: 'c1' },
            asset: 'points',
            bucket: 'available',
            kind: 'spend',
            amount: -3,
            lotId: spendable.id,
          },
        ]
      : [
          {
            owner: { member: 'c1' },
            asset: 'points',
            bucket: 'available',
            kind: 'earn',
            amount: 10,
            lot,
            qualifying: 10,
          },
        ];
  ledger.commit({ ...base, idempotencyKey: `${prefix}:${i}`, postings });
  process.stdout.write(`${prefix}:${i}\n`);
}
