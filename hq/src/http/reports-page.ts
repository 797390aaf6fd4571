import { listQuarantine } from '../quarantine.ts';
import { type Period, REPORTS, type Row } from '../reports.ts';
import type { HqHttpOptions } from './server.ts';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A horizontal bar chart as inline SVG (no external assets: the page works offline). */
export function barChart(title: string, bars: Array<{ label: string; value: number }>): string {
  const max = Math.max(1, ...bars.map((b) => Math.abs(b.value)));
  const h = 22;
  const rows = bars
    .map((b, i) => {
      const w = Math.round((Math.abs(b.value) / max) * 300);
      return `<text x="0" y="${i * h + 15}" font-size="12">${esc(b.label)}</text>
<rect x="170" y="${i * h + 4}" width="${w}" height="14" fill="${b.value < 0 ? '#c0392b' : '#2e86de'}"/>
<text x="${176 + w}" y="${i * h + 15}" font-size="12">${b.value.toLocaleString('en')}</text>`;
    })
    .join('\n');
  return `<figure><figcaption>${esc(title)}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" width="560" height="${Math.max(1, bars.length) * h + 6}" role="img" aria-label="${esc(title)}">${rows}</svg></figure>`;
}

const table = (rows: readonly Row[]) => {
  const head = Object.keys(rows[0] ?? {});
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${head.map((h) => `<td>${esc(String(r[h] ?? ''))}</td>`).join('')}</tr>`)
    .join('')}</table>`;
};

const count = (rows: readonly Row[], key: string) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(String(r[key]), (m.get(String(r[key])) ?? 0) + 1);
  return [...m].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value);
};

/** The head-office dashboard: one self-contained HTML page over the same report rows. */
export async function reportsPage(opts: HqHttpOptions, p: Period): Promise<string> {
  const issued = await REPORTS.issued(opts.db, p);
  const tiers = await REPORTS.tiers(opts.db);
  const segments = await REPORTS.segments(opts.db, p);
  const liability = await REPORTS.liability(opts.db);
  const adjustments = await REPORTS.adjustments(opts.db, p);
  const participation = await REPORTS.participation(opts.db, p);
  const points = issued.filter((r) => r.asset === 'points');
  // docs/hq.md Ingest: what stores sent that hq could not store, for the operator to correct.
  const quarantine = (await listQuarantine(opts.db, null, 50)).map((q) => ({
    at: q.quarantinedAt,
    device: q.deviceId,
    store: q.storeId,
    item: q.item,
    seq: q.seq ?? '',
    key: q.key,
    reason: q.reason,
  }));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Loyalty Edge — head office</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f3f3f3}figure{margin:1.5em 0}</style></head><body>
<h1>Head office reports</h1><p>${esc(p.from)} — ${esc(p.to)}</p>
<h2>Outstanding liability</h2>${table(liability)}
${barChart(
  'Points by store, origin and category',
  points.map((r) => ({ label: `${r.store} ${r.origin} ${r.category}`, value: Number(r.amount) })),
)}
${barChart(
  'Tier distribution',
  tiers.map((r) => ({ label: String(r.tier), value: Number(r.members) })),
)}
${barChart('RFM segments', count(segments, 'segment'))}
${barChart('ABC classes (Pareto 80/20)', count(segments, 'abc'))}
<h2>Participation</h2>${table(participation)}
<h2>Manual adjustments</h2>${table(adjustments)}
<h2>Quarantine</h2>${
    quarantine.length === 0
      ? '<p>None: hq has stored everything the stores sent.</p>'
      : `<p>What stores sent that hq could not store (latest 50; <code>hq quarantine</code> lists all).</p>${table(quarantine)}`
  }
<p>CSV: <a href="reports/issued.csv">issued</a> · <a href="reports/adjustments.csv">adjustments</a> ·
<a href="reports/segments.csv">segments</a> · XLSX: <a href="reports/segments.xlsx">segments</a></p>
</body></html>`;
}
