/**
 * Merged lots (docs/ledger.md: Merged lots): an earning folds into the member's open lot that
 * the program cannot tell apart from a new one, and migration 005 merges the open lots of an
 * existing store database the same way; balances, spending order and expiry stay exact.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Lot } from '../../../gateway/src/domain/ledger-types.ts';
import { compareLots } from '../../../gateway/src/engine/lots.ts';
import { loadMigrations, migrate } from '../../../gateway/src/ledger/database.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { testConfigValue } from '../../fakes/gateway-fixture.ts';
import { AT, earn, member, spend, tx } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { cli } from '../cli/run-cli.ts';

const DAY = 86_400_000;
const EXPIRY = ['2027-11-23T23:59:59.999+04:00', '2027-11-24T23:59:59.999+04:00', null] as const;
const lotOf = (availableAt: string, expiresAt: string | null) => ({ availableAt, expiresAt });
const later = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();

describe('lots merged at posting time', () => {
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
  const lots = () => ledger.loadMemberState('m1', new Date(later(30 * DAY)), 12).lots;

  it('folds an earning into the open lot of the same asset, expiry day and availability', () => {
    for (let i = 0; i < 50; i++) {
      const at = later(i * 60_000);
      ledger.commit(tx([{ ...earn('m1', 10), lot: lotOf(at, EXPIRY[0]) }], { at }));
    }
    ledger.commit(tx([{ ...earn('m1', 7), lot: lotOf(AT, EXPIRY[1]) }]));
    ledger.commit(tx([{ ...earn('m1', 500, 'credit'), lot: lotOf(AT, null) }]));
    ledger.commit(tx([{ ...earn('m1', 300, 'credit'), lot: lotOf(AT, null) }]));
    expect(lots().map((l) => [l.id, l.asset, l.remaining, l.expiresAt])).toEqual([
      [3, 'credit', 800, null],
      [1, 'points', 500, EXPIRY[0]],
      [2, 'points', 7, EXPIRY[1]],
    ]);
    // The first earning's lot keeps its dates: earned first, so it is spent first among equals.
    expect(lots()[1]).toMatchObject({ earnedAt: later(0), availableAt: later(0) });
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(507);
    expect(ledger.verify()).toEqual([]);
  });

  it('keeps pending points apart until they could not be told apart', () => {
    const pendingUntil = (days: number) => later(days * DAY);
    ledger.commit(tx([{ ...earn('m1', 10), lot: lotOf(pendingUntil(3), EXPIRY[0]) }]));
    ledger.commit(tx([{ ...earn('m1', 20), lot: lotOf(pendingUntil(3), EXPIRY[0]) }])); // same instant
    ledger.commit(tx([{ ...earn('m1', 40), lot: lotOf(pendingUntil(4), EXPIRY[0]) }])); // spendable later
    ledger.commit(tx([{ ...earn('m1', 80), lot: lotOf(AT, EXPIRY[0]) }])); // spendable now
    expect(lots().map((l) => [l.remaining, l.availableAt])).toEqual([
      [30, pendingUntil(3)],
      [40, pendingUntil(4)],
      [80, AT],
    ]);
    // Once both are spendable, a new earning folds into the spendable one only.
    const at = pendingUntil(5);
    ledger.commit(tx([{ ...earn('m1', 5), lot: lotOf(at, EXPIRY[0]) }], { at }));
    expect(lots().map((l) => l.remaining)).toEqual([35, 40, 80]);
    expect(ledger.verify()).toEqual([]);
  });

  it('a spend, a reversal and an expiry take from the merged lot as from the lots it holds', () => {
    for (let i = 0; i < 3; i++) ledger.commit(tx([{ ...earn('m1', 100), lot: lotOf(AT, EXPIRY[0]) }]));
    ledger.commit(tx([spend('m1', 1, 250)]));
    expect(() => ledger.commit(tx([spend('m1', 1, 51)]))).toThrow(/LOT_EXHAUSTED/);
    const expired = ledger.findExpiredLots(new Date('2027-11-24T00:00:00+04:00'));
    expect(expired.map((l) => [l.lotId, l.remaining])).toEqual([[1, 50]]);
    ledger.commit(
      tx([
        {
          owner: { member: 'm1' },
          asset: 'points',
          bucket: 'available',
          kind: 'expire',
          amount: -50,
          lotId: 1,
        },
      ]),
    );
    expect(ledger.balance({ member: 'm1' }, 'points')).toBe(0);
    expect(ledger.verify()).toEqual([]);
  });
});

describe('merged lots decide like separate ones', () => {
  it('spending soonest-expiring first leaves the same amount per expiry day, merged or not', () => {
    const op = fc.oneof(
      fc.record({
        t: fc.constant('earn' as const),
        day: fc.integer({ min: 0, max: 2 }),
        amount: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({ t: fc.constant('spend' as const), amount: fc.integer({ min: 1, max: 80 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const dir = makeTempDir();
        const ledger = openLedger(dir.file('ledger.db'));
        try {
          ledger.addMember(member('m1'));
          // The model: one lot per earning, as before merging; consumed in the engine's order.
          const model: Lot[] = [];
          for (const [i, o] of ops.entries()) {
            const at = later(i * 1000);
            if (o.t === 'earn') {
              const lot = lotOf(at, EXPIRY[o.day] ?? null);
              ledger.commit(tx([{ ...earn('m1', o.amount), lot }], { at }));
              model.push({ id: i, asset: 'points', remaining: o.amount, earnedAt: at, ...lot });
              continue;
            }
            const stored = ledger.loadMemberState('m1', new Date(at), 12).lots.sort(compareLots);
            const total = stored.reduce((s, l) => s + l.remaining, 0);
            if (total < o.amount) continue;
            let left = o.amount;
            const postings = [];
            for (const l of stored) {
              const take = Math.min(left, l.remaining);
              if (take > 0) postings.push(spend('m1', l.id, take));
              left -= take;
            }
            ledger.commit(tx(postings, { at }));
            left = o.amount;
            for (const l of model.filter((m) => m.remaining > 0).sort(compareLots)) {
              const take = Math.min(left, l.remaining);
              l.remaining -= take;
              left -= take;
            }
          }
          const perDay = (lots: Lot[]) =>
            EXPIRY.map((e) => lots.filter((l) => l.expiresAt === e).reduce((s, l) => s + l.remaining, 0));
          const stored = ledger.loadMemberState('m1', new Date(later(ops.length * 1000)), 12).lots;
          expect(perDay(stored)).toEqual(perDay(model));
          // At most one lot per expiry day (all are spendable at once here).
          expect(stored.length).toBeLessThanOrEqual(EXPIRY.length);
          expect(ledger.verify()).toEqual([]);
        } finally {
          ledger.close();
          dir.remove();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('migration 005 on an existing store database', () => {
  let dir: ReturnType<typeof makeTempDir>;
  afterEach(() => dir.remove());

  it('merges the open lots, backfills the day sums, and `ledger verify` is clean', () => {
    dir = makeTempDir();
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir);
    const config = join(dir.path, 'config.yaml');
    writeFileSync(config, stringify(testConfigValue(dataDir)));
    // A store database as the ledger wrote it before 005: one lot per earning.
    const before = openLedger(join(dataDir, 'store.db'), { migrationsDir: dir.path });
    migrate(
      before.db,
      loadMigrations().filter((m) => m.version < 5),
    );
    const db = before.db;
    db.prepare("INSERT INTO members (id, first_name, tier, enrolled_at) VALUES ('m1', 'A', 'bronze', ?)").run(
      AT,
    );
    let seq = 0;
    const post = (amount: number, lot: number | null, qualifying: number, at: string, kind = 'earn') => {
      seq++;
      db.prepare(
        `INSERT INTO transactions (idempotency_key, type, at, store_id, program_version) VALUES (?, 'sale', ?, 's', 1)`,
      ).run(`k${seq}`, at);
      if (lot === 0) {
        lot = seq;
        db.prepare(
          `INSERT INTO lots (id, owner_type, owner_id, asset, amount, remaining, earned_at, available_at, expires_at,
             expires_ms, tx_id) VALUES (?, 'member', 'm1', 'points', ?, ?, ?, ?, ?, ?, ?)`,
        ).run(seq, amount, amount, at, pending.availableAt, pending.expiresAt, pending.expiresMs, seq);
      }
      db.prepare(
        `INSERT INTO entries (tx_id, owner_type, owner_id, asset, bucket, kind, amount, lot_id, qualifying, at, at_ms,
           program_version) VALUES (?, 'member', 'm1', 'points', 'available', ?, ?, ?, ?, ?, ?, 1)`,
      ).run(seq, kind, amount, lot, qualifying, at, Date.parse(at));
      if (amount < 0) db.prepare('UPDATE lots SET remaining = remaining + ? WHERE id = ?').run(amount, lot);
      db.prepare('INSERT INTO outbox (tx_id, from_seq, to_seq, created_at) VALUES (?, ?, ?, ?)').run(
        seq,
        seq,
        seq,
        at,
      );
    };
    const pending = { availableAt: AT, expiresAt: null as string | null, expiresMs: null as number | null };
    const newLot = (amount: number, availableAt: string, expiresAt: string | null, at: string) => {
      Object.assign(pending, { availableAt, expiresAt, expiresMs: expiresAt && Date.parse(expiresAt) });
      post(amount, 0, amount, at);
    };
    const far = new Date(Date.now() + 400 * DAY).toISOString();
    for (let i = 0; i < 5; i++) newLot(10 * (i + 1), AT, EXPIRY[0], later(i * 3_600_000)); // lots 1..5
    newLot(7, AT, EXPIRY[1], AT); // lot 6: another expiry day
    newLot(9, far, EXPIRY[0], AT); // lot 7: still pending
    post(-15, 2, 0, later(DAY), 'spend'); // lot 2 partly spent
    post(-10, 1, 0, later(DAY), 'spend'); // lot 1 spent out
    db.prepare(
      "INSERT INTO balances (owner_type, owner_id, asset, bucket, amount) VALUES ('member', 'm1', 'points', 'available', ?)",
    ).run(150 + 7 + 9 - 25);
    before.close();

    // Opening it (as every command and the gateway do) applies 005.
    const r = cli(['ledger', 'verify', '--config', config], dir.path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/clean/);

    const after = openLedger(join(dataDir, 'store.db'));
    try {
      const lots = after.loadMemberState('m1', new Date(later(2 * DAY)), 12).lots;
      // Lots 2..5 are one (lot 1 was empty); lot 6 and the pending lot 7 stay apart.
      expect(lots.map((l) => [l.id, l.remaining])).toEqual([
        [2, 20 - 15 + 30 + 40 + 50],
        [7, 9],
        [6, 7],
      ]);
      expect(after.balance({ member: 'm1' }, 'points')).toBe(141);
      // An entry computed before the merge still lands: it names lot 3, merged into lot 2.
      after.commit(tx([spend('m1', 3, 5)]));
      expect(after.loadMemberState('m1', new Date(later(2 * DAY)), 12).lots[0]?.remaining).toBe(120);
      // New earnings fold into the merged lot.
      after.commit(tx([{ ...earn('m1', 4), lot: lotOf(AT, EXPIRY[0]) }], { at: later(2 * DAY) }));
      expect(after.loadMemberState('m1', new Date(later(2 * DAY)), 12).lots[0]?.remaining).toBe(124);
      // The qualifying window reads the day sums the migration filled in.
      const q = after.loadMemberState('m1', new Date(later(2 * DAY)), 12).qualifying;
      expect(q.reduce((s, e) => s + e.amount, 0)).toBe(150 + 7 + 9);
      expect(after.verify()).toEqual([]);
    } finally {
      after.close();
    }
  });
});
