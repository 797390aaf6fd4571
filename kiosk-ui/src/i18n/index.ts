import { en } from './en.ts';
import { fa } from './fa.ts';
import { hy } from './hy.ts';
import { hyDate, hyDateTime, hyMoney, hyNumber, hySupported } from './hy-fallback.ts';
import type { Lang, Messages } from './messages.ts';
import { ru } from './ru.ts';

export { isLang, LANGS, type Lang, type Messages, type RefusalCode } from './messages.ts';

export const catalogue: Record<Lang, Messages> = { hy, fa, en, ru };

const LOCALES: Record<Lang, string> = { hy: 'hy-AM', fa: 'fa-IR', en: 'en-GB', ru: 'ru-RU' };

/** Right-to-left scripts: the layout mirrors through logical CSS properties. */
export const dirOf = (lang: Lang): 'rtl' | 'ltr' => (lang === 'fa' ? 'rtl' : 'ltr');

/** Locale-aware formatting (fa-IR writes Persian digits; hy-AM and ru-RU group with spaces). */
export interface Format {
  lang: Lang;
  t: Messages;
  num(n: number): string;
  points(n: number): string;
  /** Minor units of `currency` (docs/protocol.md §1: money is integer minor units). */
  money(minor: number, currency: string): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  percent(p: number): string;
  /** A program name map (docs/program.md names), in this language or English. */
  name(names: Partial<Record<Lang, string>> & { en: string }): string;
}

const cache = new Map<string, Format>();

/** Dates in the program's time zone (docs/program.md Units: it decides "which day"), when known. */
export const formatFor = (lang: Lang, timeZone?: string): Format => {
  const key = `${lang}|${timeZone ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const locale = LOCALES[lang];
  const t = catalogue[lang];
  const number = new Intl.NumberFormat(locale);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const money = new Map<string, Intl.NumberFormat>();
  const f: Format = {
    lang,
    t,
    num: (n) => number.format(n),
    points: (n) => t.points(n, number.format(n)),
    money: (minor, currency) => {
      const whole = minor % 100 === 0;
      const key = `${currency}:${whole}`;
      let nf = money.get(key);
      if (!nf) {
        nf = new Intl.NumberFormat(locale, {
          style: 'currency',
          currency,
          currencyDisplay: 'symbol',
          minimumFractionDigits: whole ? 0 : 2,
          maximumFractionDigits: whole ? 0 : 2,
        });
        money.set(key, nf);
      }
      return nf.format(minor / 100);
    },
    date: (iso) => date.format(new Date(iso)),
    dateTime: (iso) => dateTime.format(new Date(iso)),
    percent: (p) => percent.format(p / 100),
    name: (names) => names[lang] ?? names.en,
  };
  if (lang === 'hy' && !hySupported()) {
    Object.assign(f, {
      num: (n: number) => hyNumber(n),
      points: (n: number) => t.points(n, hyNumber(n)),
      money: hyMoney,
      date: (iso: string) => hyDate(iso, timeZone),
      dateTime: (iso: string) => hyDateTime(iso, timeZone),
      percent: (p: number) => `${hyNumber(p, Number.isInteger(p) ? 0 : 1)}%`,
    } satisfies Partial<Format>);
  }
  cache.set(key, f);
  return f;
};
