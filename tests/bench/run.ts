/**
 * `npm run bench` — the figures of docs/benchmarks.md, each beside a ceiling measured in
 * the same run. Prints one table and writes it as JSON to tests/bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ImportRow } from '../../gateway/src/ledger/index.ts';
import { openStoreLedger } from '../../gateway/src/store-ledger.ts';
import { loadDemoProgram, TILL_SECRET, testConfigValue } from '../fakes/gateway-fixture.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { benchTill, closedLoop, openLoop } from './load.ts';
import {
  type BenchRow,
  COMPILED,
  deviceNodeFlags,
  fiveLineSale,
  p,
  rate,
  startCompiled,
  startServer,
} from './till-bench.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const SALES = Number(process.env.BENCH_SALES ?? 8000);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 10_000);
/** `BENCH_ONLY=B1` skips the other parts (B3, B4); the till figures B1, B2 and B6 always run. */
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim().toUpperCase());
const wanted = (id: string) => !ONLY || ONLY.includes(id);
const rows: BenchRow[] = [];
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const dir = makeTempDir('le-bench-');
const dataDir = join(dir.path, 'data');
const config = join(dir.path, 'config.yaml');
writeFileSync(
  config,
  stringify({
    ...testConfigValue(dataDir),
    tills: [...testConfigValue(dataDir).tills, { id: 'till-backlog', secret: TILL_SECRET }],
  }),
);

log(`seeding ${MEMBERS} members…`);
const program = await loadDemoProgram();
{
  const ledger = openStoreLedger({ dataDir });
  const at = new Date().toISOString();
  const seeds: ImportRow[] = Array.from({ length: MEMBERS }, (_, i) => ({
    line: i + 2,
    memberId: `M${i + 1}`,
    cardUid: (i + 1).toString(16).toUpperCase().padStart(8, '0'),
    firstName: `Member ${i + 1}`,
    lastName: null,
    phone: null,
    email: null,
    birthDate: null,
    anniversaryDate: null,
    language: 'en',
    customerGroup: i % 10 === 0 ? 'pensioner' : null,
    pin: null,
    openingPoints: i % 3 === 0 ? 500 : 0,
    openingCredit: 0,
  }));
  const result = await ledger.importMembers(seeds, {
    at,
    storeId: 'test-store',
    programVersion: program.version,
    tier: 'bronze',
  });
  if (!result.ok) throw new Error('seeding failed');
  ledger.close();
}

// BENCH_SOAK=minutes: the soak alone (tests/bench/soak.ts), on the compiled build.
const SOAK = Number(process.env.BENCH_SOAK ?? 0);
if (SOAK > 0) {
  if (!existsSync(COMPILED) || process.env.BENCH_BUILD === '1') {
    log('building dist/ (npm run build)…');
    execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const { runSoak } = await import('./soak.ts');
  const rate = Number(process.env.BENCH_SOAK_RATE ?? 50);
  rows.push(...(await runSoak({ minutes: SOAK, rate, config, members: MEMBERS })));
  report();
  process.exit(0);
}

const TILLS = ['till-01', 'till-02', 'till-03', 'till-04'];
const connect = (url: string) => Promise.all(TILLS.map((id) => benchTill(url, id, TILL_SECRET)));
const seq = { n: 0 };
const sale = fiveLineSale(MEMBERS, seq);

// Ceiling: the same broker configuration answering every request at once.
log('B1 ceiling: echo responder…');
const echo = await startServer('echo', config);
let tills = await connect(echo.url);
await closedLoop(tills, 32, 500, sale);
const echoCpu = echo.cpuMs();
const ceiling = await closedLoop(tills, 32, SALES, sale);
const echoCpuPerSale = (echo.cpuMs() - echoCpu) / SALES;
await Promise.all(tills.map((t) => t.client.endAsync()));
await echo.stop();
const echoSales = seq.n; // answered by the echo responder: never stored

log('B1 gateway: durable sales…');
const gw = await startServer('gateway', config);
await new Promise((r) => setTimeout(r, 1500));
const idleRss = gw.rssMb();
tills = await connect(gw.url);
await closedLoop(tills, 32, 500, sale);
let peakRss = idleRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, gw.rssMb());
}, 100);
const gwCpu = gw.cpuMs();
const sales = await closedLoop(tills, 32, SALES, sale);
const cpuPerSale = (gw.cpuMs() - gwCpu) / SALES;
log('B1 open loop at 200 sales/s…');
const open = await openLoop(tills, 200, 10, sale);
clearInterval(sampler);
await Promise.all(tills.map((t) => t.client.endAsync()));

rows.push({
  id: 'B1',
  what: 'till sale round trips/s (4 tills, 32 in flight, 5 lines, QoS 1, durable)',
  value: Math.round(rate(sales)),
  unit: 'sales/s',
  ceiling: Math.round(rate(ceiling)),
  ratio: Math.round((rate(sales) / rate(ceiling)) * 100) / 100,
  target: '≥ 0.60 of the echo ceiling',
  notes: `p50 ${p(sales, 50)} ms, p99 ${p(sales, 99)} ms (echo p50 ${p(ceiling, 50)} ms, p99 ${p(ceiling, 99)} ms); errors ${sales.errors}`,
});
rows.push({
  id: 'B1',
  what: 'gateway CPU per sale under B1 (user + system, all threads)',
  value: Math.round(cpuPerSale * 1000) / 1000,
  unit: 'ms',
  ceiling: Math.round(echoCpuPerSale * 1000) / 1000,
  notes: 'ceiling: the echo responder per round trip; steadier than sales/s when the machine is shared',
});
rows.push({
  id: 'B1',
  what: 'p99 at 200 sales/s open loop',
  value: p(open, 99),
  unit: 'ms',
  target: '≤ 25 ms',
  notes: `p50 ${p(open, 50)} ms; ${open.latencies.length} sales, errors ${open.errors}`,
});

log(`B2: a till flushes a backlog of ${BACKLOG} sales…`);
const backlog = await benchTill(gw.url, 'till-backlog', TILL_SECRET);
const started = performance.now();
const answers = await Promise.all(Array.from({ length: BACKLOG }, () => backlog.send('sale', sale())));
const flushSeconds = (performance.now() - started) / 1000;
await backlog.client.endAsync();
await gw.stop();
const ledger = openStoreLedger({ dataDir });
const stored = Number((ledger.db.prepare('SELECT count(*) AS n FROM sales').get() as { n: number }).n);
const expected = seq.n - echoSales;
ledger.close();
rows.push({
  id: 'B2',
  what: `backlog of ${BACKLOG} sales from one reconnecting till, all answered`,
  value: Math.round(flushSeconds * 100) / 100,
  unit: 's',
  target: '≤ 5 s, none lost or doubled',
  notes: `${answers.filter((a) => a.ok).length}/${BACKLOG} ok; the store holds ${stored} sales of the ${expected} the gateway was sent in this run`,
});
rows.push({
  id: 'B6',
  what: `gateway RSS idle (${MEMBERS} members)`,
  value: Math.round(idleRss),
  unit: 'MB',
  target: '≤ 80 MB',
});
rows.push({
  id: 'B6',
  what: 'gateway RSS peak under B1 load',
  value: Math.round(peakRss),
  unit: 'MB',
  target: '≤ 150 MB',
});

// B6 as a device runs it: the compiled build (`npm run build`; BENCH_BUILD=1 builds it first),
// started with `start --config`, idle and then under the same closed loop as B1.
if (process.env.BENCH_BUILD === '1') {
  log('building dist/ (npm run build)…');
  execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
if (existsSync(COMPILED)) {
  log(`B6 compiled build (dist/ of ${statSync(COMPILED).mtime.toISOString()})…`);
  const built = await startCompiled(config);
  await new Promise((r) => setTimeout(r, 1500));
  const builtIdle = built.rssMb();
  tills = await connect(built.url);
  await closedLoop(tills, 32, 500, sale);
  let builtPeak = builtIdle;
  const builtSampler = setInterval(() => {
    builtPeak = Math.max(builtPeak, built.rssMb());
  }, 100);
  const builtCpu = built.cpuMs();
  const builtSales = await closedLoop(tills, 32, SALES, sale);
  const builtCpuPerSale = (built.cpuMs() - builtCpu) / SALES;
  clearInterval(builtSampler);
  await Promise.all(tills.map((t) => t.client.endAsync()));
  await built.stop();
  rows.push({
    id: 'B6',
    what: `compiled build RSS idle (${MEMBERS} members)`,
    value: Math.round(builtIdle),
    unit: 'MB',
    target: '≤ 80 MB',
    notes: `node ${deviceNodeFlags().join(' ')} as the device unit starts it`,
  });
  rows.push({
    id: 'B6',
    what: 'compiled build RSS peak under B1 load',
    value: Math.round(builtPeak),
    unit: 'MB',
    target: '≤ 150 MB',
    notes: `B1 on it: ${Math.round(rate(builtSales))} sales/s, p50 ${p(builtSales, 50)} ms, p99 ${p(builtSales, 99)} ms, CPU ${Math.round(builtCpuPerSale * 1000) / 1000} ms/sale; errors ${builtSales.errors}`,
  });
} else {
  log('B6 compiled build: no dist/ (npm run build, or BENCH_BUILD=1)');
}

// Benchmarks of other parts, when present.
for (const [file, fn] of [
  ['./b3-tap-to-screen.ts', 'runB3'],
  ['./b4-sync.ts', 'runB4'],
  ['./b5-scale.ts', 'runB5'],
  ['./b9-history.ts', 'runB9'],
] as const) {
  if (!wanted(fn.slice(3)) || !existsSync(new URL(file, import.meta.url))) continue;
  log(`${fn}…`);
  try {
    type Row = Partial<BenchRow> & { name?: string; value: number; unit: string };
    const mod = (await import(file)) as Record<string, () => Promise<Row[]>>;
    // Other parts name their rows `name`; the table's id is the benchmark's.
    for (const r of await mod[fn]!())
      rows.push({ ...r, id: r.id ?? fn.slice(3), what: r.what ?? r.name ?? '' });
  } catch (error) {
    // One benchmark failing must not lose the others' figures; the row says what happened.
    rows.push({
      id: fn.slice(3),
      what: `${fn} failed`,
      value: Number.NaN,
      unit: '',
      notes: String(error).split('\n')[0],
    });
  }
}

report();

/** Prints the table and writes it as JSON (tests/bench/results/). */
function report(): void {
  dir.remove();
  console.table(
    rows.map(({ id, what, value, unit, ceiling: c, ratio, target, notes }) => ({
      id,
      what,
      value,
      unit,
      ceiling: c ?? '',
      ratio: ratio ?? '',
      target: target ?? '',
      notes: notes ?? '',
    })),
  );
  const resultsDir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
  );
  log(`results written to ${file}`);
}
