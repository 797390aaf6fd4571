import type { Config } from '../../../gateway/src/config/load.ts';
import { type CheckResult, checkGpio, checkReader } from '../../../hardware/src/index.ts';
import type { DoctorProbes } from './probes.ts';
import { type DoctorResult, fail, ok } from './result.ts';

const convert = (r: CheckResult, prefix: string): DoctorResult => {
  // hardware/ already names simulated readers `reader ID`.
  const check = r.check.startsWith('reader ') ? r.check : `${prefix}${r.check}`;
  return r.ok ? ok(check, r.message) : fail(check, r.message, r.fix ?? 'see docs/troubleshooting.md');
};

/**
 * hardware/'s own device checks (SPI node, serial node and its group, the serial console
 * on the UART, the GPIO header chip), once per configured reader, plus GPIO when
 * anything drives a pin: an indicator, or an MFRC522 reset line.
 */
export const checkDevices = async (config: Config, probes: DoctorProbes): Promise<DoctorResult[]> => {
  const results: DoctorResult[] = [];
  for (const reader of config.readers) {
    if (reader.driver === 'external') {
      results.push(ok(`reader ${reader.id}`, 'external reader: its taps come from an integration'));
      continue;
    }
    for (const r of await checkReader(reader, probes.hardware))
      results.push(convert(r, `reader ${reader.id}: `));
  }
  const pins: string[] = [];
  for (const [name, pin] of Object.entries(config.indicator ?? {}))
    if (pin !== undefined) pins.push(`indicator.${name}`);
  for (const reader of config.readers)
    if (reader.driver === 'mfrc522' && reader.resetPin !== undefined) pins.push(`reader ${reader.id} reset`);
  if (pins.length > 0) {
    const gpio = await checkGpio(probes.hardware);
    results.push(convert({ ...gpio, message: `${gpio.message} (needed by ${pins.join(', ')})` }, ''));
  }
  return results;
};
