import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemProbes } from '../../provisioning/src/doctor/probes.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { runCommand } from './helpers.ts';

/**
 * The doctor's real output on the machine running the tests: real /dev, /sys, commands and
 * sockets. On a CI box or laptop there is no SPI, no header GPIO and no systemd, and the
 * report must say so with the fix; on a prepared Pi the same lines say ok.
 */
describe('doctor on this machine', () => {
  const dir = makeTempDir('doctor-real-');
  const config = dir.file('config.yaml');
  beforeAll(async () => {
    const init = await runCommand('provision init', [
      '--config',
      config,
      '--store-id',
      'real-1',
      '--reader-driver',
      'mfrc522',
      '--reset-pin',
      '25',
    ]);
    expect(init.code).toBe(0);
  });
  afterAll(() => dir.remove());

  it('names what is missing and how to fix it', async () => {
    const { code, io } = await runCommand('doctor', ['--config', config], undefined, systemProbes());
    const text = io.stdout.join('\n');
    if (existsSync('/dev/spidev0.0')) expect(text).toMatch(/\[ ok \] reader reader-1: SPI \/dev\/spidev0\.0/);
    else {
      expect(text).toContain(
        '[FAIL] reader reader-1: SPI /dev/spidev0.0: /dev/spidev0.0 does not exist: SPI is disabled',
      );
      expect(text).toContain('fix: sudo raspi-config nonint do_spi 0 && sudo reboot');
    }
    const piGpio = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];
    const { listGpioChips } = await import('../../hardware/src/index.ts');
    const chips = await listGpioChips();
    if (chips.some((c) => piGpio.includes(c.label))) expect(text).toMatch(/\[ ok \] GPIO: header chip/);
    else
      expect(text).toMatch(
        /\[FAIL\] GPIO: no header GPIO chip .*needed by reader reader-1 reset\)\n\s+fix: /,
      );
    if (!existsSync('/run/systemd/system'))
      expect(text).toContain('[WARN] services: systemd is not running here');
    expect(text).toMatch(/\[(ok |FAIL|WARN)\] clock: /);
    expect(code).toBe(text.includes('[FAIL]') ? 1 : 0);
  });
});
