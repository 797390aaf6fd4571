import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findHeaderChip, sysfsNumber } from '../../../hardware/src/gpio/sysfs-chip.ts';
import { FIXTURES, makeSysfsTree } from '../helpers/sysfs.ts';

const roots: string[] = [];
const tree = (name: keyof typeof FIXTURES): string => {
  const root = makeSysfsTree(FIXTURES[name]);
  roots.push(root);
  return root;
};

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('header GPIO chip on fixture sysfs trees', () => {
  it.each([
    ['Pi 3, kernel < 6.6', 'pinctrl-bcm2835', 17],
    ['Pi 3, kernel >= 6.6', 'pinctrl-bcm2835', 529],
    ['Pi 4, bookworm/trixie', 'pinctrl-bcm2711', 529],
    ['Pi 5, trixie', 'pinctrl-rp1', 588],
    ['Pi 5, early bookworm (399)', 'pinctrl-rp1', 416],
    ['Pi 5, first kernels (53)', 'pinctrl-rp1', 70],
  ] as const)('%s: BCM 17 is sysfs %i via %s', async (name, label, expected) => {
    const chip = await findHeaderChip(tree(name));
    expect(chip.label).toBe(label);
    expect(sysfsNumber(chip, 17)).toBe(expected);
  });

  it('names what it found when no header chip is there', async () => {
    const root = makeSysfsTree([{ base: 0, label: 'gpio-mockup-A', ngpio: 8 }]);
    roots.push(root);
    await expect(findHeaderChip(root)).rejects.toThrow(/no header GPIO chip.*gpiochip0=gpio-mockup-A/);
  });

  it('reports a missing sysfs root', async () => {
    await expect(findHeaderChip('/nonexistent/gpio')).rejects.toThrow(/found: none/);
  });

  it('refuses BCM numbers that are not on the header', async () => {
    const chip = await findHeaderChip(tree('Pi 4, bookworm/trixie'));
    expect(() => sysfsNumber(chip, 28)).toThrow(RangeError);
    expect(() => sysfsNumber(chip, -1)).toThrow(RangeError);
  });
});
