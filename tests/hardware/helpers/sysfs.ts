import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixtureChip {
  base: number;
  label: string;
  ngpio: number;
}

/** A fake /sys/class/gpio with one folder per chip, named gpiochip<base> as the kernel does. */
export function makeSysfsTree(chips: FixtureChip[]): string {
  const root = mkdtempSync(join(tmpdir(), 'le-sysfs-'));
  writeFileSync(join(root, 'export'), '');
  for (const chip of chips) {
    const dir = join(root, `gpiochip${chip.base}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'base'), `${chip.base}\n`);
    writeFileSync(join(dir, 'label'), `${chip.label}\n`);
    writeFileSync(join(dir, 'ngpio'), `${chip.ngpio}\n`);
  }
  return root;
}

export const FIXTURES = {
  'Pi 3, kernel < 6.6': [{ base: 0, label: 'pinctrl-bcm2835', ngpio: 54 }],
  'Pi 3, kernel >= 6.6': [
    { base: 512, label: 'pinctrl-bcm2835', ngpio: 54 },
    { base: 566, label: 'raspberrypi-exp-gpio', ngpio: 8 },
  ],
  'Pi 4, bookworm/trixie': [
    { base: 512, label: 'pinctrl-bcm2711', ngpio: 58 },
    { base: 570, label: 'raspberrypi-exp-gpio', ngpio: 8 },
  ],
  'Pi 5, trixie': [
    { base: 512, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
    { base: 544, label: 'gpio-brcmstb@107d508520', ngpio: 4 },
    { base: 548, label: 'gpio-brcmstb@107d517c00', ngpio: 17 },
    { base: 565, label: 'gpio-brcmstb@107d517c20', ngpio: 6 },
    { base: 571, label: 'pinctrl-rp1', ngpio: 54 },
  ],
  'Pi 5, early bookworm (399)': [
    { base: 399, label: 'pinctrl-rp1', ngpio: 54 },
    { base: 453, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
  ],
  'Pi 5, first kernels (53)': [
    { base: 0, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
    { base: 53, label: 'pinctrl-rp1', ngpio: 54 },
  ],
} satisfies Record<string, FixtureChip[]>;
