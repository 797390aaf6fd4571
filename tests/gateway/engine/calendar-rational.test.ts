import { describe, expect, it } from 'vitest';
import {
  addMonths,
  endOfDay,
  isoWeek,
  localParts,
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
