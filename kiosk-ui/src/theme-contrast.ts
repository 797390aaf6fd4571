/**
 * Text/background pairs of theme.css that must reach WCAG AA (≥ 4.5:1). Plain data, no DOM:
 * tests/e2e/contrast.test.ts reads theme.css and checks each pair.
 */
export const CONTRAST_PAIRS: ReadonlyArray<readonly [text: string, background: string]> = [
  ['--fg', '--bg'],
  ['--fg', '--surface'],
  ['--muted', '--bg'],
  ['--muted', '--surface'],
  ['--accent-fg', '--accent'],
  ['--accent', '--bg'],
  ['--danger-fg', '--danger-bg'],
  ['--banner-fg', '--banner-bg'],
];
