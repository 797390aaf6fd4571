import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { type Command, EXIT, parseFlags, UsageError } from '../../gateway/src/cli/command.ts';
import { writeFileDurable } from '../../gateway/src/core/durable-file.ts';
import { DEMO_PROGRAM } from '../../gateway/src/demo/demo-config.ts';
import { checkConfigValue, configPathFrom, DEFAULT_CONFIG_PATH } from './config-file.ts';
import type { ProvisionContext } from './context.ts';
import { showCredentials } from './credentials.ts';
import { idFlag, intFlag, oneOf, urlFlag } from './flags.ts';
import { ensureSecretsDir, newSecret, writeSecret } from './secrets.ts';

const DRIVERS = ['simulated', 'pn532', 'serial-line', 'mfrc522'] as const;
type Driver = (typeof DRIVERS)[number];

/** Names the udev rules (provisioning/udev) give readers, so a config survives replugging. */
const DEFAULT_PATHS: Record<'pn532' | 'serial-line', string> = {
  pn532: '/dev/serial0',
  'serial-line': '/dev/loyalty-reader-usb',
};

const FLAGS = {
  config: { type: 'string' },
  'store-id': { type: 'string' },
  'data-dir': { type: 'string' },
  program: { type: 'string' },
  'reader-driver': { type: 'string' },
  'reader-path': { type: 'string' },
  'spi-bus': { type: 'string' },
  'spi-device': { type: 'string' },
  'reset-pin': { type: 'string' },
  'kiosk-id': { type: 'string' },
  'hq-url': { type: 'string' },
  'device-id': { type: 'string' },
  force: { type: 'boolean' },
} as const;

/** The device's identity: kept across `init --force` so head office still knows the device. */
const deviceIdentity = (dataDir: string, flag: string | undefined, storeId: string) => {
  const file = join(dataDir, 'device.json');
  if (flag === undefined && existsSync(file)) {
    const stored: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof stored === 'object' && stored !== null && 'deviceId' in stored)
      return { file, deviceId: String(stored.deviceId), created: false };
  }
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 30) || 'pi';
  return { file, deviceId: flag ?? `${storeId}-${host}`.slice(0, 64), created: true };
};

export const makeInitCommand = (ctx: ProvisionContext): Command => ({
  words: ['provision', 'init'],
  usage:
    'provision init [--config FILE] [--store-id ID] [--data-dir DIR] [--program FILE] [--reader-driver simulated|pn532|serial-line|mfrc522] [--reader-path DEV] [--spi-bus N --spi-device N] [--reset-pin BCM] [--kiosk-id ID] [--hq-url URL] [--device-id ID] [--force]',
  summary:
    'Create this device: identity, config and secret files (0600). Asks on a terminal; flags script it.',
  run: async (args, io) => {
    const { values: v } = parseFlags(args, FLAGS, 0);
    const configPath = configPathFrom(v.config, ctx.env);
    if (existsSync(configPath) && v.force !== true) {
      io.err(`provision init: ${configPath} exists; pass --force to replace it (secrets are regenerated)`);
      return EXIT.invalid;
    }
    const ask = async (flag: string | undefined, question: string, fallback: string): Promise<string> =>
      flag ?? (ctx.prompt ? await ctx.prompt(question, fallback) : fallback);

    const storeIdRaw = await ask(v['store-id'], 'Store id (as head office knows it)', '');
    if (storeIdRaw === '') throw new UsageError('missing --store-id');
    const storeId = idFlag('--store-id', storeIdRaw);
    const defaultData =
      configPath === DEFAULT_CONFIG_PATH ? '/var/lib/loyalty-edge' : join(dirname(configPath), 'data');
    const dataDir = resolve(await ask(v['data-dir'], 'Data folder', defaultData));
    const driver: Driver =
      oneOf(
        'reader-driver',
        await ask(v['reader-driver'], `Reader (${DRIVERS.join(', ')})`, 'simulated'),
        DRIVERS,
      ) ?? 'simulated';
    const reader = await readerEntry(driver, v, ask);
    const kioskRaw = await ask(v['kiosk-id'], 'Kiosk id on this screen (empty: none)', '');
    const kioskId = kioskRaw === '' ? undefined : idFlag('--kiosk-id', kioskRaw);
    const hqUrl = urlFlag('hq-url', await ask(v['hq-url'], 'Head office URL (empty: none yet)', ''));
    const identity = deviceIdentity(
      dataDir,
      v['device-id'] && idFlag('--device-id', v['device-id']),
      storeId,
    );
    const program = resolve(v.program ?? join(dataDir, 'program.yaml'));
    if (v.program !== undefined && !existsSync(program))
      throw new UsageError(`--program: no file at ${program}`);

    const secrets = { kiosk: newSecret(), nodeRed: newSecret() };
    const config = (kioskSecret: string, nodeRedSecret: string) => ({
      storeId,
      dataDir,
      program,
      mqtt: { port: 1883, host: '0.0.0.0' },
      http: { port: 8080, host: '0.0.0.0' },
      tills: [],
      kiosks: kioskId ? [{ id: kioskId, secret: kioskSecret, reader: reader.id }] : [],
      // Node-RED runs beside the gateway as its own MQTT client (architecture.md).
      integrations: [{ id: 'node-red', secret: nodeRedSecret, allowTillRequests: false, allowPii: false }],
      managers: [],
      readers: [reader],
      ...(hqUrl ? { hq: { url: hqUrl, deviceId: identity.deviceId } } : {}),
    });
    // The gateway's loader judges the result before a single file is written.
    checkConfigValue(config(secrets.kiosk, secrets.nodeRed), configPath);

    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(configPath), { recursive: true, mode: 0o700 });
    if (!existsSync(program)) copyFileSync(DEMO_PROGRAM, program);
    const dir = ensureSecretsDir(dataDir);
    const refs = {
      kiosk: kioskId ? writeSecret(dir, 'kiosk', kioskId, secrets.kiosk) : '',
      nodeRed: writeSecret(dir, 'integration', 'node-red', secrets.nodeRed),
    };
    if (identity.created) {
      const device = { deviceId: identity.deviceId, storeId, createdAt: ctx.now().toISOString() };
      writeFileDurable(identity.file, `${JSON.stringify(device, null, 2)}\n`, 0o600);
    }
    ctx.step('secrets-written');
    const header = `# Loyalty Edge store ${storeId}, written by \`loyalty-edge provision init\`.\n# Secrets live in ${dir} (0600); edit with \`loyalty-edge provision ...\`.\n`;
    writeFileDurable(
      configPath,
      header + stringify(config(refs.kiosk, refs.nodeRed), { lineWidth: 0 }),
      0o600,
    );
    ctx.step('config-written');

    io.out(`provision init: store ${storeId}, device ${identity.deviceId}`);
    io.out(`  config:  ${configPath}`);
    io.out(`  data:    ${dataDir} (secrets in ${dir})`);
    io.out(
      `  program: ${program}${v.program === undefined ? ' (the demo program until head office sends one)' : ''}`,
    );
    io.out(`  reader:  ${reader.id} (${describeReader(reader)})${kioskId ? `, kiosk ${kioskId}` : ''}`);
    io.out('Node-RED MQTT credentials (put them in its mqtt-broker node):');
    await showCredentials(io, {
      host: '127.0.0.1',
      port: 1883,
      username: 'node-red',
      password: secrets.nodeRed,
    });
    io.out(
      `Next: loyalty-edge provision add-till TILL-ID --config ${configPath}; then loyalty-edge doctor --config ${configPath}`,
    );
    return EXIT.ok;
  },
});

type ReaderEntry =
  | { id: string; driver: 'simulated' }
  | { id: string; driver: 'pn532' | 'serial-line'; path: string }
  | { id: string; driver: 'mfrc522'; spi: { bus: number; device: number }; resetPin?: number };

const describeReader = (r: ReaderEntry): string =>
  r.driver === 'mfrc522'
    ? `mfrc522 on /dev/spidev${r.spi.bus}.${r.spi.device}${r.resetPin === undefined ? '' : `, reset BCM ${r.resetPin}`}`
    : r.driver === 'simulated'
      ? 'simulated: taps from loyalty-edge tap'
      : `${r.driver} on ${r.path}`;

const readerEntry = async (
  driver: Driver,
  v: { 'reader-path'?: string; 'spi-bus'?: string; 'spi-device'?: string; 'reset-pin'?: string },
  ask: (flag: string | undefined, question: string, fallback: string) => Promise<string>,
): Promise<ReaderEntry> => {
  const id = 'reader-1';
  // A flag that the chosen driver ignores is a mistake worth stopping for.
  const serialFlags = ['reader-path'] as const;
  const spiFlags = ['spi-bus', 'spi-device', 'reset-pin'] as const;
  const unused = [
    ...(driver === 'pn532' || driver === 'serial-line' ? [] : serialFlags),
    ...(driver === 'mfrc522' ? [] : spiFlags),
  ].find((f) => v[f] !== undefined);
  if (unused) throw new UsageError(`--${unused} does not apply to --reader-driver ${driver}`);
  if (driver === 'simulated') return { id, driver };
  if (driver === 'pn532' || driver === 'serial-line') {
    const path = await ask(v['reader-path'], 'Reader device', DEFAULT_PATHS[driver]);
    if (!path.startsWith('/'))
      throw new UsageError(`--reader-path must be an absolute device path (got "${path}")`);
    return { id, driver, path };
  }
  const bus = intFlag('spi-bus', await ask(v['spi-bus'], 'SPI bus', '0'), 0, 6) ?? 0;
  const device = intFlag('spi-device', await ask(v['spi-device'], 'SPI chip select', '0'), 0, 3) ?? 0;
  const resetRaw = await ask(v['reset-pin'], 'Reset pin (BCM, empty: none)', '25');
  const resetPin = resetRaw === '' ? undefined : intFlag('reset-pin', resetRaw, 0, 27);
  return resetPin === undefined
    ? { id, driver, spi: { bus, device } }
    : { id, driver, spi: { bus, device }, resetPin };
};
