import type { IncomingMessage, ServerResponse } from 'node:http';
import ExcelJS from 'exceljs';
import { HqError } from '../errors.ts';
import { createOffer } from '../offers.ts';
import { type Period, REPORTS, type ReportName, type Row, toCsv } from '../reports.ts';
import { parseJson, readBody, sendJson, sendText } from './body.ts';
import { reportsPage } from './reports-page.ts';
import type { HqHttpOptions } from './server.ts';

const REPORT_PATH = /^\/v1\/admin\/reports\/([a-z]+)(?:\.(json|csv|xlsx))?$/;

function period(url: URL, now: Date): Period {
  const to = url.searchParams.get('to') ?? now.toISOString();
  const from = url.searchParams.get('from') ?? new Date(Date.parse(to) - 365 * 86_400_000).toISOString();
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)))
    throw new HqError('INVALID_REQUEST', 'from and to must be instants (ISO-8601)');
  return { from, to };
}

export async function runReport(opts: HqHttpOptions, name: ReportName, p: Period): Promise<Row[]> {
  return REPORTS[name](opts.db, p);
}

/** Reports (JSON, CSV, XLSX), the HTML page, and offers; false when the path is none of them. */
export async function handleReports(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  opts: HqHttpOptions,
): Promise<boolean> {
  if (req.method === 'GET' && url.pathname === '/v1/admin/reports') {
    const p = period(url, opts.now());
    sendText(res, 200, 'text/html; charset=utf-8', await reportsPage(opts, p));
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/v1/admin/offers') {
    sendJson(
      res,
      200,
      await createOffer(opts.db, parseJson(await readBody(req, 1024 * 1024)), period(url, opts.now())),
    );
    return true;
  }
  const m = REPORT_PATH.exec(url.pathname);
  if (req.method !== 'GET' || !m) return false;
  const name = m[1] as string;
  if (!(name in REPORTS))
    throw new HqError('NOT_FOUND', `no report ${name}; known: ${Object.keys(REPORTS).join(', ')}`);
  const rows = await runReport(opts, name as ReportName, period(url, opts.now()));
  const format = m[2] ?? url.searchParams.get('format') ?? 'json';
  if (format === 'csv') sendText(res, 200, 'text/csv; charset=utf-8', toCsv(rows));
  else if (format === 'xlsx') {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet(name);
    const head = Object.keys(rows[0] ?? {});
    sheet.addRow(head);
    for (const r of rows) sheet.addRow(head.map((h) => r[h] ?? null));
    const data = Buffer.from(await book.xlsx.writeBuffer());
    sendText(res, 200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data);
  } else sendJson(res, 200, { report: name, ...period(url, opts.now()), rows });
  return true;
}
