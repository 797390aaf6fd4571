import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/src/config/load.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { runCommand, testContext } from './helpers.ts';

describe('provision init', () => {
  const dirs: Array<{ remove: () => void }> = [];
  const temp = () => {
    const d = makeTempDir('provision-init-');
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('writes a config the gateway loads, secrets in 0600 files referenced as file:, and a device identity', async () => {
    const d = temp();
    const config = d.file('etc/config.yaml');
    const { code, io } = await runCommand('provision init', [
      '--config',
      config,
      '--store-id',
      'store-7',
      '--reader-driver',
      'pn532',
      '--reader-path',
      '/dev/ttyAMA0',
      '--kiosk-id',
      'kiosk-1',
      '--hq-url',
      'https://hq.example.com',
      '--device-id',
      'pi-7',
    ]);
    expect(code, io.text()).toBe(0);
    const text = readFileSync(config, 'utf8');
    expect(text).not.toMatch(/secret: (?!file:)/);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const loaded = loadConfigFile(config);
    expect(loaded.storeId).toBe('store-7');
    expect(loaded.readers).toEqual([
      { id: 'reader-1', driver: 'pn532', path: '/dev/ttyAMA0', baudRate: 115200 },
    ]);
    expect(loaded.kiosks[0]).toMatchObject({ id: 'kiosk-1', reader: 'reader-1' });
    expect(loaded.hq).toEqual({ url: 'https://hq.example.com', deviceId: 'pi-7' });
    expect(loaded.dataDir).toBe(d.file('etc/data'));
    const nodeRed = loaded.integrations.find((i) => i.id === 'node-red');
    expect(nodeRed?.secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Shown once on screen, stored only in its own file.
    expect(io.stdout.join('\n')).toContain(`password: ${nodeRed?.secret}`);
    const secretFile = d.file('etc/data/secrets/integration.node-red.secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(d.file('etc/data/device.json'), 'utf8'))).toMatchObject({
      deviceId: 'pi-7',
      storeId: 'store-7',
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    expect(existsSync(d.file('etc/data/program.yaml'))).toBe(true);
  });

  it('mfrc522 with SPI bus, chip select and reset pin', async () => {
    const d = temp();
    const config = d.file('config.yaml');
    const args = [
      '--config',
      config,
      '--store-id',
      's',
      '--reader-driver',
      'mfrc522',
      '--spi-bus',
      '0',
      '--spi-device',
      '1',
      '--reset-pin',
      '25',
    ];
    expect((await runCommand('provision init', args)).code).toBe(0);
    expect(loadConfigFile(config).readers[0]).toEqual({
      id: 'reader-1',
      driver: 'mfrc522',
      spi: { bus: 0, device: 1 },
      resetPin: 25,
    });
  });

  it('refuses to overwrite a config without --force, and keeps the device id with it', async () => {
    const d = temp();
    const config = d.file('config.yaml');
    await runCommand('provision init', ['--config', config, '--store-id', 's1', '--device-id', 'dev-a']);
    const before = readFileSync(config, 'utf8');
    const again = await runCommand('provision init', ['--config', config, '--store-id', 's2']);
    expect(again.code).toBe(2);
    expect(again.io.stderr.join('\n')).toMatch(/exists; pass --force/);
    expect(readFileSync(config, 'utf8')).toBe(before);
    const forced = await runCommand('provision init', ['--config', config, '--store-id', 's2', '--force']);
    expect(forced.code).toBe(0);
    expect(loadConfigFile(config).storeId).toBe('s2');
    expect(JSON.parse(readFileSync(d.file('data/device.json'), 'utf8')).deviceId).toBe('dev-a');
  });

  it('asks on a terminal for what the flags leave out', async () => {
    const d = temp();
    const config = d.file('config.yaml');
    const asked: string[] = [];
    const answers: Record<string, string> = {
      'Store id': 'prompted-store',
      Reader: 'serial-line',
      'Reader device': '/dev/ttyUSB0',
    };
    const ctx = testContext({
      prompt: async (question, fallback) => {
        asked.push(question);
        const key = Object.keys(answers).find(
          (k) => question.startsWith(k) && !(k === 'Reader' && question.startsWith('Reader device')),
        );
        return key ? (answers[key] ?? fallback) : fallback;
      },
    });
    const { code, io } = await runCommand('provision init', ['--config', config], ctx);
    expect(code, io.text()).toBe(0);
    const loaded = loadConfigFile(config);
    expect(loaded.storeId).toBe('prompted-store');
    expect(loaded.readers[0]).toMatchObject({ driver: 'serial-line', path: '/dev/ttyUSB0' });
    expect(asked.some((q) => q.startsWith('Head office URL'))).toBe(true);
  });

  it.each([
    [
      ['--store-id', 's', '--reader-driver', 'nfc9000'],
      /--reader-driver must be one of simulated, pn532, serial-line, mfrc522/,
    ],
    [
      ['--store-id', 's', '--reader-driver', 'mfrc522', '--spi-bus', 'zero'],
      /--spi-bus must be a whole number/,
    ],
    [
      ['--store-id', 's', '--reader-driver', 'mfrc522', '--reset-pin', '40'],
      /--reset-pin must be a whole number from 0 to 27/,
    ],
    [
      ['--store-id', 's', '--reader-path', '/dev/ttyS0'],
      /--reader-path does not apply to --reader-driver simulated/,
    ],
    [['--store-id', 's', '--hq-url', 'ftp://x'], /--hq-url must be an http\(s\) URL/],
    [['--store-id', 'bad/id'], /--store-id "bad\/id" must be/],
    [['--store-id', 's', '--program', '/nonexistent/program.yaml'], /--program: no file/],
    [['--store-id', 's', '--colour', 'red'], /--colour/],
    [[], /missing --store-id/],
  ])('bad flags %j exit 2 naming the flag', async (args, message) => {
    const d = temp();
    const { code, io } = await runCommand('provision init', ['--config', d.file('config.yaml'), ...args]);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(message);
    expect(existsSync(d.file('config.yaml'))).toBe(false);
  });

  it('a config the gateway would reject is not written (validated before writing)', async () => {
    const d = temp();
    const config = d.file('config.yaml');
    writeFileSync(d.file('program.yaml'), 'x');
    // A kiosk id equal to the Node-RED integration's: one MQTT username namespace.
    const { code, io } = await runCommand('provision init', [
      '--config',
      config,
      '--store-id',
      's',
      '--kiosk-id',
      'node-red',
    ]);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(
      /integrations\[0\]\.id: "node-red" is already used at kiosks\[0\]\.id/,
    );
    expect(existsSync(config)).toBe(false);
    expect(existsSync(d.file('data/secrets'))).toBe(false);
  });
});
