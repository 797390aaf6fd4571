import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerError } from '../../../gateway/src/ledger/errors.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { AT, earn, member, spend, tx } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof LedgerError) return err.code;
    throw err;
  }
  return 'NO_ERROR';
}

describe('commit', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = makeTempDir();
    ledger = openLedger(dir.file('ledger.db'));
    ledger.addMember(member('m1'));
    ledger.addMember(member('m2'));
  });
  afterEach(() => {
    ledger.close();
    dir.remove();
  });

  it('posts entries, creates a lot, updates the balance and writes one outbox row', () => {
    const r = ledger.commit(
      tx([earn('m1', 100, 'points', 100)], { idempotencyKey: 'k1', response: { earned: 100 } }),
    );
    expect(r).toMatchObject({ replayed: false, response: { earned: 100 }, seqFrom: 1, seqTo: 1 });
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(100);
    const state = ledger.loadMemberState('m1', new Date('2026-11-24T00:00:00Z'), 12);
    expect(state.lots).toEqual([
      { id: 1, asset: 'points', remaining: 100, earnedAt: AT, availableAt: AT, expiresAt: null },
    ]);
    expect(state.qualifying).toEqual([{ at: AT, amount: 100 }]);
    const unsent = ledger.readUnsent();
    expect(unsent).toHaveLength(1);
    expect(unsent[0]?.idempotencyKey).toBe('k1');
    expect(unsent[0]?.entries.map((e) => e.amount)).toEqual([100]);
    expect(ledger.verify()).toEqual([]);
  });

  it('replays the same idempotency key without posting, and refuses another body as CONFLICT', () => {
    const first = tx([earn('m1', 100)], { idempotencyKey: 'k', requestHash: 'h1', response: { a: 1 } });
    ledger.commit(first);
    const again = ledger.commit({ ...first, postings: [earn('m1', 999)], response: { a: 2 } });
    expect(again).toMatchObject({ replayed: true, response: { a: 1 }, seqFrom: 1, seqTo: 1 });
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(100);
    expect(code(() => ledger.commit({ ...first, requestHash: 'h2' }))).toBe('CONFLICT');
    expect(ledger.pendingCount()).toBe(1);
  });

  it('consumes exactly the named lot and refuses to take it below zero', () => {
    ledger.commit(tx([earn('m1', 50)]));
    // Another expiry day: its own lot (lots the program can tell apart are never merged).
    ledger.commit(
      tx([{ ...earn('m1', 30), lot: { availableAt: AT, expiresAt: '2027-11-23T23:59:59+04:00' } }]),
    );
    ledger.commit(tx([spend('m1', 2, 20)]));
    expect(ledger.loadMemberState('m1', new Date(), 12).lots.map((l) => [l.id, l.remaining])).toEqual([
      [1, 50],
      [2, 10],
    ]);
    expect(code(() => ledger.commit(tx([spend('m1', 2, 11)])))).toBe('LOT_EXHAUSTED');
    expect(code(() => ledger.commit(tx([spend('m2', 1, 1)])))).toBe('LOT_UNKNOWN');
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(60);
    expect(ledger.verify()).toEqual([]);
  });

  it('rolls back a whole transaction when one posting fails', () => {
    ledger.commit(tx([earn('m1', 10)]));
    const bad = tx([earn('m2', 5), spend('m1', 1, 11)], { idempotencyKey: 'bad' });
    expect(code(() => ledger.commit(bad))).toBe('LOT_EXHAUSTED');
    expect(ledger.balance({ member: 'm2' }, 'points')).toBe(0);
    expect(ledger.findTransaction('bad')).toBeNull();
    expect(ledger.pendingCount()).toBe(1);
    expect(ledger.verify()).toEqual([]);
  });

  it('refuses malformed postings with a stable code', () => {
    const noLot = { ...earn('m1', 5), lot: undefined };
    expect(code(() => ledger.commit(tx([noLot])))).toBe('INVALID_POSTING');
    expect(code(() => ledger.commit(tx([{ ...earn('m1', 5), amount: 1.5 }])))).toBe('INVALID_POSTING');
    expect(code(() => ledger.commit(tx([earn('nobody', 5)])))).toBe('OWNER_UNKNOWN');
    const debt = {
      owner: { member: 'm1' },
      asset: 'points',
      bucket: 'debt',
      kind: 'debt-repay',
      amount: -1,
    } as const;
    expect(code(() => ledger.commit(tx([debt])))).toBe('INSUFFICIENT_BALANCE');
  });

  it('keeps holds consistent with the held bucket: authorize, partial capture, release', () => {
    ledger.commit(tx([earn('m1', 1000, 'credit')]));
    const owner = { member: 'm1' };
    const meta = { holdId: 'h1' };
    ledger.commit(
      tx(
        [
          { owner, asset: 'credit', bucket: 'available', kind: 'hold', amount: -600, lotId: 1, meta },
          { owner, asset: 'credit', bucket: 'held', kind: 'hold', amount: 600, meta },
        ],
        {
          effects: {
            openHolds: [
              { holdId: 'h1', memberId: 'm1', amount: 600, expiresAt: '2026-11-23T10:15:00+04:00' },
            ],
          },
        },
      ),
    );
    expect(ledger.loadMemberState('m1', new Date(), 12).holds).toEqual([
      { holdId: 'h1', amount: 600, expiresAt: '2026-11-23T10:15:00+04:00', status: 'open' },
    ]);
    // Closing while something is still held is refused.
    const captureOnly = tx(
      [{ owner, asset: 'credit', bucket: 'held', kind: 'capture', amount: -400, meta }],
      {
        effects: { closeHolds: [{ holdId: 'h1', status: 'captured' }] },
      },
    );
    expect(code(() => ledger.commit(captureOnly))).toBe('HOLD_EXCEEDED');
    ledger.commit(
      tx(
        [
          { owner, asset: 'credit', bucket: 'held', kind: 'capture', amount: -400, meta },
          { owner, asset: 'credit', bucket: 'held', kind: 'release', amount: -200, meta },
          {
            owner,
            asset: 'credit',
            bucket: 'available',
            kind: 'release',
            amount: 200,
            lot: { availableAt: AT, expiresAt: null },
            meta,
          },
        ],
        { effects: { closeHolds: [{ holdId: 'h1', status: 'captured' }] } },
      ),
    );
    expect(ledger.balance(owner, 'credit')).toBe(600);
    expect(ledger.balance(owner, 'credit', 'held')).toBe(0);
    // A recently closed hold is still shown (closed), so the engine can tell HOLD_EXPIRED from HOLD_UNKNOWN.
    expect(ledger.loadMemberState('m1', new Date('2026-11-24T00:00:00Z'), 12).holds).toEqual([
      { holdId: 'h1', amount: 0, expiresAt: '2026-11-23T10:15:00+04:00', status: 'captured' },
    ]);
    expect(ledger.loadMemberState('m1', new Date('2027-01-24T00:00:00Z'), 12).holds).toEqual([]);
    const again = tx([{ owner, asset: 'credit', bucket: 'held', kind: 'hold', amount: 1, meta }]);
    expect(code(() => ledger.commit(again))).toBe('HOLD_CLOSED');
    expect(ledger.verify()).toEqual([]);
  });

  it('opens and closes holds from the postings alone, as the engine sends them', () => {
    ledger.commit(tx([earn('m1', 1000, 'credit')]));
    const owner = { member: 'm1' };
    const authorize = (holdId: string) =>
      tx(
        [
          {
            owner,
            asset: 'credit',
            bucket: 'available',
            kind: 'hold',
            amount: -300,
            lotId: 1,
            meta: { holdId },
          },
          { owner, asset: 'credit', bucket: 'held', kind: 'hold', amount: 300, meta: { holdId } },
        ],
        {
          type: 'authorize',
          ref: holdId,
          response: { holdId, credit: 300, expiresAt: '2026-11-23T10:15:00+04:00' },
        },
      );
    ledger.commit(authorize('a'));
    ledger.commit(authorize('b'));
    expect(code(() => ledger.commit(authorize('a')))).toBe('HOLD_EXISTS');
    const lot = { availableAt: AT, expiresAt: null };
    ledger.commit(
      tx(
        [
          {
            owner,
            asset: 'credit',
            bucket: 'held',
            kind: 'capture',
            amount: -100,
            meta: { holdId: 'a', saleId: 's' },
          },
          { owner, asset: 'credit', bucket: 'held', kind: 'release', amount: -200, meta: { holdId: 'a' } },
          {
            owner,
            asset: 'credit',
            bucket: 'available',
            kind: 'release',
            amount: 200,
            lot,
            meta: { holdId: 'a' },
          },
        ],
        { type: 'capture' },
      ),
    );
    ledger.commit(
      tx(
        [
          {
            owner,
            asset: 'credit',
            bucket: 'held',
            kind: 'release',
            amount: -300,
            meta: { holdId: 'b', reason: 'expired' },
          },
          {
            owner,
            asset: 'credit',
            bucket: 'available',
            kind: 'release',
            amount: 300,
            lot,
            meta: { holdId: 'b' },
          },
        ],
        { type: 'expire-holds' },
      ),
    );
    const holds = ledger.loadMemberState('m1', new Date('2026-11-24T00:00:00Z'), 12).holds;
    expect(holds.map((h) => [h.holdId, h.status, h.amount])).toEqual([
      ['a', 'captured', 0],
      ['b', 'expired', 0],
    ]);
    expect(ledger.balance(owner, 'credit')).toBe(900);
    expect(ledger.verify()).toEqual([]);
  });

  it('stores sales and returns, refusing returns beyond what the sale earned', () => {
    const earned = {
      spend: { posted: 5, lines: { a: '5/1' } },
      bonus: { posted: 0, lines: {} },
      cashback: { posted: 0, lines: {} },
    };
    const sale = {
      saleId: 's1',
      memberId: 'm1',
      at: AT,
      total: 500,
      lines: [{ lineId: 'a', sku: 'X', productGroup: null, qty: 2, amount: 500 }],
      earned,
    };
    ledger.commit(
      tx([earn('m1', 5, 'points', 5)], {
        records: { sale },
        effects: { lastSaleAt: { memberId: 'm1', at: AT } },
      }),
    );
    expect(code(() => ledger.commit(tx([], { records: { sale } })))).toBe('SALE_EXISTS');
    const ret = (id: string, spendBack: number) => ({
      returnId: id,
      saleId: 's1',
      at: AT,
      lines: [{ lineId: 'a', qty: 1 }],
      reversed: { spend: spendBack, bonus: 0, cashback: 0 },
    });
    ledger.commit(
      tx([{ ...spend('m1', 1, 2), kind: 'reverse', qualifying: -2 }], {
        records: { saleReturn: ret('r1', 2) },
      }),
    );
    expect(code(() => ledger.commit(tx([], { records: { saleReturn: ret('r2', 4) } })))).toBe(
      'RETURN_EXCEEDS_SALE',
    );
    expect(
      code(() => ledger.commit(tx([], { records: { saleReturn: { ...ret('r3', 0), saleId: 'nope' } } }))),
    ).toBe('SALE_UNKNOWN');
    const history = ledger.getSaleHistory('s1');
    expect(history?.sale).toEqual(sale);
    expect(history?.returns.map((r) => r.returnId)).toEqual(['r1']);
    expect(ledger.getSaleHistory('nope')).toBeNull();
    expect(ledger.getMember('m1')?.lastSaleAt).toBe(AT);
  });

  it('posts an event once, records tier changes, reserves reward stock atomically', () => {
    const birthday = () =>
      tx([{ ...earn('m1', 500), kind: 'event' }], {
        effects: { events: [{ memberId: 'm1', event: 'birthday:2026' }] },
      });
    ledger.commit(birthday());
    expect(code(() => ledger.commit(birthday()))).toBe('EVENT_ALREADY_POSTED');
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(500);

    ledger.commit(
      tx([], { effects: { tierChange: { memberId: 'm1', from: 'bronze', to: 'silver', upgrade: true } } }),
    );
    expect(
      code(() =>
        ledger.commit(
          tx([], { effects: { tierChange: { memberId: 'm1', from: 'bronze', to: 'gold', upgrade: true } } }),
        ),
      ),
    ).toBe('TIER_MISMATCH');
    const state = ledger.loadMemberState('m1', new Date(), 12);
    expect(state).toMatchObject({ tier: 'silver', tierSince: AT, eventsPosted: ['birthday:2026'] });

    ledger.setRewardStock('coffee', 1);
    const redeem = () =>
      tx([spend('m1', 1, 100)], { effects: { rewards: [{ rewardId: 'coffee', quantity: 1 }] } });
    ledger.commit(redeem());
    expect(code(() => ledger.commit(redeem()))).toBe('REWARD_UNAVAILABLE');
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(400);
    ledger.commit(
      tx([spend('m1', 1, 100)], { effects: { rewards: [{ rewardId: 'unlimited', quantity: 3 }] } }),
    );
    expect(ledger.verify()).toEqual([]);
  });

  it('issues a gift card from its giftcard-issue posting alone, once; keeps other records', () => {
    const owner = { giftCard: 'GC-9' };
    const issue = () =>
      tx([
        {
          owner,
          asset: 'credit',
          bucket: 'available',
          kind: 'giftcard-issue',
          amount: 700,
          lot: { availableAt: AT, expiresAt: '2027-11-23T23:59:59+04:00' },
        },
      ]);
    ledger.commit(issue());
    expect(code(() => ledger.commit(issue()))).toBe('GIFT_CARD_EXISTS');
    expect(ledger.loadGiftCard('GC-9')).toMatchObject({
      code: 'GC-9',
      expiresAt: '2027-11-23T23:59:59+04:00',
      lots: [{ remaining: 700 }],
    });
    expect(ledger.loadGiftCard('nope')).toBeNull();
    const redeemUnknown = tx([
      {
        owner: { giftCard: 'nope' },
        asset: 'credit',
        bucket: 'available',
        kind: 'giftcard-redeem',
        amount: -1,
        lotId: 1,
      },
    ]);
    expect(code(() => ledger.commit(redeemUnknown))).toBe('OWNER_UNKNOWN');
    const raffle = [{ raffleId: 'r', memberId: 'm1', entries: 2, source: 'bought', at: AT }];
    ledger.commit(tx([], { records: { raffleEntries: raffle } as never }));
    expect(ledger.getRecords('raffleEntries').map((r) => r.record)).toEqual([raffle]);
    expect(ledger.rewardStockLeft('coffee')).toBeNull();
    ledger.setRewardStock('coffee', 4);
    expect(ledger.rewardStockLeft('coffee')).toBe(4);
  });

  it('issues and redeems gift card credit with owner {giftCard}', () => {
    const owner = { giftCard: 'GC-1' };
    ledger.commit(
      tx(
        [
          {
            owner,
            asset: 'credit',
            bucket: 'available',
            kind: 'giftcard-issue',
            amount: 5000,
            lot: { availableAt: AT, expiresAt: '2027-11-23T23:59:59+04:00' },
          },
        ],
        {
          effects: { giftCards: [{ code: 'GC-1', expiresAt: '2027-11-23T23:59:59+04:00' }] },
        },
      ),
    );
    ledger.commit(
      tx([{ owner, asset: 'credit', bucket: 'available', kind: 'giftcard-redeem', amount: -1200, lotId: 1 }]),
    );
    expect(ledger.balance(owner, 'credit')).toBe(3800);
    expect(ledger.verify()).toEqual([]);
  });

  it('a schema constraint the checks do not name still comes back as a LedgerError, rolled back', () => {
    const bad = tx([earn('m1', 5)], { effects: { members: [member('m3', { referrerId: 'nobody' })] } });
    expect(code(() => ledger.commit(bad))).toBe('CONSTRAINT');
    expect(ledger.getMember('m3')).toBeNull();
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(0);
    expect(ledger.findTransaction(bad.idempotencyKey)).toBeNull();
  });

  it('entries are append-only: UPDATE and DELETE fail', () => {
    ledger.commit(tx([earn('m1', 10)]));
    expect(() => ledger.db.prepare('UPDATE entries SET amount = 1000').run()).toThrow(/APPEND_ONLY/);
    expect(() => ledger.db.prepare('DELETE FROM entries').run()).toThrow(/APPEND_ONLY/);
    expect(() => ledger.db.prepare('DELETE FROM transactions').run()).toThrow(/APPEND_ONLY/);
    expect(() => ledger.db.prepare('UPDATE lots SET amount = 5').run()).toThrow(/APPEND_ONLY/);
    expect(() => ledger.db.prepare('UPDATE balances SET amount = -1').run()).toThrow(/CHECK/);
  });

  it('verify reports drift of a projection', () => {
    ledger.commit(tx([earn('m1', 10)]));
    ledger.db.prepare("UPDATE balances SET amount = 11 WHERE owner_id = 'm1'").run();
    ledger.db.prepare('UPDATE lots SET remaining = 9 WHERE id = 1').run();
    const codes = ledger.verify().map((p) => p.code);
    expect(codes).toContain('BALANCE_DRIFT');
    expect(codes).toContain('LOT_DRIFT');
    expect(codes).toContain('LOTS_VS_BALANCE');
  });

  it('group commit: one failing transaction is rolled back to its savepoint, the others commit', () => {
    ledger.commit(tx([earn('m1', 10)]));
    const outcomes = ledger.commitMany([
      tx([earn('m1', 1)], { idempotencyKey: 'g1' }),
      tx([earn('m2', 7), spend('m1', 1, 50)], { idempotencyKey: 'g2' }),
      tx([earn('m2', 3)], { idempotencyKey: 'g3' }),
      tx([earn('m1', 1)], { idempotencyKey: 'g1' }),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    const failed = outcomes[1];
    expect(failed && !failed.ok && failed.error instanceof LedgerError && failed.error.code).toBe(
      'LOT_EXHAUSTED',
    );
    expect(outcomes[3]?.ok && outcomes[3].result.replayed).toBe(true);
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(11);
    expect(ledger.balance({ member: 'm2' }, 'points')).toBe(3);
    expect(ledger.findTransaction('g2')).toBeNull();
    expect(ledger.verify()).toEqual([]);
  });

  it('outbox: unsent rows in seq order, acknowledged through a seq', () => {
    for (let i = 0; i < 3; i++) ledger.commit(tx([earn('m1', 1), earn('m2', 1)]));
    expect(ledger.readUnsent().map((o) => [o.fromSeq, o.toSeq])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(ledger.entriesAfter(4, 10).map((e) => e.seq)).toEqual([5, 6]);
    expect(ledger.markAckedThrough(4, AT)).toBe(2);
    expect(ledger.readUnsent().map((o) => o.fromSeq)).toEqual([5]);
    const first = ledger.readUnsent()[0];
    expect(ledger.markSent([first?.outboxId ?? 0], AT)).toBe(1);
    expect(ledger.pendingCount()).toBe(0);
    expect(() => ledger.db.prepare('UPDATE outbox SET sent_at = NULL').run()).toThrow(/APPEND_ONLY/);
  });
});

describe('queries for scheduled jobs', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = makeTempDir();
    ledger = openLedger(dir.file('ledger.db'));
    ledger.addMember(member('m1'));
  });
  afterEach(() => {
    ledger.close();
    dir.remove();
  });

  it('finds expired lots and holds across offsets, and sums what a member spent since a time', () => {
    const owner = { member: 'm1' };
    const lot = (expiresAt: string | null) => ({ availableAt: AT, expiresAt });
    ledger.commit(tx([{ ...earn('m1', 10), lot: lot('2026-12-01T23:59:59+04:00') }]));
    ledger.commit(tx([{ ...earn('m1', 20), lot: lot('2026-12-01T20:00:00Z') }]));
    ledger.commit(tx([{ ...earn('m1', 500, 'credit'), lot: lot(null) }]));
    // 19:59:59Z is before 20:00:00Z although its text sorts after it.
    expect(ledger.findExpiredLots(new Date('2026-12-01T19:59:59Z')).map((l) => l.lotId)).toEqual([1]);
    expect(ledger.findExpiredLots(new Date('2026-12-02T00:00:00Z')).map((l) => l.lotId)).toEqual([1, 2]);

    const meta = { holdId: 'h' };
    ledger.commit(
      tx(
        [
          { owner, asset: 'credit', bucket: 'available', kind: 'hold', amount: -200, lotId: 3, meta },
          { owner, asset: 'credit', bucket: 'held', kind: 'hold', amount: 200, meta },
        ],
        {
          effects: {
            openHolds: [{ holdId: 'h', memberId: 'm1', amount: 200, expiresAt: '2026-11-23T10:15:00+04:00' }],
          },
        },
      ),
    );
    expect(ledger.findExpiredHolds(new Date('2026-11-23T06:14:00Z'))).toEqual([]);
    expect(ledger.findExpiredHolds(new Date('2026-11-23T06:16:00Z'))).toEqual([
      { holdId: 'h', memberId: 'm1', held: 200, expiresAt: '2026-11-23T10:15:00+04:00' },
    ]);
    ledger.commit(tx([spend('m1', 2, 5)]));
    expect(ledger.spentSince('m1', new Date('2026-11-23T00:00:00Z'))).toEqual({ points: 5, credit: 200 });
    expect(ledger.spentSince('m1', new Date('2026-11-24T00:00:00Z'))).toEqual({ points: 0, credit: 0 });
  });

  it('accepts a qualifying-only posting of amount 0 (spend basis, no points earned)', () => {
    ledger.commit(
      tx([
        {
          owner: { member: 'm1' },
          asset: 'points',
          bucket: 'available',
          kind: 'earn',
          amount: 0,
          qualifying: 12500,
        },
      ]),
    );
    expect(ledger.loadMemberState('m1', new Date('2026-11-24T00:00:00Z'), 12).qualifying).toEqual([
      { at: AT, amount: 12500 },
    ]);
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(0);
    expect(ledger.verify()).toEqual([]);
  });
});
