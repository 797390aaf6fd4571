/**
 * The one check of what an ISO-8601 instant with offset is (docs/protocol.md §1: instants are
 * ISO-8601 with offset). JavaScript's Date.parse rolls `2026-02-30` over to March and takes
 * `24:00`; PostgreSQL refuses year 0 and other fields out of range. So an instant is checked
 * field by field here, once, and every part that takes one (till requests, the program file,
 * hq's ingest) uses this check: what the store accepts, head office can store.
 */
import type { z } from 'zod';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days in month `m` (1-12) of year `y`, proleptic Gregorian. */
export const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

/** The offset a real zone can have: UTC-12:00 to UTC+14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Why `text` is not a real instant with offset, or null when it is: a calendar date that
 * exists (no rollover), year 0001-9999, hour 00-23, minute and second 00-59, an offset
 * within ±14:00 with minutes 00-59.
 */
export function instantProblem(text: string): string | null {
  const m = INSTANT.exec(text);
  if (!m) return 'must be ISO-8601 with offset, e.g. 2026-11-23T18:05:00+04:00';
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1) return 'year must be 0001 or later';
  if (mo < 1 || mo > 12) return `month ${m[2]} does not exist`;
  if (d < 1 || d > daysInMonth(y, mo)) return `${m[1]}-${m[2]}-${m[3]} is not a real calendar date`;
  if (h > 23) return `hour ${m[4]} does not exist (00-23)`;
  if (mi > 59) return `minute ${m[5]} does not exist (00-59)`;
  if (s > 59) return `second ${m[6]} does not exist (00-59)`;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (om > 59 || oh * 60 + om > MAX_OFFSET_MINUTES) return `offset ${m[8]} is not a real UTC offset`;
  }
  return null;
}

export const isRealInstant = (text: string): boolean => instantProblem(text) === null;

/** Why `text` is not a real calendar date YYYY-MM-DD (a birth date), or null. */
export function dateProblem(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return 'must be a date YYYY-MM-DD';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))
    return `${text} is not a real calendar date`;
  return null;
}

/**
 * For a zod string schema that already checks the ISO-8601 shape with a regex (so the JSON
 * Schema keeps its pattern): adds the calendar problem, and nothing when the shape is wrong
 * (the regex has said so).
 */
export const refineInstant = (text: string, ctx: z.RefinementCtx): void => {
  if (!INSTANT.test(text)) return;
  const problem = instantProblem(text);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
};
