import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import type { Problem } from '../core/errors.ts';
import { checkHeader, checkRow, type ImportColumn, type ImportRow, type RawRow } from './columns.ts';

export interface ReadProgress {
  phase: 'read' | 'check' | 'hash' | 'apply';
  done: number;
  total?: number;
}

export interface ReadResult {
  rows: ImportRow[];
  problems: Problem[];
}

interface RawLine {
  line: number;
  raw: RawRow;
}

const toRaw = (header: readonly string[], cells: readonly string[]): RawRow => {
  const raw: RawRow = {};
  header.forEach((name, i) => {
    raw[name as ImportColumn] = cells[i] ?? '';
  });
  return raw;
};

/** Excel in ru/hy/fa locales writes `;`-separated CSV: take whichever the header uses. */
const detectDelimiter = (text: string): string => {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const count = (c: string) => firstLine.split(c).length;
  return count(';') > count(',') ? ';' : count('\t') > count(',') ? '\t' : ',';
};

const readCsv = (path: string): { header: string[]; lines: RawLine[]; problems: Problem[] } => {
  const text = readFileSync(path, 'utf8');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { header: [], lines: [], problems: [{ path: `line ${e.lines ?? '?'}`, message: e.message }] };
  }
  const [head, ...body] = records;
  if (!head) return { header: [], lines: [], problems: [{ path: 'line 1', message: 'the file is empty' }] };
  const header = head.record.map((h) => h.trim().toLowerCase());
  const problems: Problem[] = [];
  const lines: RawLine[] = [];
  for (const { record, info } of body) {
    if (record.length > header.length && record.slice(header.length).some((c) => c.trim() !== ''))
      problems.push({
        path: `line ${info.lines}`,
        message: `has ${record.length} cells, the header has ${header.length}`,
      });
    lines.push({ line: info.lines, raw: toRaw(header, record) });
  }
  return { header, lines, problems };
};

/** An XLSX cell as text: dates as YYYY-MM-DD, numbers without exponent, rich text flattened. */
const cellText = (value: ExcelJS.CellValue): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value) return String(value.text);
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  return '';
};

const readXlsx = async (
  path: string,
  onProgress?: (p: ReadProgress) => void,
): Promise<{ header: string[]; lines: RawLine[]; problems: Problem[] }> => {
  // exceljs is large: loaded only when an XLSX file is read.
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(path, {
    entries: 'emit',
    sharedStrings: 'cache',
    worksheets: 'emit',
    styles: 'cache',
    hyperlinks: 'ignore',
  });
  let header: string[] = [];
  const lines: RawLine[] = [];
  // The first worksheet holds the members; others (notes, instructions) are ignored.
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (values.every((v) => v.trim() === '')) continue;
      if (header.length === 0) {
        header = values.map((h) => h.trim().toLowerCase());
        continue;
      }
      lines.push({ line: row.number, raw: toRaw(header, values) });
      if (lines.length % 10_000 === 0) onProgress?.({ phase: 'read', done: lines.length });
    }
    break;
  }
  if (header.length === 0)
    return { header, lines, problems: [{ path: 'line 1', message: 'the sheet is empty' }] };
  return { header, lines, problems: [] };
};

/** Rows of one member beyond the first add cards; they must not contradict the first. */
const crossCheck = (rows: readonly ImportRow[]): Problem[] => {
  const problems: Problem[] = [];
  const members = new Map<string, ImportRow>();
  const cards = new Map<string, number>();
  const phones = new Map<string, string>();
  for (const row of rows) {
    if (row.cardUid !== null) {
      const first = cards.get(row.cardUid);
      if (first !== undefined)
        problems.push({
          path: `line ${row.line}`,
          message: `card_uid ${row.cardUid} is already on line ${first}`,
        });
      else cards.set(row.cardUid, row.line);
    }
    const first = members.get(row.memberId);
    if (first === undefined) {
      members.set(row.memberId, row);
      if (row.phone !== null) {
        const other = phones.get(row.phone);
        if (other !== undefined && other !== row.memberId)
          problems.push({
            path: `line ${row.line}`,
            message: `phone ${row.phone} already belongs to member ${other}`,
          });
        else phones.set(row.phone, row.memberId);
      }
      continue;
    }
    if (row.openingPoints !== 0 || row.openingCredit !== 0)
      problems.push({
        path: `line ${row.line}`,
        message: `opening balances of member ${row.memberId} belong on its first row (line ${first.line})`,
      });
    for (const key of ['firstName', 'lastName', 'phone', 'email', 'birthDate'] as const) {
      if (row[key] !== null && row[key] !== '' && row[key] !== first[key])
        problems.push({
          path: `line ${row.line}`,
          message: `${key} differs from member ${row.memberId}'s first row (line ${first.line})`,
        });
    }
  }
  return problems;
};

/**
 * Read a members file (.csv or .xlsx) and check every row. Nothing is applied here:
 * the caller applies the rows only when `problems` is empty (docs/program.md: all-or-nothing).
 */
export const readMembersFile = async (
  path: string,
  onProgress?: (p: ReadProgress) => void,
): Promise<ReadResult> => {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx')
    return { rows: [], problems: [{ path: '(file)', message: `${path}: expected a .csv or .xlsx file` }] };
  let read: Awaited<ReturnType<typeof readXlsx>>;
  try {
    read = ext === '.csv' ? readCsv(path) : await readXlsx(path, onProgress);
  } catch (error) {
    return {
      rows: [],
      problems: [{ path: '(file)', message: `cannot read ${path}: ${(error as Error).message}` }],
    };
  }
  const problems = [...read.problems, ...checkHeader(read.header)];
  if (problems.length > 0) return { rows: [], problems };
  const rows: ImportRow[] = [];
  const seen = new Set<string>();
  read.lines.forEach(({ line, raw }, i) => {
    const memberId = raw.member_id?.trim() ?? '';
    const checked = checkRow(raw, line, !seen.has(memberId));
    seen.add(memberId);
    problems.push(...checked.problems);
    if (checked.row) rows.push(checked.row);
    if ((i + 1) % 10_000 === 0) onProgress?.({ phase: 'check', done: i + 1, total: read.lines.length });
  });
  problems.push(...crossCheck(rows));
  problems.sort((a, b) => Number(a.path.slice(5)) - Number(b.path.slice(5)));
  return { rows, problems };
};
