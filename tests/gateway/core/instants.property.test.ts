import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateProblem, daysInMonth, instantProblem } from '../../../gateway/src/core/instants.ts';
import { instant as programInstant } from '../../../gateway/src/program/schema.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The calendar fields of a UTC instant, as JavaScript reads them back (no year-0-is-1900 quirk). */
const fieldsOf = (y: number, mo: number, d: number, h: number, mi: number, s: number) => {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return [
    t.getUTCFullYear(),
    t.getUTCMonth() + 1,
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  ];
};

describe('instantProblem: a real calendar instant, no rollover', () => {
  it('accepts exactly the field combinations that do not roll over (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        (y, mo, d, h, mi, s) => {
          const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`;
          const same = fieldsOf(y, mo, d, h, mi, s).join() === [y, mo, d, h, mi, s].join();
          expect(instantProblem(text) === null).toBe(same);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('accepts every instant JavaScript prints (toISOString), whatever the offset it is shown in', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (date, offset) => {
          expect(instantProblem(date.toISOString())).toBeNull();
          // The same instant written with an offset is accepted and means the same instant.
          const local = new Date(date.getTime() + offset * 60_000);
          if (local.getUTCFullYear() < 1 || local.getUTCFullYear() > 9999) return;
          const sign = offset < 0 ? '-' : '+';
          const a = Math.abs(offset);
          const text = `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
          expect(instantProblem(text)).toBeNull();
          expect(Date.parse(text)).toBe(Math.floor(date.getTime() / 1000) * 1000);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses the dates of the field reports, and says why', () => {
    expect(instantProblem('2026-02-30T10:00:00+04:00')).toBe('2026-02-30 is not a real calendar date');
    expect(instantProblem('2025-02-29T10:00:00Z')).toBe('2025-02-29 is not a real calendar date');
    expect(instantProblem('2024-02-29T10:00:00Z')).toBeNull();
    expect(instantProblem('0000-01-01T10:00:00Z')).toBe('year must be 0001 or later');
    expect(instantProblem('2026-13-01T10:00:00Z')).toBe('month 13 does not exist');
    expect(instantProblem('2026-11-23T24:00:00Z')).toMatch(/^hour 24/);
    expect(instantProblem('2026-11-23T10:60:00Z')).toMatch(/^minute 60/);
    expect(instantProblem('2026-11-23T10:00:60Z')).toMatch(/^second 60/);
    expect(instantProblem('2026-11-23T10:00:00+15:00')).toMatch(/not a real UTC offset/);
    expect(instantProblem('2026-11-23T10:00:00+04:60')).toMatch(/not a real UTC offset/);
    expect(instantProblem('2026-11-23T10:00:00')).toMatch(/with offset/);
    expect(instantProblem('2026-11-23')).toMatch(/with offset/);
    expect(dateProblem('1990-02-30')).toBe('1990-02-30 is not a real calendar date');
    expect(dateProblem('2000-02-29')).toBeNull();
    expect(dateProblem('0000-01-01')).toMatch(/not a real calendar date/);
    expect(dateProblem('1990-2-3')).toBe('must be a date YYYY-MM-DD');
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });

  it('is the program file check too: one problem, naming the rollover', () => {
    const r = programInstant.safeParse('2026-02-30T10:00:00+04:00');
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['2026-02-30 is not a real calendar date']);
    const shape = programInstant.safeParse('tomorrow');
    expect(shape.error?.issues.map((i) => i.message)).toEqual(['must be ISO-8601 with offset']);
  });
});
