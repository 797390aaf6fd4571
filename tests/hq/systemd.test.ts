import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, untilOutput } from '../fakes/file-modes.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { freePort, ROOT } from '../gateway/sync/processes.ts';
import { seedHqDataDir } from './pglite-template.ts';

const dir = makeTempDir('hq-systemd-');
afterAll(() => dir.remove());

const waitFor = async (check: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

// provisioning/systemd/loyalty-hq.service: Type=notify, WatchdogSec, as the gateway's unit.
describe('hq start under systemd (Type=notify, WatchdogSec)', () => {
  it('says READY once listening, pings the watchdog, and says STOPPING on SIGTERM', async () => {
    // A stand-in systemd-notify on PATH records what hq tells systemd.
    const bin = join(dir.path, 'bin');
    const log = join(dir.path, 'notify.log');
    mkdirSync(bin);
    writeFileSync(join(bin, 'systemd-notify'), `#!/bin/sh\necho "$*" >> ${log}\n`);
    chmodSync(join(bin, 'systemd-notify'), 0o755);
    const data = join(dir.path, 'hq-data');
    await seedHqDataDir(data);
    const port = await freePort();
    const config = join(dir.path, 'hq.yaml');
    writeFileSync(config, `dataDir: ${data}\nhq:\n  port: ${port}\n  host: 127.0.0.1\n`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'hq/src/bin.ts'), 'hq', 'start', '--config', config],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          NOTIFY_SOCKET: '/run/fake',
          WATCHDOG_USEC: '2000000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
    try {
      await untilOutput(child, /hq listening/, 120_000);
      await waitFor(() => lines().some((l) => l.endsWith('--ready')));
      // READY comes after the port listens: the hub answers at once.
      expect((await fetch(`http://127.0.0.1:${port}/v1/health`)).status).toBe(200);
      await waitFor(() => lines().some((l) => l.endsWith('WATCHDOG=1')));
      expect(lines()[0]).toBe(`--pid=${child.pid} --ready`);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    expect(lines()).toContain(`--pid=${child.pid} --stopping`);
  }, 180_000);
});
