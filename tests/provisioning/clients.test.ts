import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/src/config/load.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { runCommand } from './helpers.ts';

describe('provision add-* and rotate-secret', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let config: string;
  beforeEach(async () => {
    dir = makeTempDir('provision-clients-');
    config = dir.file('config.yaml');
    const init = await runCommand('provision init', [
      '--config',
      config,
      '--store-id',
      's1',
      '--kiosk-id',
      'kiosk-1',
    ]);
    expect(init.code, init.io.text()).toBe(0);
  });
  afterEach(() => dir.remove());

  const passwordIn = (lines: string[]) =>
    lines
      .find((l) => l.includes('password:'))
      ?.split('password:')[1]
      ?.trim();

  it('add-till prints the credentials once with a QR code, stores them in a 0600 file', async () => {
    const { code, io } = await runCommand('provision add-till', ['till-01', '--config', config]);
    expect(code, io.text()).toBe(0);
    const loaded = loadConfigFile(config);
    const till = loaded.tills.find((t) => t.id === 'till-01');
    expect(till?.secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(passwordIn(io.stdout)).toBe(till?.secret);
    expect(io.stdout.join('\n')).toContain('host:     192.168.1.50');
    expect(io.stdout.join('\n')).toMatch(/[█▀▄]{7}/);
    expect(readFileSync(config, 'utf8')).toContain(`file:${dir.file('data/secrets/till.till-01.secret')}`);
    expect(statSync(dir.file('data/secrets/till.till-01.secret')).mode & 0o777).toBe(0o600);
    // The comment init wrote survives the edit.
    expect(readFileSync(config, 'utf8')).toMatch(/^# Loyalty Edge store s1/);
  });

  it('--host puts the address tills must use into the credentials', async () => {
    const { io } = await runCommand('provision add-till', [
      'till-02',
      '--config',
      config,
      '--host',
      '10.1.2.3',
    ]);
    expect(io.stdout.join('\n')).toContain('host:     10.1.2.3');
  });

  it('add-kiosk needs an existing reader; add-integration takes its role flags; add-manager prints a code', async () => {
    const noReader = await runCommand('provision add-kiosk', [
      'kiosk-2',
      '--config',
      config,
      '--reader',
      'reader-9',
    ]);
    expect(noReader.code).toBe(2);
    expect(noReader.io.stderr.join('\n')).toMatch(
      /--reader: no reader "reader-9" in the config \(have: reader-1\)/,
    );
    const missing = await runCommand('provision add-kiosk', ['kiosk-2', '--config', config]);
    expect(missing.io.stderr.join('\n')).toMatch(/missing --reader/);
    expect(
      (await runCommand('provision add-kiosk', ['kiosk-2', '--config', config, '--reader', 'reader-1'])).code,
    ).toBe(0);
    const integ = await runCommand('provision add-integration', ['crm', '--config', config, '--allow-pii']);
    expect(integ.code).toBe(0);
    const manager = await runCommand('provision add-manager', ['alice', '--config', config]);
    expect(manager.code).toBe(0);
    const code = /code: (\d{8})/.exec(manager.io.stdout.join('\n'))?.[1];
    const loaded = loadConfigFile(config);
    expect(loaded.kiosks.map((k) => k.id)).toEqual(['kiosk-1', 'kiosk-2']);
    expect(loaded.integrations.find((i) => i.id === 'crm')).toMatchObject({
      allowPii: true,
      allowTillRequests: false,
    });
    expect(loaded.managers).toEqual([{ id: 'alice', code }]);
  });

  it('refuses an id already in use (one MQTT username namespace) and points at rotate-secret', async () => {
    const { code, io } = await runCommand('provision add-till', ['kiosk-1', '--config', config]);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/"kiosk-1" is already a kiosk; .*rotate-secret kiosk-1/);
  });

  it('rotate-secret replaces the secret; the old one no longer loads', async () => {
    await runCommand('provision add-till', ['till-01', '--config', config]);
    const before = loadConfigFile(config).tills[0]?.secret;
    const { code, io } = await runCommand('provision rotate-secret', ['till-01', '--config', config]);
    expect(code).toBe(0);
    const after = loadConfigFile(config).tills[0]?.secret;
    expect(after).not.toBe(before);
    expect(passwordIn(io.stdout)).toBe(after);
  });

  it('rotate-secret moves a clear secret into a file', async () => {
    const text = readFileSync(config, 'utf8').replace(
      'tills: []',
      'tills:\n  - id: t-clear\n    secret: in-clear-text',
    );
    writeFileSync(config, text);
    expect((await runCommand('provision rotate-secret', ['t-clear', '--config', config])).code).toBe(0);
    expect(readFileSync(config, 'utf8')).not.toContain('in-clear-text');
    expect(readFileSync(config, 'utf8')).toContain('file:');
  });

  it.each([
    ['provision add-till', ['--config', 'CONFIG'], /missing ID/],
    ['provision add-till', ['t1', 't2', '--config', 'CONFIG'], /unexpected argument "t2"/],
    ['provision add-till', ['t/1', '--config', 'CONFIG'], /till "t\/1" must be/],
    ['provision add-till', ['t1', '--config', 'CONFIG', '--reader', 'r'], /--reader/],
    ['provision add-manager', ['m1', '--config', 'CONFIG', '--host', 'x'], /--host/],
    ['provision add-integration', ['i1', '--config', 'CONFIG', '--allow-pii=yes'], /--allow-pii/],
    [
      'provision rotate-secret',
      ['nobody', '--config', 'CONFIG'],
      /no till, kiosk, integration or manager "nobody"/,
    ],
    ['provision rotate-secret', ['--config'], /--config/],
  ])('%s %j exits 2 naming the problem', async (words, args, message) => {
    const before = readFileSync(config, 'utf8');
    const { code, io } = await runCommand(
      words,
      args.map((a) => (a === 'CONFIG' ? config : a)),
    );
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(message);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('a missing config says how to create it', async () => {
    const { code, io } = await runCommand('provision add-till', ['t1', '--config', dir.file('none.yaml')]);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/provision init --config/);
  });
});
