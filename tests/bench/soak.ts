/**
 * Soak (`BENCH_SOAK=minutes npm run bench`): the compiled build (as a device starts it) under
 * the product's own till simulator (`loyalty-edge till-sim`) at a steady rate
 * (`BENCH_SOAK_RATE`, 50 sales/s) for the given minutes. Samples the gateway's RSS every 10 s
 * and counts the answers per minute; reports RSS over time, its growth over the second half
 * (levelled off = no growth there), and the sales/s of the first and the last full minute.
 * 50 members share the sales, so each builds a history of hundreds of sales as it runs.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type BenchRow, COMPILED, deviceNodeFlags, startCompiled } from './till-bench.ts';

const log = (line: string) => process.stderr.write(`soak: ${line}\n`);

export async function runSoak(opts: {
  minutes: number;
  rate: number;
  config: string;
  members: number;
}): Promise<BenchRow[]> {
  const { minutes, rate, config } = opts;
  const gw = await startCompiled(config);
  const started = performance.now();
  const rss: Array<{ s: number; mb: number }> = [];
  const sample = () => rss.push({ s: (performance.now() - started) / 1000, mb: gw.rssMb() });
  sample();
  const sampler = setInterval(sample, 10_000);
  const perMinute: number[] = [];
  let refused = 0;
  const port = /:(\d+)$/.exec(gw.url)?.[1] ?? '';
  const cards = Array.from({ length: Math.min(50, opts.members) }, (_, i) =>
    (i + 1).toString(16).toUpperCase().padStart(8, '0'),
  ).join(',');
  const count = Math.round(minutes * 60 * rate);
  log(`${count} sales at ${rate}/s on the compiled build (till-sim, ${minutes} min)…`);
  const sim = spawn(
    process.execPath,
    [
      COMPILED,
      'till-sim',
      '--config',
      config,
      '--port',
      port,
      '--rate',
      String(rate),
      '--count',
      String(count),
      '--cards',
      cards,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let summary = '';
  const lines = createInterface({ input: sim.stdout! });
  lines.on('line', (line) => {
    if (line.startsWith('till-sim:')) {
      summary = line;
      return;
    }
    const minute = Math.floor((performance.now() - started) / 60_000);
    perMinute[minute] = (perMinute[minute] ?? 0) + 1;
    if (!/: ok/.test(line)) refused++;
    if (perMinute[minute] === 1 && minute > 0) {
      const last = rss.at(-1);
      log(
        `minute ${minute}: ${perMinute[minute - 1] ?? 0} answers in the last minute, RSS ${last?.mb.toFixed(1)} MB`,
      );
    }
  });
  const code = await new Promise<number | null>((resolve) => sim.once('exit', resolve));
  clearInterval(sampler);
  sample();
  await gw.stop();

  const full = perMinute.slice(0, Math.floor(minutes)); // the minutes the simulator sent all through
  const first = (full[0] ?? 0) / 60;
  const last = (full.at(-1) ?? 0) / 60;
  const half = rss.filter((r) => r.s >= (minutes * 60) / 2);
  const peak = Math.max(...rss.map((r) => r.mb));
  const at = (minute: number) =>
    rss.reduce(
      (best, r) => (Math.abs(r.s - minute * 60) < Math.abs(best.s - minute * 60) ? r : best),
      rss[0]!,
    );
  const marks = [1, ...Array.from({ length: Math.floor(minutes / 5) }, (_, i) => (i + 1) * 5)]
    .filter((m) => m <= minutes)
    .map((m) => `${m} min ${Math.round(at(m).mb)}`)
    .join(', ');
  const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  return [
    {
      id: 'soak',
      what: `gateway RSS over ${minutes} min at ${rate} sales/s (compiled build, node ${deviceNodeFlags().join(' ')})`,
      value: Math.round(peak),
      unit: 'MB',
      target: '≤ 150 MB (B6 peak), levels off',
      notes: `RSS ${marks} MB; second half ${round(Math.min(...half.map((r) => r.mb)))}–${round(Math.max(...half.map((r) => r.mb)))} MB`,
    },
    {
      id: 'soak',
      what: 'sales/s answered, first and last full minute',
      value: round(last),
      unit: 'sales/s',
      ceiling: round(first),
      ratio: first > 0 ? round(last / first, 2) : Number.NaN,
      target: `rate holds (${rate}/s sent)`,
      notes: `first minute ${round(first)}/s; ${refused} refused; ${summary || `till-sim exited ${code}`}`,
    },
  ];
}
