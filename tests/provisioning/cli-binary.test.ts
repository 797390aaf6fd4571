import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFamilies } from '../../gateway/src/cli/commands/index.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/loyalty-edge.js', import.meta.url));

// The gateway's CLI loads the provisioning commands when `provision` or `doctor` is named.
const registered = (await loadFamilies()).some((c) => c.words.join(' ') === 'provision init');

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LOYALTY_EDGE_CONFIG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('loyalty-edge provision and doctor through the real binary', () => {
  it('is registered in the gateway CLI', () => expect(registered).toBe(true));

  const dir = makeTempDir('provision-bin-');
  const config = dir.file('config.yaml');
  afterAll(() => dir.remove());

  it('init, add-till, add-kiosk, add-integration, add-manager, rotate-secret, doctor', () => {
    expect(cli('provision', 'init', '--config', config, '--store-id', 'bin-1', '--kiosk-id', 'k1').code).toBe(
      0,
    );
    const till = cli('provision', 'add-till', 'till-01', '--config', config, '--host', '10.0.0.9');
    expect(till.code, till.stderr).toBe(0);
    expect(till.stdout).toContain('host:     10.0.0.9');
    expect(cli('provision', 'add-kiosk', 'k2', '--reader', 'reader-1', '--config', config).code).toBe(0);
    expect(cli('provision', 'add-integration', 'crm', '--config', config).code).toBe(0);
    expect(cli('provision', 'add-manager', 'boss', '--config', config).stdout).toMatch(/code: \d{8}/);
    expect(cli('provision', 'rotate-secret', 'till-01', '--config', config).code).toBe(0);
    expect(cli('config', 'check', config).code).toBe(0);
    const doctor = cli('doctor', '--config', config, '--json');
    expect([0, 1]).toContain(doctor.code);
    expect(JSON.parse(doctor.stdout).checks[0]).toMatchObject({ check: 'config', status: 'ok' });
    expect(readFileSync(config, 'utf8')).not.toMatch(/secret: (?!file:)/);
  });

  it('bad flags exit 2 naming the flag, with the usage', () => {
    const r = cli(
      'provision',
      'init',
      '--config',
      dir.file('x.yaml'),
      '--store-id',
      's',
      '--reader-driver',
      'x',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reader-driver must be one of/);
    expect(r.stderr).toMatch(/Usage: loyalty-edge provision init/);
    expect(cli('doctor', '--bogus').stderr).toMatch(/--bogus/);
    expect(cli('provision', 'add-till', '--config', config).stderr).toMatch(/missing ID/);
  });
});
