import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { preparedSql } from '../../../gateway/src/ledger/sql.ts';
import { AT, earn, member, spend, tx } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

/** Tables that grow with the store's life: a hot path must never scan them whole. */
const GROWING = [
  'entries',
  'lots',
  'transactions',
  'members',
  'cards',
  'holds',
  'outbox',
  'sales',
  'sale_returns',
  'member_events',
];

/** Partial indexes hold only the live rows (unsent, open, expiring): scanning them is the point. */
const PARTIAL_INDEXES = ['outbox_unsent', 'lots_expiring', 'holds_expiring'];

describe('query plans of the hot paths', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = makeTempDir();
    ledger = openLedger(dir.file('ledger.db'));
  });
  afterEach(() => {
    ledger.close();
    dir.remove();
  });

  it('every statement that commit, lookups and member state prepare uses an index', async () => {
    ledger.addMember(member('m1', { phone: '+1' }), [
      { uid: 'AA', number: 'N1', memberId: 'm1', createdAt: AT },
    ]);
    ledger.commit(
      tx([earn('m1', 100, 'points', 100), earn('m1', 500, 'credit')], {
        effects: { events: [{ memberId: 'm1', event: 'signup' }] },
      }),
    );
    ledger.commit(tx([spend('m1', 1, 10)]));
    const owner = { member: 'm1' };
    ledger.commit(
      tx([
        {
          owner,
          asset: 'credit',
          bucket: 'available',
          kind: 'hold',
          amount: -50,
          lotId: 2,
          meta: { holdId: 'h' },
        },
        {
          owner,
          asset: 'credit',
          bucket: 'held',
          kind: 'hold',
          amount: 50,
          meta: { holdId: 'h', expiresAt: AT },
        },
      ]),
    );
    ledger.commit(
      tx([{ owner, asset: 'credit', bucket: 'held', kind: 'capture', amount: -50, meta: { holdId: 'h' } }]),
    );
    ledger.commit(
      tx([], {
        effects: {
          tierChange: { memberId: 'm1', from: 'bronze', to: 'silver', upgrade: true },
          lastSaleAt: { memberId: 'm1', at: AT },
        },
      }),
    );
    ledger.loadMemberState('m1', new Date(), 12);
    ledger.findCard({ uid: 'aa' });
    ledger.findCard({ number: 'N1' });
    ledger.findCard({ phone: '+1' });
    await ledger.verifyPin('AA', '1', 5);
    ledger.readUnsent();
    ledger.markAckedThrough(2, AT);
    ledger.entriesAfter(0, 10);
    ledger.findExpiredLots(new Date());
    ledger.findExpiredHolds(new Date());
    ledger.spentSince('m1', new Date(0));
    ledger.getSaleHistory('x');
    ledger.findTransaction('x');

    const scans: string[] = [];
    for (const sql of preparedSql(ledger.db)) {
      const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null);
      const plan = ledger.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
      for (const { detail } of plan) {
        const m = /^SCAN (\w+)/.exec(detail);
        const partial = PARTIAL_INDEXES.some((name) => detail.includes(name));
        if (m && GROWING.includes(m[1] ?? '') && !partial)
          scans.push(`${detail} ← ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
      }
    }
    expect(scans).toEqual([]);
  });
});
