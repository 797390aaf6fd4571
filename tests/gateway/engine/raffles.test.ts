import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buyRaffleEntries,
  drawRaffle,
  type RaffleEntryRecord,
  verifyDraw,
} from '../../../gateway/src/engine/raffles.ts';
import { processSale } from '../../../gateway/src/engine/sale.ts';
import { ctx, member, pointsLot, program, sale } from './helpers.ts';

const seed = 'revealed-at-the-draw';
const raffle = {
  id: 'ny',
  name: { en: 'New Year' },
  opens: '2026-12-01T00:00:00+04:00',
  closes: '2026-12-31T23:59:59+04:00',
  drawAt: '2027-01-02T12:00:00+04:00',
  winners: 2,
  entries: { perPoints: 10, cost: { points: 50 }, maxPerMember: 5 },
  seedSha256: createHash('sha256').update(seed).digest('hex'),
};

describe('raffles (docs/program-raffles.md)', () => {
  it('a sale earns one entry per perPoints points while the raffle is open', () => {
    const p = program({ raffles: [raffle] });
    const r = processSale(ctx(p), member(), sale([{ amount: 250000 }]));
    // 25 points → floor(25 / 10) = 2 entries
    expect(r.transaction.records.raffleEntries).toEqual([
      { raffleId: 'ny', memberId: 'm1', entries: 2, source: 'earned', at: '2026-12-02T10:00:00+04:00' },
    ]);
    const before = processSale(
      ctx(p),
      member(),
      sale([{ amount: 250000 }], { at: '2026-11-30T10:00:00+04:00' }),
    );
    expect(before.transaction.records.raffleEntries).toBeUndefined();
  });

  it('entries can be bought with points, up to maxPerMember', () => {
    const p = program({ raffles: [raffle] });
    const m = member({ lots: [pointsLot(1, 200, '2026-11-01T10:00:00+04:00')] });
    const r = buyRaffleEntries(ctx(p), m, { raffleId: 'ny', count: 3, held: 1 });
    expect(r.transaction.postings).toEqual([
      expect.objectContaining({ kind: 'spend', amount: -150, ruleId: 'ny' }),
    ]);
    expect(() => buyRaffleEntries(ctx(p), m, { raffleId: 'ny', count: 3, held: 3 })).toThrow(
      expect.objectContaining({ field: 'count' }),
    );
    expect(() => buyRaffleEntries(ctx(p), m, { raffleId: 'ny', count: 5, held: 0 })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }),
    );
  });

  it('the draw is reproducible from the revealed seed, order-independent, one win per member', () => {
    const entries: RaffleEntryRecord[] = ['a', 'b', 'c', 'd'].map((memberId, i) => ({
      raffleId: 'ny',
      memberId,
      entries: i + 1,
      source: 'earned',
      at: raffle.opens,
    }));
    const winners = drawRaffle(raffle, seed, entries);
    expect(winners).toHaveLength(2);
    expect(new Set(winners.map((w) => w.memberId)).size).toBe(2);
    expect(drawRaffle(raffle, seed, [...entries].reverse())).toEqual(winners);
    // anyone can recompute a winning ticket's score
    const w = winners[0];
    expect(w?.score).toBe(
      createHash('sha256').update(`${seed}:ny:${w?.memberId}:${w?.ticket}`).digest('hex'),
    );
    expect(verifyDraw(raffle, seed, entries, winners)).toBe(true);
    expect(() => drawRaffle(raffle, 'another seed', entries)).toThrow(
      expect.objectContaining({ field: 'seed' }),
    );
  });
});
