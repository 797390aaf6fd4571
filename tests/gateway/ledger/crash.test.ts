import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Spawns the child, SIGKILLs it once it has printed `after` keys, returns every key it printed. */
function burstAndKill(db: string, prefix: string, after: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, prefix], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length > after) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${err}`));
      // A partly written last line was not a complete print: only whole lines count.
      else resolve(out.split('\n').slice(0, -1));
    });
  });
}

describe('crash safety', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('a SIGKILL mid-burst loses no commit that returned, and the ledger verifies clean', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const db = dir.file('ledger.db');
    const printed: string[] = [];
    for (const [prefix, after] of [
      ['a', 150],
      ['b', 300],
    ] as const) {
      printed.push(...(await burstAndKill(db, prefix, after)));
      const ledger = openLedger(db);
      try {
        expect(ledger.verify()).toEqual([]);
        for (const key of printed) expect(ledger.findTransaction(key), key).not.toBeNull();
        // At most the one commit in flight at the kill is there without having been printed.
        expect(ledger.pendingCount()).toBeGreaterThanOrEqual(printed.length);
        expect(ledger.pendingCount()).toBeLessThanOrEqual(printed.length + 3 * 2);
      } finally {
        ledger.close();
      }
    }
    expect(printed.length).toBeGreaterThanOrEqual(450);
  });
});
