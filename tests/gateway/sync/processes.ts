/** Real processes for the fault tests: an hq hub (embedded PGlite on disk) and a device. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedHqDataDir } from '../../hq/pglite-template.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HQ_BIN = join(ROOT, 'hq/src/bin.ts');
export const DEVICE_CHILD = fileURLToPath(new URL('./device-child.ts', import.meta.url));

/** An ephemeral loopback port, kept across hq restarts so devices keep their URL. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  out: string[];
  /** Resolves with the first stdout line matching. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function run(args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      out.push(line);
      for (const w of [...waiters])
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    out,
    exited,
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const hit = out.find((l) => re.test(l));
        if (hit !== undefined) return resolve(hit);
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${re}; stderr: ${err}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(({ code, signal }) =>
          reject(new Error(`exited ${code ?? signal} before ${re}; stderr: ${err}`)),
        );
      }),
  };
}

/** Writes an hq config (embedded database under dataDir) and starts `hq start`; resolves once it listens. */
export async function startHqProcess(dataDir: string, port: number): Promise<Proc> {
  // A migrated template instead of initdb on first start (tests/hq/pglite-template.ts).
  if (!existsSync(join(dataDir, 'hq-pglite'))) await seedHqDataDir(dataDir);
  const config = join(dataDir, 'hq.yaml');
  writeFileSync(config, `dataDir: ${dataDir}\nhq:\n  port: ${port}\n  host: 127.0.0.1\n`);
  const p = run([HQ_BIN, 'hq', 'start', '--config', config]);
  await p.waitFor(/hq listening/, 120_000);
  return p;
}

export async function stopGracefully(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

export async function kill(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}
