import type { Problem } from '../core/errors.ts';

/** docs/program.md: Cards and members — the import columns, in order. */
export const IMPORT_COLUMNS = [
  'member_id',
  'card_uid',
  'first_name',
  'last_name',
  'phone',
  'email',
  'birth_date',
  'anniversary_date',
  'language',
  'customer_group',
  'pin',
  'opening_points',
  'opening_credit',
] as const;

export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** One row of a members file, checked and typed. Blank cells are null. */
export interface ImportRow {
  /** The row's line in the file (CSV line or XLSX row), for error messages. */
  line: number;
  memberId: string;
  cardUid: string;
  firstName: string;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  birthDate: string | null;
  anniversaryDate: string | null;
  language: string;
  customerGroup: string | null;
  pin: string | null;
  openingPoints: number;
  openingCredit: number;
}

export const LANGUAGES = ['hy', 'fa', 'en', 'ru'] as const;

/** A raw row as read from the file: column → cell text. */
export type RawRow = Partial<Record<ImportColumn, string>>;

const isValidDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
};

/**
 * Check the header: every column must be known, and member_id and first_name present.
 * Returns problems located at line 1.
 */
export const checkHeader = (header: readonly string[], line = 1): Problem[] => {
  const problems: Problem[] = [];
  const known = new Set<string>(IMPORT_COLUMNS);
  for (const name of header) {
    if (!known.has(name))
      problems.push({
        path: `line ${line}`,
        message: `unknown column "${name}" (expected ${IMPORT_COLUMNS.join(', ')})`,
      });
  }
  for (const required of ['member_id', 'first_name'] as const) {
    if (!header.includes(required))
      problems.push({ path: `line ${line}`, message: `missing column "${required}"` });
  }
  return problems;
};

/**
 * Turn one raw row (`firstOfMember`: no earlier row has its member_id) into an ImportRow, or the reasons it is wrong (all of them).
 * Cell texts are trimmed; blank means absent.
 */
export const checkRow = (
  raw: RawRow,
  line: number,
  firstOfMember = true,
): { row?: ImportRow; problems: Problem[] } => {
  const problems: Problem[] = [];
  const at = `line ${line}`;
  const cell = (c: ImportColumn): string | null => {
    const v = raw[c]?.trim();
    return v === undefined || v === '' ? null : v;
  };
  const bad = (column: ImportColumn, message: string) =>
    problems.push({ path: at, message: `${column} ${message}` });

  const memberId = cell('member_id');
  if (memberId === null) bad('member_id', 'is required');
  else if (!/^[A-Za-z0-9_.-]{1,64}$/.test(memberId))
    bad('member_id', `"${memberId}" must be 1-64 letters, digits, "_", "." or "-"`);

  // Every row names a card: a member is reached by the card they tap (phone lookups go through it too).
  const cardUid = cell('card_uid')?.replace(/[\s:]/g, '').toUpperCase() ?? null;
  if (cardUid === null) bad('card_uid', 'is required');
  else if (!/^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/.test(cardUid))
    bad('card_uid', `"${raw.card_uid}" must be a 4, 7 or 10 byte UID in hex`);
  // A member's later rows only add cards: their name may be left blank.
  const firstName = cell('first_name');
  if (firstName === null && firstOfMember) bad('first_name', 'is required');

  const phone = cell('phone');
  if (phone !== null && !/^\+?[0-9]{6,15}$/.test(phone.replace(/[\s()-]/g, '')))
    bad('phone', `"${phone}" is not a phone number`);
  const email = cell('email');
  if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    bad('email', `"${email}" is not an e-mail address`);

  const birthDate = cell('birth_date');
  if (birthDate !== null && !isValidDate(birthDate))
    bad('birth_date', `"${birthDate}" must be a date YYYY-MM-DD`);
  const anniversaryDate = cell('anniversary_date');
  if (anniversaryDate !== null && !isValidDate(anniversaryDate))
    bad('anniversary_date', `"${anniversaryDate}" must be a date YYYY-MM-DD`);

  const language = cell('language') ?? 'en';
  if (!(LANGUAGES as readonly string[]).includes(language))
    bad('language', `"${language}" must be one of ${LANGUAGES.join(', ')}`);

  const pin = cell('pin');
  if (pin !== null && !/^[0-9]{4,8}$/.test(pin)) bad('pin', 'must be 4 to 8 digits');

  const amount = (column: 'opening_points' | 'opening_credit'): number => {
    const v = cell(column);
    if (v === null) return 0;
    if (!/^[0-9]{1,15}$/.test(v)) {
      bad(column, `"${v}" must be a whole number ≥ 0 (money in minor units)`);
      return 0;
    }
    return Number(v);
  };
  const openingPoints = amount('opening_points');
  const openingCredit = amount('opening_credit');

  if (problems.length > 0 || memberId === null || cardUid === null) return { problems };
  return {
    problems,
    row: {
      line,
      memberId,
      cardUid,
      firstName: firstName ?? '',
      lastName: cell('last_name'),
      phone: phone?.replace(/[\s()-]/g, '') ?? null,
      email,
      birthDate,
      anniversaryDate,
      language,
      customerGroup: cell('customer_group'),
      pin,
      openingPoints,
      openingCredit,
    },
  };
};
