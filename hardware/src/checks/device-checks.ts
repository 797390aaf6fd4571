import { constants } from 'node:fs';
import { access as fsAccess, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findHeaderChip } from '../gpio/sysfs-chip.ts';

/** One line of `loyalty-edge doctor`: what was checked, and the Raspberry Pi OS fix when it failed. */
export interface CheckResult {
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
}

export interface CheckEnvironment {
  devRoot?: string;
  gpioSysfsRoot?: string;
  /** Path of the kernel command line, to spot a serial console on the reader's UART. */
  cmdlinePath?: string;
  /** fs.access seam (tests cannot make a file unreadable for root). */
  access?: (path: string, mode: number) => Promise<void>;
}

export type ReaderCheckConfig =
  | { id: string; driver: 'simulated' }
  | { id: string; driver: 'pn532' | 'serial-line'; path: string }
  | { id: string; driver: 'mfrc522'; spi?: { bus?: number; device?: number } };

const RELOGIN = '(then log out and in again)';

async function probe(env: CheckEnvironment, path: string): Promise<'ok' | 'missing' | 'denied'> {
  const access = env.access ?? fsAccess;
  try {
    await access(path, constants.F_OK);
  } catch {
    return 'missing';
  }
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return 'ok';
  } catch {
    return 'denied';
  }
}

export async function checkSpi(
  spi: { bus?: number; device?: number },
  env: CheckEnvironment = {},
): Promise<CheckResult> {
  const path = join(env.devRoot ?? '/dev', `spidev${spi.bus ?? 0}.${spi.device ?? 0}`);
  const check = `SPI ${path}`;
  const state = await probe(env, path);
  if (state === 'missing') {
    return {
      check,
      ok: false,
      message: `${path} does not exist: SPI is disabled`,
      fix: 'sudo raspi-config nonint do_spi 0 && sudo reboot',
    };
  }
  if (state === 'denied') {
    return {
      check,
      ok: false,
      message: `${path} is not read/write for this user`,
      fix: `sudo usermod -aG spi $USER ${RELOGIN}`,
    };
  }
  return { check, ok: true, message: `${path} is accessible` };
}

const UART_NAMES = /^(serial0|serial1|ttyS0|ttyAMA\d+)$/;

export async function checkSerialPort(path: string, env: CheckEnvironment = {}): Promise<CheckResult[]> {
  const check = `serial ${path}`;
  const name = path.split('/').pop() ?? path;
  const isUart = UART_NAMES.test(name);
  const results: CheckResult[] = [];
  const state = await probe(env, path);
  if (state === 'missing') {
    results.push({
      check,
      ok: false,
      message: `${path} does not exist`,
      fix: isUart
        ? 'sudo raspi-config nonint do_serial_hw 0 && sudo raspi-config nonint do_serial_cons 1 && sudo reboot'
        : 'plug the reader in; list USB serial devices with: ls -l /dev/serial/by-id/',
    });
  } else if (state === 'denied') {
    results.push({
      check,
      ok: false,
      message: `${path} is not read/write for this user`,
      fix: `sudo usermod -aG dialout $USER ${RELOGIN}`,
    });
  } else {
    results.push({ check, ok: true, message: `${path} is accessible` });
  }
  if (isUart) {
    const cmdline = await readFile(env.cmdlinePath ?? '/proc/cmdline', 'utf8').catch(() => '');
    if (/console=(serial0|ttyS0|ttyAMA0)/.test(cmdline)) {
      results.push({
        check: 'serial console',
        ok: false,
        message: 'the kernel console uses the UART; it will talk over the reader',
        fix: 'sudo raspi-config nonint do_serial_cons 1 && sudo reboot',
      });
    }
  }
  return results;
}

export async function checkGpio(env: CheckEnvironment = {}): Promise<CheckResult> {
  const root = env.gpioSysfsRoot ?? '/sys/class/gpio';
  const check = 'GPIO';
  let chip: Awaited<ReturnType<typeof findHeaderChip>>;
  try {
    chip = await findHeaderChip(root);
  } catch (error) {
    return {
      check,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      fix: 'run on a Raspberry Pi with the sysfs GPIO interface (CONFIG_GPIO_SYSFS, on in Raspberry Pi OS kernels)',
    };
  }
  const exportState = await probe(env, join(root, 'export'));
  if (exportState !== 'ok') {
    return {
      check,
      ok: false,
      message: `${root}/export is not writable`,
      fix: `sudo usermod -aG gpio $USER ${RELOGIN}`,
    };
  }
  return { check, ok: true, message: `header chip ${chip.label} at base ${chip.base} (${chip.ngpio} lines)` };
}

/** All checks a reader's configuration implies. */
export async function checkReader(
  config: ReaderCheckConfig,
  env: CheckEnvironment = {},
): Promise<CheckResult[]> {
  switch (config.driver) {
    case 'simulated':
      return [{ check: `reader ${config.id}`, ok: true, message: 'simulated reader: nothing to check' }];
    case 'mfrc522':
      return [await checkSpi(config.spi ?? {}, env)];
    case 'pn532':
    case 'serial-line':
      return checkSerialPort(config.path, env);
  }
}
