/**
 * Calendar arithmetic in the program time zone with Intl only (docs/program.md: Units — the
 * program's `timezone` decides "which day"). Pure: instants in, instants/dates out.
 */
import type { DayOfWeek } from '../program/schema.ts';

export interface LocalDate {
  y: number;
  m: number; // 1..12
  d: number; // 1..31
}

export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  weekday: DayOfWeek;
}

const WEEKDAYS: Record<string, DayOfWeek> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

// A memo of immutable formatters (building one costs ~0.1 ms); not state that changes results.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function toMs(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${instant}`);
  return ms;
}

export const toIso = (ms: number): string => new Date(ms).toISOString();

/** The local wall clock at `ms` in tz, as Intl formats it (the reference; ~5 µs a call). */
function intlPartsAt(ms: number, tz: string): LocalParts & { second: number } {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    y: Number(out.year),
    m: Number(out.month),
    d: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 'mon',
  };
}

/** tz's offset from UTC at `ms` (whole seconds, as Intl shows the wall clock). */
function offsetAt(ms: number, tz: string): number {
  const p = intlPartsAt(ms, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * A memo of each zone's UTC offset per quarter hour: an offset changes at most once in a
 * quarter hour, and a quarter whose two ends disagree (it holds a change) is not memoised,
 * so the fast path gives exactly what Intl gives. One sale asks for the local time ~10
 * times (its day, its lot's expiry, the tier window); Intl costs ~5 µs each.
 */
const QUARTER_MS = 15 * 60_000;
const WEEKDAY_OF_UTC_DAY: DayOfWeek[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const offsets = new Map<string, Map<number, number | null>>();

function partsAt(ms: number, tz: string): LocalParts & { second: number } {
  let zone = offsets.get(tz);
  if (!zone) {
    zone = new Map();
    offsets.set(tz, zone);
  }
  const quarter = Math.floor(ms / QUARTER_MS);
  let offset = zone.get(quarter);
  if (offset === undefined) {
    const start = offsetAt(quarter * QUARTER_MS, tz);
    offset = start === offsetAt((quarter + 1) * QUARTER_MS - 1, tz) ? start : null;
    if (zone.size >= 4096) zone.clear();
    zone.set(quarter, offset);
  }
  if (offset === null || !Number.isFinite(offset)) return intlPartsAt(ms, tz);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset);
  const y = wall.getUTCFullYear();
  // Intl's en-US years are 1..9999 (no year 0 or negative years): leave those to it.
  if (y < 1 || y > 9999) return intlPartsAt(ms, tz);
  return {
    y,
    m: wall.getUTCMonth() + 1,
    d: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: WEEKDAY_OF_UTC_DAY[wall.getUTCDay()] ?? 'mon',
  };
}

/** For tests: the local wall clock by Intl alone (what the memoised path must equal). */
export const localPartsByIntl = (instant: string, tz: string): LocalParts & { second: number } =>
  intlPartsAt(toMs(instant), tz);

export function localParts(instant: string, tz: string): LocalParts {
  return partsAt(toMs(instant), tz);
}

export function localDateOf(instant: string, tz: string): LocalDate {
  const { y, m, d } = partsAt(toMs(instant), tz);
  return { y, m, d };
}

export const formatDate = ({ y, m, d }: LocalDate): string =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function parseDate(s: string): LocalDate {
  const [y = 0, m = 1, d = 1] = s.split('-').map(Number);
  return { y, m, d };
}

export const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Same day N months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(date: LocalDate, n: number): LocalDate {
  const index = date.y * 12 + (date.m - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}

export function addDays(date: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** The instant a local wall-clock time happens in tz (DST gaps resolve forward). */
export function zonedInstant(date: LocalDate, tz: string, hour = 0, minute = 0, second = 0, ms = 0): number {
  const wall = Date.UTC(date.y, date.m - 1, date.d, hour, minute, second, ms);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = partsAt(guess, tz);
    const seen = Date.UTC(p.y, p.m - 1, p.d, p.hour, p.minute, p.second, guess % 1000);
    const diff = wall - seen;
    if (diff === 0) break;
    guess += diff;
  }
  return guess;
}

export const startOfDay = (date: LocalDate, tz: string): number => zonedInstant(date, tz);

/** Last millisecond of the local day (docs/program.md: lots expire "at the end of the day"). */
export const endOfDay = (date: LocalDate, tz: string): number => startOfDay(addDays(date, 1), tz) - 1;

export const endOfYear = (year: number, tz: string): number => endOfDay({ y: year, m: 12, d: 31 }, tz);

/** ISO-8601 week: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(date: LocalDate): { year: number; week: number } {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { year: t.getUTCFullYear(), week: Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

/** The day a yearly date (birthday, anniversary) falls on in `year`: 29 Feb → 28 Feb in common years. */
export function yearlyDate(dateOfBirth: string, year: number): LocalDate {
  const { m, d } = parseDate(dateOfBirth);
  return { y: year, m, d: Math.min(d, daysInMonth(year, m)) };
}

export const sameDate = (a: LocalDate, b: LocalDate): boolean => a.y === b.y && a.m === b.m && a.d === b.d;
