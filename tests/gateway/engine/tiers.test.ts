import { describe, expect, it } from 'vitest';
import { dailyTier, nextTier, qualifyingTotal } from '../../../gateway/src/engine/tiers.ts';
import { member, program } from './helpers.ts';

describe('tiers (docs/program.md: Tiers)', () => {
  const p = program({
    tiers: {
      basis: { earnedPointsMonths: 12 },
      downgradeGraceMonths: 1,
      levels: [
        { id: 'bronze', threshold: 0 },
        { id: 'silver', threshold: 1000 },
        { id: 'gold', threshold: 5000 },
      ],
    },
  });

  it('counts qualifying inside the trailing window, reversals included', () => {
    const m = member({
      qualifying: [
        { at: '2025-12-01T10:00:00+04:00', amount: 700 }, // before 2025-12-02 00:00 local: out
        { at: '2025-12-02T00:00:00+04:00', amount: 600 }, // first instant of the window: in
        { at: '2026-11-30T10:00:00+04:00', amount: 500 },
        { at: '2026-12-01T10:00:00+04:00', amount: -100 }, // a return
      ],
    });
    // 600 + 500 − 100 = 1000
    expect(qualifyingTotal(p, m, '2026-12-02T10:00:00+04:00')).toBe(1000);
    expect(nextTier(p, { ...m, tier: 'silver' }, '2026-12-02T10:00:00+04:00')).toEqual({
      id: 'gold',
      missing: 4000,
    });
  });

  it('downgrades daily to what qualifying reaches, not within the grace after an upgrade', () => {
    const m = member({
      tier: 'gold',
      tierSince: '2026-11-15T10:00:00+04:00',
      qualifying: [{ at: '2026-11-15T10:00:00+04:00', amount: 1200 }],
    });
    // grace of 1 month from 2026-11-15 ends at the start of 2026-12-15 local
    expect(dailyTier(p, m, '2026-12-14T23:59:00+04:00')).toEqual({ tier: 'gold', changed: false });
    expect(dailyTier(p, m, '2026-12-15T00:00:00+04:00')).toEqual({ tier: 'silver', changed: true });
    // when the window has moved past every earning, down to the first tier
    expect(dailyTier(p, m, '2027-11-16T00:00:00+04:00')).toEqual({ tier: 'bronze', changed: true });
  });

  it('upgrades in the daily run too, and without grace downgrades at once', () => {
    const noGrace = program({
      tiers: {
        basis: { earnedPointsMonths: 12 },
        levels: [
          { id: 'bronze', threshold: 0 },
          { id: 'silver', threshold: 1000 },
        ],
      },
    });
    const high = member({ qualifying: [{ at: '2026-11-01T10:00:00+04:00', amount: 1000 }] });
    expect(dailyTier(noGrace, high, '2026-12-02T10:00:00+04:00')).toEqual({ tier: 'silver', changed: true });
    const low = member({ tier: 'silver', tierSince: '2026-12-01T10:00:00+04:00', qualifying: [] });
    expect(dailyTier(noGrace, low, '2026-12-02T10:00:00+04:00')).toEqual({ tier: 'bronze', changed: true });
  });
});
