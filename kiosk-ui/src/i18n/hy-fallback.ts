/**
 * Armenian number and date formats (CLDR `hy`) for browsers whose ICU lacks the locale:
 * Debian's Chromium ships ICU without `hy`, so `Intl` would silently fall back to English
 * ("6,450", "Nov 23, 2026"). Group separator NBSP from 5 digits (minimumGroupingDigits 2),
 * decimal comma, dram sign after the amount, "23 նոյ, 2026 թ.".
 */
const MONTHS = ['հնվ', 'փտվ', 'մրտ', 'ապր', 'մյս', 'հնս', 'հլս', 'օգս', 'սեպ', 'հոկ', 'նոյ', 'դեկ'];
const NBSP = '\u00a0';

export const hySupported = (): boolean => Intl.NumberFormat.supportedLocalesOf(['hy-AM']).length > 0;

export const hyNumber = (n: number, fractionDigits = 0): string => {
  const sign = n < 0 ? '-' : '';
  const [whole = '0', fraction] = Math.abs(n).toFixed(fractionDigits).split('.');
  const grouped = whole.length < 5 ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return `${sign}${grouped}${fraction ? `,${fraction}` : ''}`;
};

export const hyMoney = (minor: number, currency: string): string => {
  const whole = minor % 100 === 0;
  const symbol = currency === 'AMD' ? '֏' : currency;
  return `${hyNumber(minor / 100, whole ? 0 : 2)}${NBSP}${symbol}`;
};

/** Calendar fields of an instant in `timeZone` (the locale-neutral parts Intl always has). */
const fields = (iso: string, timeZone?: string) => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
};

export const hyDate = (iso: string, timeZone?: string): string => {
  const { y, m, d } = fields(iso, timeZone);
  return `${d} ${MONTHS[m - 1]}, ${y} թ.`;
};

export const hyDateTime = (iso: string, timeZone?: string): string => {
  const { y, m, d, h, min } = fields(iso, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d)}.${pad(m)}.${y}, ${pad(h)}:${pad(min)}`;
};
