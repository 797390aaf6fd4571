import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  readonly a: string;
  readonly b: string;
  /** Kills socat (an "unplug" for whoever holds either end) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts a fresh socat on the same link paths (a "replug"). */
  restart(): Promise<void>;
  /** Kills socat and removes the temporary folder. */
  dispose(): Promise<void>;
}

function startSocat(a: string, b: string, timeoutMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // socat logs this once both ptys and their links exist.
      if (stderr.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited early (${code}): ${stderr}`));
    });
  });
}

function killChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A real pty pair from socat, with links in a fresh temporary folder. */
export async function createPtyPair(timeoutMs = 5_000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'le-pty-'));
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  let child: ChildProcess | undefined = await startSocat(a, b, timeoutMs);
  return {
    a,
    b,
    async kill() {
      await killChild(child);
      child = undefined;
    },
    async restart() {
      await killChild(child);
      child = await startSocat(a, b, timeoutMs);
    },
    async dispose() {
      await killChild(child);
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
