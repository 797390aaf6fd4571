import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this file runs from (gateway/src/kiosk → the repository root). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface KioskPageSources {
  /** kiosk-ui/ with its vite.config.ts: present in a checkout, absent in a release (built already). */
  uiDir: string;
  /** The folders and files the bundle is made from, besides kiosk-ui/src. */
  extra: string[];
}

export const CHECKOUT_SOURCES: KioskPageSources = {
  uiDir: join(ROOT, 'kiosk-ui'),
  // The page imports the wire types of the gateway (type-only, but a rename breaks the build).
  extra: [join(ROOT, 'gateway/src/contract'), join(ROOT, 'gateway/src/kiosk/wire.ts')],
};

const newest = (path: string): number => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
};

export type PageState = 'built' | 'missing' | 'stale' | 'no-sources';

/** Whether `kiosk-ui/dist` is there and newer than everything it is built from. */
export const kioskPageState = (src: KioskPageSources = CHECKOUT_SOURCES): PageState => {
  const index = join(src.uiDir, 'dist', 'index.html');
  const config = join(src.uiDir, 'vite.config.ts');
  if (!existsSync(config)) return existsSync(index) ? 'built' : 'no-sources';
  if (!existsSync(index)) return 'missing';
  const sources = Math.max(
    newest(join(src.uiDir, 'src')),
    newest(join(src.uiDir, 'index.html')),
    newest(config),
    ...src.extra.filter((p) => existsSync(p)).map(newest),
  );
  return statSync(index).mtimeMs < sources ? 'stale' : 'built';
};

/**
 * Builds the kiosk page with vite's JS API when it is missing or older than its sources
 * (a fresh checkout, or after a pull), so the kiosk URL `start` prints shows the kiosk.
 * A release ships the page built and no vite: there this does nothing. Parallel callers
 * (test workers, two gateways of one checkout) build once: a lock folder (mkdir is atomic).
 */
export const ensureKioskPage = async (
  say: (line: string) => void,
  src: KioskPageSources = CHECKOUT_SOURCES,
): Promise<PageState> => {
  const lock = join(src.uiDir, '.build-lock');
  for (let waited = 0; ; waited += 200) {
    const state = kioskPageState(src);
    if (state === 'built' || state === 'no-sources') return state;
    try {
      mkdirSync(lock);
    } catch {
      // A builder that died leaves its lock: after a minute, take it over.
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (kioskPageState(src) === 'built') return 'built';
      say(
        `kiosk: ${state === 'missing' ? 'building the kiosk page (first start of this checkout)' : 'the kiosk sources changed; rebuilding the page'}…`,
      );
      const started = performance.now();
      const { build } = await import('vite');
      await build({ configFile: join(src.uiDir, 'vite.config.ts'), logLevel: 'warn' });
      say(`kiosk: page built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return 'built';
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
};
