import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkGpio,
  checkReader,
  checkSerialPort,
  checkSpi,
} from '../../../hardware/src/checks/device-checks.ts';
import { FIXTURES, makeSysfsTree } from '../helpers/sysfs.ts';

describe('device checks', () => {
  let dev: string;
  beforeEach(() => {
    dev = mkdtempSync(join(tmpdir(), 'le-dev-'));
  });
  afterEach(() => rmSync(dev, { recursive: true, force: true }));

  const denyAll = async (_path: string, mode: number): Promise<void> => {
    if (mode !== 0) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
  };

  it('SPI: missing device → enable SPI with raspi-config', async () => {
    const r = await checkSpi({ bus: 0, device: 0 }, { devRoot: dev });
    expect(r).toMatchObject({ ok: false, fix: 'sudo raspi-config nonint do_spi 0 && sudo reboot' });
  });

  it('SPI: present but not permitted → spi group; present and permitted → ok', async () => {
    writeFileSync(join(dev, 'spidev0.1'), '');
    expect(await checkSpi({ device: 1 }, { devRoot: dev, access: denyAll })).toMatchObject({
      ok: false,
      fix: expect.stringContaining('usermod -aG spi'),
    });
    expect(await checkSpi({ device: 1 }, { devRoot: dev })).toMatchObject({ ok: true });
  });

  it('serial: missing UART → enable it and disable the console; missing USB → plug it in', async () => {
    const [uart] = await checkSerialPort(join(dev, 'serial0'), { cmdlinePath: join(dev, 'none') });
    expect(uart?.fix).toContain('do_serial_hw 0');
    expect(uart?.fix).toContain('do_serial_cons 1');
    const [usb] = await checkSerialPort(join(dev, 'ttyUSB0'));
    expect(usb?.fix).toContain('/dev/serial/by-id');
  });

  it('serial: not permitted → dialout; console on the UART is flagged', async () => {
    writeFileSync(join(dev, 'ttyS0'), '');
    const cmdline = join(dev, 'cmdline');
    writeFileSync(cmdline, 'console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootwait');
    const results = await checkSerialPort(join(dev, 'ttyS0'), { access: denyAll, cmdlinePath: cmdline });
    expect(results.map((r) => r.fix)).toEqual([
      expect.stringContaining('usermod -aG dialout'),
      'sudo raspi-config nonint do_serial_cons 1 && sudo reboot',
    ]);
  });

  it('GPIO: finds the Pi 5 header chip, or says what is missing', async () => {
    const root = makeSysfsTree(FIXTURES['Pi 5, trixie']);
    try {
      expect(await checkGpio({ gpioSysfsRoot: root })).toMatchObject({
        ok: true,
        message: expect.stringContaining('571'),
      });
      expect(await checkGpio({ gpioSysfsRoot: root, access: denyAll })).toMatchObject({
        ok: false,
        fix: expect.stringContaining('gpio'),
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(await checkGpio({ gpioSysfsRoot: join(dev, 'gpio') })).toMatchObject({ ok: false });
  });

  it('dispatches on the reader driver', async () => {
    mkdirSync(join(dev, 'serial'), { recursive: true });
    expect(await checkReader({ id: 'sim', driver: 'simulated' })).toMatchObject([{ ok: true }]);
    expect(await checkReader({ id: 'rc', driver: 'mfrc522' }, { devRoot: dev })).toMatchObject([
      { ok: false },
    ]);
    expect(await checkReader({ id: 'pn', driver: 'pn532', path: join(dev, 'ttyUSB1') })).toMatchObject([
      { ok: false },
    ]);
  });
});
