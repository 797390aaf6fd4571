import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { testConfigValue } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { BIN } from './run-cli.ts';

const dir = makeTempDir('le-systemd-');
afterAll(() => dir.remove());

const waitFor = async (check: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('start under systemd (Type=notify, WatchdogSec)', () => {
  it('says READY once listening, pings the watchdog, and says STOPPING on SIGTERM', async () => {
    // A stand-in systemd-notify on PATH records what the gateway tells systemd.
    const bin = join(dir.path, 'bin');
    const log = join(dir.path, 'notify.log');
    mkdirSync(bin);
    writeFileSync(join(bin, 'systemd-notify'), `#!/bin/sh\necho "$*" >> ${log}\n`);
    chmodSync(join(bin, 'systemd-notify'), 0o755);
    const config = join(dir.path, 'config.yaml');
    writeFileSync(config, stringify(testConfigValue(join(dir.path, 'data'))));
    const child = spawn(process.execPath, [BIN, 'start', '--config', config], {
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        NOTIFY_SOCKET: '/run/fake',
        WATCHDOG_USEC: '2000000',
      },
      stdio: 'ignore',
    });
    const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
    try {
      await waitFor(() => lines().some((l) => l.endsWith('--ready')));
      await waitFor(() => lines().some((l) => l.endsWith('WATCHDOG=1')));
      expect(lines()[0]).toBe(`--pid=${child.pid} --ready`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(lines()).toContain(`--pid=${child.pid} --stopping`);
  });
});
