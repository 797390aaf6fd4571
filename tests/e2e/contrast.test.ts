import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRAST_PAIRS } from '../../kiosk-ui/src/theme-contrast.ts';

const css = readFileSync(new URL('../../kiosk-ui/src/theme.css', import.meta.url), 'utf8');

/** The `:root` custom properties of theme.css that are plain #rrggbb colours. */
const colours = new Map(
  [...(/:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? '').matchAll(/(--[a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map(
    (m) => [m[1] ?? '', m[2] ?? ''] as const,
  ),
);

/** WCAG 2.x relative luminance and contrast ratio. */
const luminance = (hex: string): number => {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

describe('kiosk theme contrast (WCAG AA, ≥ 4.5:1)', () => {
  it('knows the formula', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  });
  it.each(CONTRAST_PAIRS.map(([fg, bg]) => [fg, bg]))('%s on %s', (fg, bg) => {
    const text = colours.get(fg);
    const back = colours.get(bg);
    expect(text, `${fg} in :root`).toBeDefined();
    expect(back, `${bg} in :root`).toBeDefined();
    expect(contrast(text ?? '', back ?? '')).toBeGreaterThanOrEqual(4.5);
  });
});
