import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HardwareError } from '../types.ts';

/** Labels of the chip that drives the 40-pin header, newest first (Pi 5, Pi 4, Pi 3 and older). */
export const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface GpioChipInfo {
  /** e.g. `gpiochip512`; its number changes between kernels, so we never rely on it. */
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

async function readTrim(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export async function listGpioChips(sysfsRoot = '/sys/class/gpio'): Promise<GpioChipInfo[]> {
  let names: string[];
  try {
    names = (await readdir(sysfsRoot)).filter((n) => n.startsWith('gpiochip'));
  } catch {
    return [];
  }
  const chips: GpioChipInfo[] = [];
  for (const name of names.sort()) {
    const [label, base, ngpio] = await Promise.all(
      ['label', 'base', 'ngpio'].map((f) => readTrim(join(sysfsRoot, name, f))),
    );
    if (label === undefined || base === undefined || ngpio === undefined) continue;
    chips.push({ name, label, base: Number(base), ngpio: Number(ngpio) });
  }
  return chips;
}

/**
 * Finds the header GPIO chip by label. Since kernel 6.6 sysfs numbers are offset (base 512
 * on Pi 4 and older, 571 on Pi 5, 399/53 on early Pi 5 kernels), so the number of BCM line N
 * is `base + N`, never plain N.
 */
export async function findHeaderChip(sysfsRoot = '/sys/class/gpio'): Promise<GpioChipInfo> {
  const chips = await listGpioChips(sysfsRoot);
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  const seen = chips.map((c) => `${c.name}=${c.label}`).join(', ') || 'none';
  throw new HardwareError(
    'NOT_FOUND',
    `no header GPIO chip (${HEADER_CHIP_LABELS.join(', ')}) under ${sysfsRoot}; found: ${seen}`,
  );
}

/** The sysfs GPIO number for BCM line `bcm` on the header chip. */
export function sysfsNumber(chip: GpioChipInfo, bcm: number): number {
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= Math.min(chip.ngpio, 28)) {
    throw new RangeError(`BCM ${bcm} is not a header GPIO (0-27)`);
  }
  return chip.base + bcm;
}
