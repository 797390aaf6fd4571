import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentile, type Timing } from './load.ts';

export interface BenchRow {
  id: string;
  what: string;
  value: number;
  unit: string;
  ceiling?: number;
  ratio?: number;
  target?: string;
  notes?: string;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
const CHILD = new URL('./server-child.ts', import.meta.url).pathname;

export interface Server {
  child: ChildProcess;
  url: string;
  rssMb(): number;
  /** CPU time (user + system) the process has used so far, in ms: steadier than rates on a busy machine. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Runs the gateway (or the echo ceiling) as its own process, like on the Pi. */
export const startServer = (mode: 'gateway' | 'echo', config: string): Promise<Server> =>
  spawnServer(mode, [...extraArgs(), '--import', 'tsx', CHILD, mode, config], /READY (\d+)/);

/** BENCH_SERVER_ARGS: extra node flags for the process under test (e.g. --cpu-prof). */
const extraArgs = (): string[] => process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];

/** The compiled build (`npm run build`), started as a device starts it. */
export const COMPILED = new URL('../../dist/gateway/src/cli/run.js', import.meta.url).pathname;

/** The node flags the device's unit starts the gateway with (provisioning/systemd/loyalty-edge.service). */
export const deviceNodeFlags = (): string[] => {
  const unit = readFileSync(
    new URL('../../provisioning/systemd/loyalty-edge.service', import.meta.url),
    'utf8',
  );
  const flags = /^ExecStart=\/usr\/bin\/node((?: --\S+)*) /m.exec(unit)?.[1] ?? '';
  return flags.split(' ').filter(Boolean);
};

export const startCompiled = (config: string): Promise<Server> =>
  spawnServer(
    'compiled gateway',
    [...deviceNodeFlags(), ...extraArgs(), COMPILED, 'start', '--config', config],
    /mqtt:\/\/[^:\s]+:(\d+)/,
  );

const spawnServer = (name: string, args: string[], ready: RegExp): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out: string | null = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (out === null) return; // started: its log is read no further
      out += chunk.toString();
      const port = ready.exec(out)?.[1];
      if (port) {
        out = null;
        resolve({
          child,
          url: `mqtt://127.0.0.1:${port}`,
          rssMb: () => {
            const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
            return Number(kb) / 1024;
          },
          cpuMs: () => {
            // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the `(comm)`.
            const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
          },
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });

export const rate = (t: Timing): number => t.latencies.length / t.seconds;
export const p = (t: Timing, q: number): number => Math.round(percentile(t.latencies, q) * 100) / 100;

/** A realistic 5-line sale for a random one of `members` cards. */
export const fiveLineSale = (memberCount: number, seq: { n: number }) => (): Record<string, unknown> => {
  const member = 1 + Math.floor(Math.random() * memberCount);
  const lines = Array.from({ length: 5 }, (_, i) => {
    const qty = 1 + (i % 2);
    const unitPrice = 1500 * (i + 1) * 10;
    return {
      lineId: String(i + 1),
      sku: `SKU-${i}`,
      productGroup: i === 4 ? 'otc' : 'grocery',
      qty,
      unitPrice,
      amount: qty * unitPrice,
    };
  });
  const total = lines.reduce((s, l) => s + l.amount, 0);
  seq.n += 1;
  return {
    requestId: `b-${seq.n}`,
    saleId: `B-${process.pid}-${seq.n}`,
    at: new Date().toISOString(),
    card: { uid: member.toString(16).toUpperCase().padStart(8, '0') },
    currency: 'AMD',
    lines,
    payments: [{ method: 'card', amount: total }],
    total,
  };
};
