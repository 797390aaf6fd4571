import type { SqlDb } from './db/sql.ts';
import { num } from './db/sql.ts';

/**
 * Head-office reports over the chain ledger. Every report is rows of plain values (JSON,
 * CSV and the HTML page render the same rows). Periods are `[from, to)` instants; points and
 * money stay integers (docs/program.md: Units).
 */
export type Row = Record<string, string | number | null>;
export interface Period {
  from: string;
  to: string;
}

/** Which kinds issue, spend or expire value (domain/ledger-types.ts EntryKind). */
const CATEGORY = `CASE
  WHEN kind IN ('earn', 'event', 'opening', 'convert-in', 'transfer-in', 'giftcard-issue', 'debt-repay') THEN 'issued'
  WHEN kind IN ('spend', 'capture', 'convert-out', 'transfer-out', 'giftcard-redeem') THEN 'spent'
  WHEN kind IN ('expire', 'giftcard-expire') THEN 'expired'
  WHEN kind = 'reverse' THEN 'reversed'
  WHEN kind = 'adjust' THEN 'adjusted'
  ELSE 'other' END`;

export async function issuedReport(db: SqlDb, p: Period): Promise<Row[]> {
  const rows = await db.query<{
    store: string;
    origin: string;
    asset: string;
    category: string;
    amount: string;
  }>(
    `SELECT COALESCE(store_id, 'hq') AS store, origin, asset, ${CATEGORY} AS category, sum(amount) AS amount
     FROM entries WHERE at >= $1 AND at < $2 AND bucket = 'available' AND kind NOT IN ('hold', 'release')
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    [p.from, p.to],
  );
  return rows.map((r) => ({ ...r, amount: num(r.amount) }));
}

/** docs/program.md: manual adjustments are reported apart, by date and reason (with the operator). */
export async function adjustmentsReport(db: SqlDb, p: Period): Promise<Row[]> {
  const rows = await db.query<{
    day: string;
    reason: string | null;
    operator: string | null;
    asset: string;
    n: string;
    amount: string;
  }>(
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, meta->>'reason' AS reason, meta->>'operator' AS operator,
       asset, count(*) AS n, sum(amount) AS amount
     FROM entries WHERE kind = 'adjust' AND at >= $1 AND at < $2 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    [p.from, p.to],
  );
  return rows.map((r) => ({ ...r, n: num(r.n), amount: num(r.amount) }));
}

/**
 * Participation per store over the period:
 * - `participants`: members with at least one sale earning (an `earn` entry);
 * - `sales`: those sales (transactions with an `earn` entry for a member);
 * - `purchaseFrequency` = sales / participants (2 decimals);
 * - `averageCheck` = the mean total of the sales whose total the store sent (`sales`
 *   table, wire.ts wireSale), in minor units of `currency` rounded to the nearest unit;
 *   null when the store sent none. `salesWithTotal` says how many sales it is over.
 * Sales that earned nothing (anonymous ones) post no entries and never reach hq: both
 * figures are about loyalty members' sales.
 */
export async function participationReport(db: SqlDb, p: Period): Promise<Row[]> {
  const rows = await db.query<{
    store: string;
    participants: string | null;
    sales: string | null;
    with_total: string | null;
    total: string | null;
    currency: string | null;
  }>(
    `WITH earned AS (
       SELECT COALESCE(store_id, 'hq') AS store, count(DISTINCT owner_id) AS participants, count(DISTINCT tx_key) AS sales
       FROM entries WHERE kind = 'earn' AND owner_type = 'member' AND at >= $1 AND at < $2 GROUP BY 1
     ), checks AS (
       SELECT store_id AS store, count(*) AS with_total, sum(total) AS total, max(currency) AS currency
       FROM sales WHERE at >= $1 AND at < $2 GROUP BY 1
     )
     SELECT COALESCE(e.store, c.store) AS store, e.participants, e.sales, c.with_total, c.total,
       COALESCE(c.currency, (SELECT body->>'currency' FROM programs ORDER BY version DESC LIMIT 1)) AS currency
     FROM earned e FULL JOIN checks c ON c.store = e.store ORDER BY 1`,
    [p.from, p.to],
  );
  return rows.map((r) => {
    const participants = num(r.participants);
    const sales = num(r.sales);
    const withTotal = num(r.with_total);
    return {
      store: r.store,
      participants,
      sales,
      purchaseFrequency: participants === 0 ? 0 : Math.round((sales / participants) * 100) / 100,
      salesWithTotal: withTotal,
      averageCheck: withTotal === 0 ? null : Math.round(num(r.total) / withTotal),
      currency: r.currency,
    };
  });
}

export async function tierReport(db: SqlDb): Promise<Row[]> {
  const rows = await db.query<{ tier: string; members: string }>(
    'SELECT tier, count(*) AS members FROM members GROUP BY tier ORDER BY 2 DESC, 1',
  );
  return rows.map((r) => ({ tier: r.tier, members: num(r.members) }));
}

/** Outstanding liability: what members could still spend (hq's chain-wide balances). */
export async function liabilityReport(db: SqlDb): Promise<Row[]> {
  const rows = await db.query<{ members: string; points: string; credit: string }>(
    'SELECT count(*) FILTER (WHERE points > 0 OR credit > 0) AS members, COALESCE(sum(points), 0) AS points, COALESCE(sum(credit), 0) AS credit FROM balances',
  );
  const r = rows[0];
  return [{ members: num(r?.members), points: num(r?.points), credit: num(r?.credit) }];
}

/**
 * Value per member in the period = points earned from sales. ABC (Pareto 80/20): members
 * ranked by value; A until 80 % of the cumulated value, B until 95 %, C the rest.
 * RFM: quintiles (5 best) of recency, frequency and value, then a named segment.
 */
export async function segmentsReport(db: SqlDb, p: Period): Promise<Row[]> {
  const rows = await db.query<{
    member_id: string;
    value: string;
    sales: string;
    days: string;
    cum: string;
    total: string;
    r: number;
    f: number;
    m: number;
  }>(
    `WITH v AS (
       SELECT owner_id AS member_id, sum(amount) AS value, count(DISTINCT tx_key) AS sales,
         EXTRACT(EPOCH FROM ($2::timestamptz - max(at))) / 86400 AS days
       FROM entries WHERE kind = 'earn' AND owner_type = 'member' AND at >= $1 AND at < $2 GROUP BY owner_id)
     SELECT member_id, value, sales, days,
       sum(value) OVER (ORDER BY value DESC, member_id ROWS UNBOUNDED PRECEDING) AS cum, sum(value) OVER () AS total,
       ntile(5) OVER (ORDER BY days DESC) AS r, ntile(5) OVER (ORDER BY sales) AS f, ntile(5) OVER (ORDER BY value) AS m
     FROM v ORDER BY value DESC, member_id`,
    [p.from, p.to],
  );
  return rows.map((x) => {
    const total = num(x.total);
    const before = num(x.cum) - num(x.value);
    const share = total === 0 ? 1 : before / total;
    return {
      memberId: x.member_id,
      value: num(x.value),
      sales: num(x.sales),
      recencyDays: Math.floor(num(x.days)),
      abc: share < 0.8 ? 'A' : share < 0.95 ? 'B' : 'C',
      rfm: `${x.r}${x.f}${x.m}`,
      segment: rfmSegment(num(x.r), num(x.f), num(x.m)),
    };
  });
}

export function rfmSegment(r: number, f: number, m: number): string {
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r >= 3 && f >= 3) return 'loyal';
  if (r >= 4 && f <= 2) return 'new';
  if (r <= 2 && f >= 3) return 'at-risk';
  if (r <= 2 && f <= 2) return 'hibernating';
  return 'needs-attention';
}

export const REPORTS = {
  issued: issuedReport,
  adjustments: adjustmentsReport,
  participation: participationReport,
  tiers: (db: SqlDb) => tierReport(db),
  liability: (db: SqlDb) => liabilityReport(db),
  segments: segmentsReport,
} as const;
export type ReportName = keyof typeof REPORTS;

/** RFC 4180 CSV; cells starting with = + - @ are prefixed so a spreadsheet never runs them. */
export function toCsv(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const head = Object.keys(rows[0] ?? {});
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[head.join(','), ...rows.map((r) => head.map((h) => cell(r[h] ?? null)).join(','))].join('\r\n')}\r\n`;
}
