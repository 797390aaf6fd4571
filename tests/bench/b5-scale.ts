/**
 * B5 (benchmarks.md): a store database of 1 M members and 10 M ledger entries (b5-data.ts,
 * seeded, cached under tests/bench/.data/). Measures:
 * - start-up to ready: spawn of the real CLI (`loyalty-edge start --config FILE`, the compiled
 *   build when dist/ exists) until `/health` answers and a till's MQTT connect is accepted;
 *   ceiling: the same start on an empty database, and `node -e ""`;
 * - `identify` round trips, sequential, from one mqtt.js till (NODELAY) for random existing
 *   cards; ceiling: the same round trips against the echo responder B1 uses; beside them the
 *   identify path's SQL alone (findCard, getMember, loadMemberState) in this process.
 * Start-up is timed twice: with the product's default config (the scheduler on: its first
 * pass runs in the background) and with the scheduler off (the start alone).
 * Sizes: B5_MEMBERS (1 000 000), B5_ENTRIES (10 000 000), B5_IDENTIFY (5 000), B5_STARTS (5).
 * B5_CLI=path/to/run.js or B5_CLI=tsx picks the CLI (see chooseCli). The gateway runs on a copy of
 * the cached database (~7 GB at full size), removed at the end. No figure is asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { openLedger } from '../../gateway/src/ledger/ledger.ts';
import { openStoreLedger } from '../../gateway/src/store-ledger.ts';
import { windowMonths } from '../../gateway/src/tills/member-view.ts';
import { loadDemoProgram, TILL_SECRET, testConfigValue } from '../fakes/gateway-fixture.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { freePort } from '../gateway/sync/processes.ts';
import { cardUid, ensureB5Data, prng } from './b5-data.ts';
import { benchTill, percentile } from './load.ts';
import { type BenchRow, startServer } from './till-bench.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSX_CLI = join(ROOT, 'bin/loyalty-edge.js');
/**
 * The CLI to start: B5_CLI=path/to/run.js (a compiled build elsewhere) or B5_CLI=tsx (the
 * checkout's bin/loyalty-edge.js); by default dist/'s compiled build when it exists, else tsx.
 */
const chooseCli = (): { args: string[]; how: string } => {
  const wanted = process.env.B5_CLI;
  const dist = wanted && wanted !== 'tsx' ? resolve(wanted) : join(ROOT, 'dist/gateway/src/cli/run.js');
  return wanted !== 'tsx' && existsSync(dist)
    ? { args: [dist], how: `node ${dist.replace(ROOT, '')} (compiled)` }
    : { args: [TSX_CLI], how: 'node bin/loyalty-edge.js (tsx)' };
};
const log = (line: string) => process.stderr.write(`b5: ${line}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

interface Ports {
  mqtt: number;
  http: number;
}

/** A config for the gateway on `dataDir`: the test store's, on fixed free ports, scheduler as given. */
const writeConfig = (file: string, dataDir: string, ports: Ports, scheduler: boolean): void =>
  writeFileSync(
    file,
    stringify(
      testConfigValue(dataDir, {
        mqtt: { port: ports.mqtt, host: '127.0.0.1' },
        http: { port: ports.http, host: '127.0.0.1' },
        scheduler: { enabled: scheduler },
        log: { level: 'warn' },
      }),
    ),
  );

interface Started {
  child: ChildProcess;
  /** ms from spawn until /health answered 200. */
  healthMs: number;
  /** ms from spawn until a till's MQTT CONNECT was accepted (after /health). */
  readyMs: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `loyalty-edge start --config FILE` and times it to ready. */
async function startGateway(
  cli: string[],
  config: string,
  ports: Ports,
  timeoutMs = 300_000,
): Promise<Started> {
  const args = [...cli, 'start', '--config', config];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  let healthMs = Number.NaN;
  while (Number.isNaN(healthMs)) {
    if (exited !== undefined) throw new Error(`the gateway exited (${exited}): ${stderr.trim()}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the gateway was not ready after ${timeoutMs} ms`);
    }
    try {
      const r = await fetch(`http://127.0.0.1:${ports.http}/health`);
      await r.arrayBuffer();
      if (r.status === 200) healthMs = performance.now() - t0;
    } catch {
      await sleep(5);
    }
  }
  const client = await mqtt
    .connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
      username: 'till-01',
      password: TILL_SECRET,
      clientId: `till-01-b5-ready-${process.pid}`,
      reconnectPeriod: 0,
    })
    .catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
  const readyMs = performance.now() - t0;
  await client.endAsync();
  return {
    child,
    healthMs,
    readyMs,
    stop: () =>
      new Promise((done) => {
        if (exited !== undefined) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** `node -e ""`: the floor of any Node start on this machine. */
const nodeNothing = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });

/** Sequential request/response round trips of `op` from one till; latencies sorted, in ms. */
async function roundTrips(
  url: string,
  op: string,
  uids: string[],
  warmup: number,
): Promise<{ latencies: number[]; errors: number }> {
  const till = await benchTill(url, 'till-02', TILL_SECRET);
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  try {
    for (const [i, uid] of [...uids.slice(0, warmup), ...uids].entries()) {
      const r = await till.send(op, { requestId: `b5-${process.pid}-${++n}`, card: { uid } });
      if (i < warmup) continue;
      latencies.push(r.ms);
      if (!r.ok) errors++;
    }
  } finally {
    await till.client.endAsync();
  }
  return { latencies: latencies.sort((a, b) => a - b), errors };
}

export async function runB5(
  opts: { members?: number; entries?: number; identify?: number; starts?: number } = {},
): Promise<BenchRow[]> {
  const members = opts.members ?? Number(process.env.B5_MEMBERS ?? 1_000_000);
  const entries = opts.entries ?? Number(process.env.B5_ENTRIES ?? 10_000_000);
  const identifyCount = opts.identify ?? Number(process.env.B5_IDENTIFY ?? 5000);
  const starts = opts.starts ?? Number(process.env.B5_STARTS ?? 5);
  const rows: BenchRow[] = [];
  // Chosen once: a dist/ built meanwhile by someone else does not change the run's CLI.
  const { args: cli, how } = chooseCli();

  const data = await ensureB5Data({ members, entries });
  const size = `${members.toLocaleString('en')} members, ${entries.toLocaleString('en')} entries, ${data.transactions.toLocaleString('en')} transactions`;
  rows.push({
    id: 'B5',
    what: `store database (${size})`,
    value: round(data.sizeBytes / 1e9),
    unit: 'GB',
    notes:
      data.generatedSeconds === null
        ? `reused from ${data.path} (generated by an earlier run)`
        : `generated in ${round(data.generatedSeconds, 1)} s, cached as ${data.path}; re-runs reuse it`,
  });

  const dir = makeTempDir('le-b5-');
  // The gateway process running now, if any: stopped whatever happens.
  let running: Started | null = null;
  const startGw = async (config: string, ports: Ports): Promise<Started> => {
    running = await startGateway(cli, config, ports);
    return running;
  };
  try {
    // The gateway writes (WAL, scheduled jobs): it gets a copy, the cache stays as generated.
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    log('copying the store database…');
    copyFileSync(data.path, join(dataDir, 'store.db'));
    const ports = { mqtt: await freePort(), http: await freePort() };
    const config = join(dir.path, 'config.yaml');
    const configNoJobs = join(dir.path, 'config-no-jobs.yaml');
    writeConfig(config, dataDir, ports, true);
    writeConfig(configNoJobs, dataDir, ports, false);

    // Ceilings first: node itself, then the same gateway on an empty database.
    const nothing: number[] = [];
    for (let i = 0; i < starts; i++) nothing.push(await nodeNothing());
    // The empty database is created and migrated beforehand: the runs time the start alone.
    const emptyDir = join(dir.path, 'empty');
    openStoreLedger({ dataDir: emptyDir }).close();
    const emptyConfig = join(dir.path, 'config-empty.yaml');
    writeConfig(emptyConfig, emptyDir, ports, true);
    const empty: number[] = [];
    for (let i = 0; i < starts; i++) {
      const g = await startGw(emptyConfig, ports);
      empty.push(g.readyMs);
      await g.stop();
    }
    log(`ceiling: empty database ready in ${empty.map((t) => Math.round(t)).join(', ')} ms`);

    // The full database, scheduled jobs off: the start-up alone.
    const noJobs: number[] = [];
    for (let i = 0; i < starts; i++) {
      const g = await startGw(configNoJobs, ports);
      noJobs.push(g.readyMs);
      log(
        `start (scheduler off) ${i + 1}/${starts}: health ${Math.round(g.healthMs)} ms, ready ${Math.round(g.readyMs)} ms`,
      );
      await g.stop();
    }
    // The product's default config: the scheduler's first pass runs in the background after
    // start (the day's birthdays, then the tier review of every member above the first tier);
    // each start is stopped once ready, which ends its pass between two members.
    const withJobs: number[] = [];
    for (let i = 0; i < starts; i++) {
      const g = await startGw(config, ports);
      withJobs.push(g.readyMs);
      log(
        `start (default config) ${i + 1}/${starts}: health ${Math.round(g.healthMs)} ms, ready ${Math.round(g.readyMs)} ms`,
      );
      await g.stop();
    }
    // identify is measured on a gateway with the scheduler off: the steady state, not the
    // minutes after the day's first start while the tier review runs in the background.
    const gateway: Started = await startGw(configNoJobs, ports);
    const emptyMedian = median(empty);
    const startNotes = (ts: number[]) =>
      `median of ${ts.length} starts (max ${Math.round(Math.max(...ts))} ms, each: ${ts.map((t) => Math.round(t)).join(', ')}); ${how}; empty-DB start median ${Math.round(emptyMedian)} ms (max ${Math.round(Math.max(...empty))}), node -e "" median ${Math.round(median(nothing))} ms`;
    rows.push({
      id: 'B5',
      what: 'start-up to ready (spawn → /health 200 and a till connected), default config',
      value: Math.round(median(withJobs)),
      unit: 'ms',
      ceiling: Math.round(emptyMedian),
      ratio: round(emptyMedian / median(withJobs)),
      target: '≤ 2 s',
      notes: `${startNotes(withJobs)}; scheduler on: its first pass runs in the background`,
    });
    rows.push({
      id: 'B5',
      what: 'start-up to ready, scheduler off',
      value: Math.round(median(noJobs)),
      unit: 'ms',
      ceiling: Math.round(emptyMedian),
      ratio: round(emptyMedian / median(noJobs)),
      target: '≤ 2 s',
      notes: startNotes(noJobs),
    });

    // identify: random existing cards, seeded, on the scheduler-off gateway started above.
    const random = prng(55);
    const warmup = Math.min(500, identifyCount);
    const uids = Array.from({ length: identifyCount }, () => cardUid(1 + Math.floor(random() * members)));
    log(`identify: ${identifyCount} sequential round trips…`);
    const gw = await roundTrips(`mqtt://127.0.0.1:${ports.mqtt}`, 'identify', uids, warmup);
    await gateway?.stop();

    log('identify ceiling: the echo responder…');
    const echo = await startServer('echo', config);
    const ceiling = await roundTrips(echo.url, 'identify', uids, warmup).finally(() => echo.stop());

    // The identify path's SQL alone, in this process, on the same copy (what the gateway reads).
    log('identify SQL in process…');
    const program = await loadDemoProgram();
    const ledger = openLedger(join(dataDir, 'store.db'));
    const sql: number[] = [];
    try {
      const months = windowMonths(program);
      const lookup = (uid: string) => {
        const now = new Date();
        const card = ledger.findCard({ uid });
        if (!card) throw new Error(`B5: card ${uid} not found`);
        ledger.getMember(card.memberId);
        ledger.loadMemberState(card.memberId, now, months);
      };
      for (const uid of uids.slice(0, warmup)) lookup(uid);
      for (const uid of uids) {
        const t = performance.now();
        lookup(uid);
        sql.push(performance.now() - t);
      }
    } finally {
      ledger.close();
    }
    sql.sort((a, b) => a - b);

    const q = (xs: number[], p: number) => round(percentile(xs, p), 3);
    rows.push({
      id: 'B5',
      what: `identify p99, ${identifyCount} sequential round trips, random cards (1 till, QoS 1)`,
      value: q(gw.latencies, 99),
      unit: 'ms',
      ceiling: q(ceiling.latencies, 99),
      ratio: round(percentile(ceiling.latencies, 99) / percentile(gw.latencies, 99)),
      target: '≤ 2 ms',
      notes: `p50 ${q(gw.latencies, 50)} ms, max ${q(gw.latencies, 100)} ms, errors ${gw.errors}; echo p50 ${q(ceiling.latencies, 50)} ms, p99 ${q(ceiling.latencies, 99)} ms; SQL alone (findCard + getMember + loadMemberState, in process) p50 ${q(sql, 50)} ms, p99 ${q(sql, 99)} ms; ${how}`,
    });
    log(
      `identify p50 ${q(gw.latencies, 50)} ms, p99 ${q(gw.latencies, 99)} ms (echo p99 ${q(ceiling.latencies, 99)} ms, SQL p99 ${q(sql, 99)} ms)`,
    );
  } finally {
    await (running as Started | null)?.stop();
    dir.remove();
  }
  return rows;
}
