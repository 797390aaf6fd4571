import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  endOfDay,
  isoWeek,
  localParts,
  localPartsByIntl,
  yearlyDate,
} from '../../../gateway/src/engine/calendar.ts';
import { inHours } from '../../../gateway/src/engine/filters.ts';
import {
  floor,
  fromDecimal,
  parseRational,
  rat,
  toRationalString,
} from '../../../gateway/src/engine/rational.ts';

describe('rationals', () => {
  it('reads decimals exactly and floors toward −∞', () => {
    expect(fromDecimal(1.25)).toEqual(rat(5, 4));
    expect(fromDecimal(0.1)).toEqual(rat(1, 10));
    expect(fromDecimal(1e-7)).toEqual(rat(1, 10_000_000));
    expect(floor(rat(-3, 2))).toBe(-2);
    expect(floor(rat(9, 5))).toBe(1);
    expect(parseRational(toRationalString(rat(54, 14)))).toEqual(rat(27, 7));
  });
});

describe('calendar in the program timezone', () => {
  it('local day, weekday, end of day', () => {
    expect(localParts('2026-12-04T23:30:00Z', 'Asia/Yerevan')).toMatchObject({
      y: 2026,
      m: 12,
      d: 5,
      hour: 3,
      weekday: 'sat',
    });
    expect(new Date(endOfDay({ y: 2026, m: 12, d: 5 }, 'Asia/Yerevan')).toISOString()).toBe(
      '2026-12-05T19:59:59.999Z',
    );
    // a DST zone: 2026-03-29 has 23 hours in Berlin
    expect(new Date(endOfDay({ y: 2026, m: 3, d: 29 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T21:59:59.999Z',
    );
  });

  it('months, ISO weeks, leap days, hour windows', () => {
    expect(addMonths({ y: 2026, m: 1, d: 31 }, 1)).toEqual({ y: 2026, m: 2, d: 28 });
    expect(addMonths({ y: 2026, m: 3, d: 15 }, -15)).toEqual({ y: 2024, m: 12, d: 15 });
    expect(isoWeek({ y: 2027, m: 1, d: 1 })).toEqual({ year: 2026, week: 53 });
    expect(isoWeek({ y: 2026, m: 12, d: 2 })).toEqual({ year: 2026, week: 49 });
    expect(yearlyDate('2000-02-29', 2027)).toEqual({ y: 2027, m: 2, d: 28 });
    expect(inHours('22:00-02:00', { hour: 1, minute: 59 })).toBe(true);
    expect(inHours('22:00-02:00', { hour: 2, minute: 0 })).toBe(false);
    expect(inHours('08:00-10:00', { hour: 8, minute: 0 })).toBe(true);
  });
});

describe('local time memo', () => {
  // Zones with DST at odd local hours, half- and quarter-hour offsets, a 30-minute DST shift.
  const zones = [
    'Asia/Yerevan',
    'Europe/London',
    'America/New_York',
    'America/St_Johns',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Europe/Dublin',
  ];
  const read = (ms: number, tz: string) => {
    const iso = new Date(ms).toISOString();
    return [localParts(iso, tz), localPartsByIntl(iso, tz)];
  };

  it('gives what Intl gives at any instant, in any zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, tz) => {
          const [fast, intl] = read(ms, tz);
          expect(fast).toEqual(intl);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('gives what Intl gives every minute around DST changes', () => {
    const around = [
      ['Europe/London', Date.UTC(2026, 2, 29, 1)],
      ['Europe/London', Date.UTC(2026, 9, 25, 1)],
      ['America/New_York', Date.UTC(2026, 2, 8, 7)],
      ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)],
      ['Pacific/Chatham', Date.UTC(2026, 3, 4, 14)],
    ] as const;
    for (const [tz, change] of around) {
      for (let ms = change - 3 * 3_600_000; ms <= change + 3 * 3_600_000; ms += 60_000 + 1_001) {
        const [fast, intl] = read(ms, tz);
        expect(fast, `${tz} ${new Date(ms).toISOString()}`).toEqual(intl);
      }
    }
  });
});
