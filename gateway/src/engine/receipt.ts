/** Printable receipt lines in the member's language (docs/protocol.md §1: sale `receipt[]`). */
import type { Language, LocalName, Program } from '../program/schema.ts';
import type { BreakdownEntry } from './accrual.ts';
import type { Balances } from './context.ts';

const LABELS: Record<
  Language,
  { earned: string; balance: string; pending: string; tier: string; up: string }
> = {
  en: { earned: 'Earned', balance: 'Balance', pending: 'Pending', tier: 'Tier', up: 'new tier' },
  hy: { earned: 'Կուտակված', balance: 'Մնացորդ', pending: 'Սպասվող', tier: 'Մակարդակ', up: 'նոր մակարդակ' },
  fa: { earned: 'کسب شده', balance: 'مانده', pending: 'در انتظار', tier: 'سطح', up: 'سطح جدید' },
  ru: { earned: 'Начислено', balance: 'Баланс', pending: 'Ожидает', tier: 'Уровень', up: 'новый уровень' },
};

const isLanguage = (l: string): l is Language => l in LABELS;

export function localName(name: LocalName, language: string): string {
  return (isLanguage(language) ? name[language] : undefined) ?? name.en;
}

/** Minor units as digits with two decimals, without floats (125050 → "1250.50"). */
export function formatMoney(minor: number, currency: string): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}

export interface ReceiptInput {
  language: string;
  earned: { points: number; credit: number };
  breakdown: BreakdownEntry[];
  balances: Balances;
  tier: string;
  tierChanged: boolean;
}

export function receiptLines(program: Program, r: ReceiptInput): string[] {
  const lang: Language = isLanguage(r.language) ? r.language : 'en';
  const l = LABELS[lang];
  const points = localName(program.names.points, lang);
  const credit = localName(program.names.credit, lang);
  const ruleName = (ruleId: string): string => {
    const rule = program.earn.find((x) => x.id === ruleId);
    return rule?.name ? localName(rule.name, lang) : ruleId;
  };
  const lines = [`${l.earned}: ${r.earned.points} ${points}`];
  for (const b of r.breakdown) {
    if (b.points !== 0) lines.push(`  ${ruleName(b.ruleId)}: +${b.points}`);
    if (b.credit !== 0) lines.push(`  ${ruleName(b.ruleId)}: +${formatMoney(b.credit, program.currency)}`);
  }
  if (r.earned.credit > 0) lines.push(`${credit}: +${formatMoney(r.earned.credit, program.currency)}`);
  lines.push(`${l.balance}: ${r.balances.points} ${points}`);
  if (r.balances.pendingPoints > 0) lines.push(`${l.pending}: ${r.balances.pendingPoints} ${points}`);
  if (program.credit.enabled) lines.push(`${credit}: ${formatMoney(r.balances.credit, program.currency)}`);
  const level = program.tiers.levels.find((t) => t.id === r.tier);
  const tierName = level?.name ? localName(level.name, lang) : r.tier;
  lines.push(`${l.tier}: ${tierName}${r.tierChanged ? ` (${l.up})` : ''}`);
  return lines;
}
