import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../gateway/src/ledger/index.ts';
import { type DoctorProbes, systemProbes } from '../../provisioning/src/doctor/probes.ts';
import type { DoctorResult } from '../../provisioning/src/doctor/result.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { quietProbes, runCommand } from './helpers.ts';

/** A Raspberry Pi 4's sysfs GPIO folder: the header chip is labelled pinctrl-bcm2711, base 512. */
const gpioTree = (root: string, label = 'pinctrl-bcm2711') => {
  const chip = join(root, 'gpiochip512');
  mkdirSync(chip, { recursive: true });
  writeFileSync(join(chip, 'label'), `${label}\n`);
  writeFileSync(join(chip, 'base'), '512\n');
  writeFileSync(join(chip, 'ngpio'), '58\n');
  writeFileSync(join(root, 'export'), '');
};

describe('doctor on fixture trees', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let config: string;
  let dev: string;
  let gpio: string;
  let cmdline: string;
  beforeEach(async () => {
    dir = makeTempDir('doctor-');
    config = dir.file('config.yaml');
    dev = dir.file('dev');
    gpio = dir.file('sys/class/gpio');
    cmdline = dir.file('cmdline');
    mkdirSync(dev, { recursive: true });
    mkdirSync(gpio, { recursive: true });
    writeFileSync(cmdline, 'console=tty1 root=PARTUUID=1234 rootwait\n');
    const init = await runCommand('provision init', [
      '--config',
      config,
      '--store-id',
      'shop-1',
      '--reader-driver',
      'mfrc522',
      '--reset-pin',
      '25',
      '--kiosk-id',
      'k1',
    ]);
    expect(init.code).toBe(0);
  });
  afterEach(() => dir.remove());

  const doctor = async (probes: Partial<DoctorProbes> = {}, extra: string[] = []) => {
    const run = await runCommand(
      'doctor',
      ['--config', config, '--json', ...extra],
      undefined,
      quietProbes({
        hardware: { devRoot: dev, gpioSysfsRoot: gpio, cmdlinePath: cmdline },
        ...probes,
      }),
    );
    const report = JSON.parse(run.io.stdout.join('\n')) as { ok: boolean; checks: DoctorResult[] };
    const find = (check: string | RegExp) =>
      report.checks.find((c) => (typeof check === 'string' ? c.check === check : check.test(c.check)));
    return { ...run, report, find };
  };

  const addSerialReader = (path: string) => {
    const text = readFileSync(config, 'utf8');
    writeFileSync(
      config,
      text.replace('readers:\n', `readers:\n  - id: uart\n    driver: pn532\n    path: ${path}\n`),
    );
  };

  it('all present: SPI node, GPIO header chip → exit 0', async () => {
    writeFileSync(join(dev, 'spidev0.0'), '');
    gpioTree(gpio);
    const { code, report, find, io } = await doctor();
    expect(code, io.text()).toBe(0);
    expect(report.ok).toBe(true);
    expect(find(/^reader reader-1: SPI/)?.status).toBe('ok');
    expect(find('GPIO')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('pinctrl-bcm2711 at base 512'),
    });
    expect(find('config')?.status).toBe('ok');
  });

  it('SPI absent → fail with the raspi-config fix; GPIO chip not found → fail; exit 1', async () => {
    mkdirSync(join(gpio, 'gpiochip0'));
    writeFileSync(join(gpio, 'gpiochip0', 'label'), 'some-expander');
    writeFileSync(join(gpio, 'gpiochip0', 'base'), '0');
    writeFileSync(join(gpio, 'gpiochip0', 'ngpio'), '8');
    const { code, find, report } = await doctor();
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(find(/^reader reader-1: SPI/)).toMatchObject({
      status: 'fail',
      fix: 'sudo raspi-config nonint do_spi 0 && sudo reboot',
    });
    expect(find('GPIO')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('found: gpiochip0=some-expander'),
    });
  });

  it('SPI present but not permitted → the spi group fix', async () => {
    writeFileSync(join(dev, 'spidev0.0'), '');
    gpioTree(gpio);
    const deny = async (path: string, mode: number) => {
      if (mode !== 0 && path.endsWith('spidev0.0'))
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    const { find } = await doctor({
      hardware: { devRoot: dev, gpioSysfsRoot: gpio, cmdlinePath: cmdline, access: deny },
    });
    expect(find(/^reader reader-1: SPI/)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('usermod -aG spi'),
    });
  });

  it('serial reader: permitted → ok; not permitted → dialout; console on the UART → fail', async () => {
    writeFileSync(join(dev, 'spidev0.0'), '');
    gpioTree(gpio);
    writeFileSync(join(dev, 'ttyAMA0'), '');
    addSerialReader(join(dev, 'ttyAMA0'));
    expect((await doctor()).find(/^reader uart: serial/)?.status).toBe('ok');
    const deny = async (path: string, mode: number) => {
      if (mode !== 0 && path.endsWith('ttyAMA0'))
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    const denied = await doctor({
      hardware: { devRoot: dev, gpioSysfsRoot: gpio, cmdlinePath: cmdline, access: deny },
    });
    expect(denied.find(/^reader uart: serial/)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('usermod -aG dialout'),
    });
    writeFileSync(cmdline, 'console=serial0,115200 console=tty1\n');
    expect((await doctor()).find('reader uart: serial console')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('do_serial_cons 1'),
    });
  });

  it('an external reader has nothing to check on this device', async () => {
    writeFileSync(join(dev, 'spidev0.0'), '');
    gpioTree(gpio);
    const text = readFileSync(config, 'utf8');
    writeFileSync(
      config,
      text.replace('readers:\n', 'readers:\n  - id: till-reader\n    driver: external\n'),
    );
    const { code, find, io } = await doctor();
    expect(code, io.text()).toBe(0);
    expect(find('reader till-reader')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/integration/),
    });
  });

  it('a real SQLite ledger passes quick_check and verify; a damaged file fails', async () => {
    const ledger = openLedger(dir.file('data/store.db'));
    ledger.addMember({ id: 'm1', firstName: 'Ann', tier: 'bronze', enrolledAt: '2026-11-23T10:00:00+04:00' });
    ledger.close();
    const good = await doctor();
    expect(good.find('database')?.status).toBe('ok');
    expect(good.find('ledger')?.status).toBe('ok');
    writeFileSync(
      dir.file('data/store.db'),
      'this is not a database, just a file with text in it. '.repeat(200),
    );
    const bad = await doctor();
    expect(bad.find('database')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('restore the last backup'),
    });
  });

  it('ports: held by our gateway → ok; by something else → fail naming ss', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const text = readFileSync(config, 'utf8');
      writeFileSync(
        config,
        text.replace(/mqtt:\n {2}port: 1883\n {2}host: 0.0.0.0/, `mqtt:\n  port: ${port}\n  host: 127.0.0.1`),
      );
      const real = systemProbes();
      const foreign = await doctor({ listen: real.listen, httpGet: async () => ({ error: 'ECONNREFUSED' }) });
      expect(foreign.find(`MQTT port ${port}`)).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining(`ss -ltnp 'sport = :${port}'`),
      });
      const ours = await doctor({
        listen: real.listen,
        httpGet: async () => ({ status: 200, body: '{"storeId":"shop-1"}' }),
      });
      expect(ours.find(`MQTT port ${port}`)).toMatchObject({
        status: 'ok',
        message: expect.stringContaining('running gateway'),
      });
    } finally {
      server.close();
    }
  });

  it('clock: synchronised, not synchronised, cannot tell', async () => {
    expect((await doctor()).find('clock')?.status).toBe('ok');
    expect(
      (await doctor({ run: async () => ({ code: 0, stdout: 'no\n', stderr: '' }) })).find('clock'),
    ).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('timedatectl set-ntp true'),
    });
    const missing = await doctor({ run: async () => ({ code: null, stdout: '', stderr: '' }) });
    expect(missing.find('clock')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('cannot tell'),
    });
  });

  it('services: without systemd says so; with systemd an inactive gateway fails', async () => {
    expect((await doctor()).find('services')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('systemd is not running'),
    });
    const run = async (cmd: string, args: string[]) =>
      cmd === 'systemctl'
        ? { code: 3, stdout: args[1] === 'loyalty-node-red.service' ? 'active\n' : 'inactive\n', stderr: '' }
        : { code: 0, stdout: 'yes\n', stderr: '' };
    const withSystemd = await doctor({ systemdRunning: () => true, run });
    expect(withSystemd.find('loyalty-edge.service')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('systemctl enable --now loyalty-edge.service'),
    });
    expect(withSystemd.find('loyalty-node-red.service')?.status).toBe('ok');
    expect(withSystemd.find('loyalty-kiosk@k1.service')?.status).toBe('warn');
  });

  it('data dir not writable and low disk space fail; head office unreachable only warns', async () => {
    const text = readFileSync(config, 'utf8');
    writeFileSync(config, `${text}hq:\n  url: http://hq.invalid\n  deviceId: d1\n`);
    const r = await doctor({
      canWrite: async () => 'EROFS',
      freeBytes: async () => 50 * 1024 * 1024,
      httpGet: async () => ({ error: 'ENOTFOUND' }),
    });
    expect(r.find('data dir')).toMatchObject({ status: 'fail', message: expect.stringContaining('EROFS') });
    expect(r.find('disk space')?.status).toBe('fail');
    expect(r.find('head office')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('sales continue offline'),
    });
  });

  it('a broken config fails with every problem and stops the store checks; text report has fix lines', async () => {
    writeFileSync(config, 'storeId: "bad id"\nprogram: p.yaml\nmqtt: {port: 99999}\n');
    const { code, io } = await runCommand('doctor', ['--config', config], undefined, quietProbes());
    expect(code).toBe(1);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/\[FAIL\] config: .*storeId: must be .*mqtt\.port/);
    expect(text).toContain(`       fix: loyalty-edge config check ${config}`);
    expect(text).not.toContain('data dir');
    expect(text).toMatch(/doctor: \d+ ok, \d+ warning\(s\), 1 failure\(s\)/);
  });

  it('bad flags exit 2 naming the flag', async () => {
    const { code, io } = await runCommand('doctor', ['--verbose']);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--verbose/);
  });
});
