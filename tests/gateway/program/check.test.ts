import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProgram, formatPath } from '../../../gateway/src/program/check.ts';
import { loadProgram, loadProgramFile } from '../../../gateway/src/program/load.ts';

const demoPath = fileURLToPath(new URL('../../../gateway/demo/program.yaml', import.meta.url));

const minimal = {
  version: 1,
  currency: 'AMD',
  timezone: 'Asia/Yerevan',
  names: { points: { en: 'Points' }, credit: { en: 'Wallet' } },
};

describe('checkProgram (docs/program.md)', () => {
  it('the demo program passes and shows every feature', async () => {
    const r = await loadProgramFile(demoPath);
    if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    const p = r.program;
    expect(p.tiers.levels.map((l) => l.id)).toEqual(['bronze', 'silver', 'gold', 'vip']);
    expect(new Set(p.earn.map((e) => e.type))).toEqual(
      new Set(['spend', 'cashback', 'multiplier', 'product-bonus', 'event', 'discount']),
    );
    expect(p.names.points).toEqual({ en: 'Points', hy: 'Միավոր', fa: 'امتیاز', ru: 'Баллы' });
    expect(p.raffles).toHaveLength(1);
    expect(p.giftCards.enabled).toBe(true);
  });

  it('fills the defaults the page gives', () => {
    const r = checkProgram(minimal);
    if (!r.ok) throw new Error('refused');
    expect(r.program.points).toEqual({ pendingDays: 0, expiry: 'none' });
    expect(r.program.redemption).toEqual({
      maxPercentOfSale: 100,
      pinRequired: true,
      pinAttempts: 5,
      holdMinutes: 15,
    });
    expect(r.program.returns.negativeBalance).toBe('clamp');
    expect(r.program.conversion).toEqual({ pointsToCredit: null, creditToPoints: null });
    expect(r.program.tiers.downgradeGraceMonths).toBe(0);
  });

  it('a broken program lists every problem with its path', () => {
    const r = checkProgram({
      version: 0,
      currency: 'amd',
      timezone: 'Mars/Olympus',
      names: { points: { hy: 'Միավոր' }, credit: { en: 'Wallet' } },
      tiers: {
        basis: { earnedPointsMonths: 12 },
        levels: [
          { id: 'bronze', threshold: 10 },
          { id: 'silver', threshold: 5 },
          { id: 'silver', threshold: 20 },
        ],
      },
      earn: [
        { id: 'base', type: 'spend', points: 1, per: 10000 },
        { id: 'base', type: 'spend', points: 1, per: 0 },
        { id: 'x', type: 'multiplier', factor: 2, when: { hours: '25:00-26:00', from: '2026-02-30' } },
        { id: 'y', type: 'teleport' },
        { id: 'z', type: 'cashback', percent: 2, tiers: ['platinum'], perr: 3 },
      ],
      rewards: [
        {
          id: 'coffee',
          name: { en: 'Coffee' },
          cost: { points: 300 },
          grants: { credit: 100 },
          tiers: ['gold'],
        },
      ],
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'version',
        'currency',
        'timezone',
        'names.points.en',
        'tiers.levels[0].threshold',
        'tiers.levels[1].threshold',
        'tiers.levels[2].id',
        'earn[1].id',
        'earn[1].per',
        'earn[2].when.hours',
        'earn[2].when.from',
        'earn[3].type',
        'earn[4]',
        'earn[4].tiers[0]',
        'rewards[0].tiers[0]',
      ]),
    );
    const messages = r.ok ? [] : r.problems;
    expect(messages).toContainEqual({
      path: 'tiers.levels[0].threshold',
      message: 'the first tier must have threshold 0',
    });
    expect(messages).toContainEqual({ path: 'earn[4]', message: 'unknown field(s): perr' });
    expect(messages).toContainEqual({ path: 'rewards[0].tiers[0]', message: 'unknown tier "gold"' });
  });

  it('reports YAML syntax errors and accepts JSON', () => {
    const bad = loadProgram('version: [1\n');
    expect(bad.ok).toBe(false);
    expect(loadProgram(JSON.stringify(minimal), 'json').ok).toBe(true);
    expect(formatPath(['earn', 2, 'per'])).toBe('earn[2].per');
  });
  it('cards.requireToken (an addition, docs/engine.md): false unless set, a boolean', () => {
    const r = checkProgram(minimal);
    if (!r.ok) throw new Error('refused');
    expect(r.program.cards).toEqual({ requireToken: false });
    const strict = checkProgram({ ...minimal, cards: { requireToken: true } });
    expect(strict.ok && strict.program.cards.requireToken).toBe(true);
    const bad = checkProgram({ ...minimal, cards: { requireToken: 'yes', pin: 1 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.path).sort()).toEqual(['cards', 'cards.requireToken']);
  });
});
