import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Asset, Bucket, Posting } from '../../../gateway/src/domain/ledger-types.ts';
import { LedgerError } from '../../../gateway/src/ledger/errors.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import type { LedgerCommit } from '../../../gateway/src/ledger/types.ts';
import { AT, member } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

/** Random operation sequences as the engine could send them, some deliberately over the balance. */
const MEMBERS = ['m0', 'm1', 'm2'];
const memberArb = fc.constantFrom(...MEMBERS);
const assetArb = fc.constantFrom<Asset>('points', 'credit');
const amountArb = fc.integer({ min: 1, max: 400 });
const pick = fc.nat({ max: 20 });

type Op =
  | { t: 'earn'; m: string; asset: Asset; amount: number }
  | { t: 'spend'; m: string; asset: Asset; lot: number; amount: number }
  | { t: 'hold'; m: string; lot: number; amount: number }
  | { t: 'capture'; h: number; amount: number }
  | { t: 'void'; h: number }
  | { t: 'reverse'; m: string; asset: Asset; lot: number; amount: number }
  | { t: 'repay'; m: string; asset: Asset; amount: number }
  | { t: 'adjust'; m: string; asset: Asset; lot: number; amount: number }
  | { t: 'transfer'; from: string; to: string; lot: number; amount: number }
  | { t: 'replay'; i: number }
  | { t: 'group'; items: Array<{ m: string; lot: number; amount: number; spend: boolean }> };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('earn' as const),
      m: memberArb,
      asset: assetArb,
      amount: amountArb,
    }),
  },
  fc.record({
    t: fc.constant('spend' as const),
    m: memberArb,
    asset: assetArb,
    lot: pick,
    amount: amountArb,
  }),
  fc.record({ t: fc.constant('hold' as const), m: memberArb, lot: pick, amount: amountArb }),
  fc.record({ t: fc.constant('capture' as const), h: pick, amount: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ t: fc.constant('void' as const), h: pick }),
  fc.record({
    t: fc.constant('reverse' as const),
    m: memberArb,
    asset: assetArb,
    lot: pick,
    amount: amountArb,
  }),
  fc.record({ t: fc.constant('repay' as const), m: memberArb, asset: assetArb, amount: amountArb }),
  fc.record({
    t: fc.constant('adjust' as const),
    m: memberArb,
    asset: assetArb,
    lot: pick,
    amount: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0),
  }),
  fc.record({
    t: fc.constant('transfer' as const),
    from: memberArb,
    to: memberArb,
    lot: pick,
    amount: amountArb,
  }),
  fc.record({ t: fc.constant('replay' as const), i: pick }),
  fc.record({
    t: fc.constant('group' as const),
    items: fc.array(fc.record({ m: memberArb, lot: pick, amount: amountArb, spend: fc.boolean() }), {
      minLength: 2,
      maxLength: 4,
    }),
  }),
);

const REFUSALS = new Set(['INSUFFICIENT_BALANCE', 'LOT_EXHAUSTED', 'HOLD_EXCEEDED', 'HOLD_CLOSED']);
const newLot = { availableAt: AT, expiresAt: null };

describe('ledger properties over random operation sequences', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.remove());

  it('never stores a negative balance, balances = Σ entries, replays change nothing, verify is clean', () => {
    let run = 0;
    const seen = { committed: 0, refused: 0, replayed: 0 };
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 40, size: 'max' }), (ops) => {
        const ledger = openLedger(dir.file(`run-${run++}.db`));
        try {
          const stats = check(ledger, ops);
          seen.committed += stats.committed;
          seen.refused += stats.refused;
          seen.replayed += stats.replayed;
        } finally {
          ledger.close();
        }
      }),
      { numRuns: 60 },
    );
    // The sequences really exercise refusals and replays, not only the happy path.
    expect(seen.refused).toBeGreaterThan(20);
    expect(seen.replayed).toBeGreaterThan(20);
    expect(seen.committed).toBeGreaterThan(200);
  });
});

function check(ledger: Ledger, ops: Op[]): { committed: number; refused: number; replayed: number } {
  for (const m of MEMBERS) ledger.addMember(member(m));
  const model = new Map<string, number>();
  const key = (m: string, a: Asset, b: Bucket) => `${m}:${a}:${b}`;
  const committed: LedgerCommit[] = [];
  const holds: Array<{ id: string; m: string }> = [];
  let n = 0;
  let refused = 0;
  let replayed = 0;

  const lotOf = (m: string, asset: Asset, i: number) => {
    const lots = ledger.loadMemberState(m, new Date(), 12).lots.filter((l) => l.asset === asset);
    return lots.length === 0 ? undefined : lots[i % lots.length];
  };
  const build = (postings: Posting[], effects?: LedgerCommit['effects']): LedgerCommit => {
    const tx: LedgerCommit = {
      idempotencyKey: `k${n++}`,
      requestHash: `h${n}`,
      type: 'op',
      at: AT,
      programVersion: 1,
      storeId: 's',
      postings,
      response: { n },
    };
    if (effects) tx.effects = effects;
    return tx;
  };
  const record = (tx: LedgerCommit, error: unknown): boolean => {
    if (error !== undefined) {
      if (!(error instanceof LedgerError) || !REFUSALS.has(error.code)) throw error;
      refused++;
      return false;
    }
    committed.push(tx);
    for (const p of tx.postings) {
      const k = key('member' in p.owner ? p.owner.member : '', p.asset, p.bucket);
      model.set(k, (model.get(k) ?? 0) + p.amount);
    }
    return true;
  };
  const attempt = (postings: Posting[], effects?: LedgerCommit['effects']): boolean => {
    const tx = build(postings, effects);
    try {
      ledger.commit(tx);
    } catch (err) {
      return record(tx, err);
    }
    return record(tx, undefined);
  };

  const p = (
    m: string,
    asset: Asset,
    bucket: Bucket,
    kind: Posting['kind'],
    amount: number,
    extra: Partial<Posting> = {},
  ): Posting => ({
    owner: { member: m },
    asset,
    bucket,
    kind,
    amount,
    ...extra,
  });

  for (const op of ops) {
    switch (op.t) {
      case 'earn':
        attempt([p(op.m, op.asset, 'available', 'earn', op.amount, { lot: newLot, qualifying: op.amount })]);
        break;
      case 'spend': {
        const lot = lotOf(op.m, op.asset, op.lot);
        if (lot) attempt([p(op.m, op.asset, 'available', 'spend', -op.amount, { lotId: lot.id })]);
        break;
      }
      case 'hold': {
        const lot = lotOf(op.m, 'credit', op.lot);
        if (!lot) break;
        const id = `h${n}`;
        const meta = { holdId: id };
        const take = p(op.m, 'credit', 'available', 'hold', -op.amount, { lotId: lot.id, meta });
        // Half open the hold explicitly, half from the held posting alone (as the engine does).
        const ok =
          n % 2 === 0
            ? attempt([take, p(op.m, 'credit', 'held', 'hold', op.amount, { meta })], {
                openHolds: [{ holdId: id, memberId: op.m, amount: op.amount, expiresAt: AT }],
              })
            : attempt([
                take,
                p(op.m, 'credit', 'held', 'hold', op.amount, { meta: { ...meta, expiresAt: AT } }),
              ]);
        if (ok) holds.push({ id, m: op.m });
        break;
      }
      case 'capture':
      case 'void': {
        const h = holds[op.h % Math.max(1, holds.length)];
        if (!h) break;
        const held =
          ledger.loadMemberState(h.m, new Date(), 12).holds.find((x) => x.holdId === h.id)?.amount ?? 0;
        const take = op.t === 'capture' ? op.amount : 0;
        const meta = { holdId: h.id };
        const postings: Posting[] = [];
        if (take > 0) postings.push(p(h.m, 'credit', 'held', 'capture', -take, { meta }));
        if (held - take > 0) {
          postings.push(p(h.m, 'credit', 'held', 'release', -(held - take), { meta }));
          postings.push(p(h.m, 'credit', 'available', 'release', held - take, { meta, lot: newLot }));
        }
        // A capture closes explicitly; a void relies on the ledger closing the emptied hold.
        if (op.t === 'capture') attempt(postings, { closeHolds: [{ holdId: h.id, status: 'captured' }] });
        else attempt(postings);
        break;
      }
      case 'reverse': {
        // A return: what the lot still has is taken back, the rest becomes debt (negativeBalance: debt).
        const lot = lotOf(op.m, op.asset, op.lot);
        const fromLot = Math.min(op.amount, lot?.remaining ?? 0);
        const postings: Posting[] = [];
        if (lot && fromLot > 0)
          postings.push(
            p(op.m, op.asset, 'available', 'reverse', -fromLot, { lotId: lot.id, qualifying: -fromLot }),
          );
        if (op.amount > fromLot) postings.push(p(op.m, op.asset, 'debt', 'debt', op.amount - fromLot));
        attempt(postings);
        break;
      }
      case 'repay':
        // Deliberately may exceed the debt: must be refused, not stored negative.
        attempt([p(op.m, op.asset, 'debt', 'debt-repay', -op.amount)]);
        break;
      case 'adjust': {
        const lot = lotOf(op.m, op.asset, op.lot);
        if (op.amount > 0)
          attempt([
            p(op.m, op.asset, 'available', 'adjust', op.amount, {
              lot: newLot,
              meta: { reason: 'x', operator: 'o' },
            }),
          ]);
        else if (lot)
          attempt([
            p(op.m, op.asset, 'available', 'adjust', op.amount, {
              lotId: lot.id,
              meta: { reason: 'x', operator: 'o' },
            }),
          ]);
        break;
      }
      case 'transfer': {
        const lot = lotOf(op.from, 'points', op.lot);
        if (!lot) break;
        attempt([
          p(op.from, 'points', 'available', 'transfer-out', -op.amount, {
            lotId: lot.id,
            meta: { to: op.to },
          }),
          p(op.to, 'points', 'available', 'transfer-in', op.amount, { lot: newLot, meta: { from: op.from } }),
        ]);
        break;
      }
      case 'group': {
        // Group commit: each transaction in its own savepoint; refused ones leave no trace.
        const txs = op.items.flatMap((it) => {
          const lot = lotOf(it.m, 'points', it.lot);
          if (!it.spend) return [build([p(it.m, 'points', 'available', 'earn', it.amount, { lot: newLot })])];
          return lot ? [build([p(it.m, 'points', 'available', 'spend', -it.amount, { lotId: lot.id })])] : [];
        });
        for (const [i, o] of ledger.commitMany(txs).entries())
          record(txs[i] as LedgerCommit, o.ok ? undefined : o.error);
        break;
      }
      case 'replay': {
        const tx = committed[op.i % Math.max(1, committed.length)];
        if (!tx) break;
        const before = snapshot(ledger);
        const r = ledger.commit(tx);
        expect(r.replayed).toBe(true);
        expect(r.response).toEqual(tx.response);
        expect(snapshot(ledger)).toEqual(before);
        replayed++;
        break;
      }
    }
    const negative = ledger.db.prepare('SELECT COUNT(*) AS n FROM balances WHERE amount < 0').get() as {
      n: number;
    };
    expect(negative.n).toBe(0);
    for (const m of MEMBERS) {
      for (const a of ['points', 'credit'] as const) {
        for (const b of ['available', 'held', 'debt'] as const) {
          expect(ledger.balance({ member: m }, a, b)).toBe(model.get(key(m, a, b)) ?? 0);
        }
      }
    }
  }
  expect(ledger.pendingCount()).toBe(committed.length);
  expect(ledger.verify()).toEqual([]);
  return { committed: committed.length, refused, replayed };
}

function snapshot(ledger: Ledger): unknown {
  return {
    balances: ledger.db.prepare('SELECT * FROM balances ORDER BY 1, 2, 3, 4').all(),
    lots: ledger.db.prepare('SELECT id, remaining FROM lots ORDER BY id').all(),
    seq: ledger.lastSeq(),
    outbox: ledger.pendingCount(),
  };
}
