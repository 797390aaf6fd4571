import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ensureKioskPage } from '../../gateway/src/kiosk/page-build.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Builds kiosk-ui/dist when it is missing or older than its sources (as `start` does). */
export const ensureBundle = async (): Promise<void> => {
  await ensureKioskPage(() => {});
};

/** Debian's Chromium, headless, as on the Pi (architecture.md: Chromium in kiosk mode). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });

/** A 7" Pi touch screen. */
export const VIEWPORT = { width: 800, height: 480 };

export const openKiosk = async (browser: Browser, httpPort: number, query = ''): Promise<Page> => {
  const context = await browser.newContext({ viewport: VIEWPORT, hasTouch: true, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${httpPort}/kiosk/kiosk-1${query}`);
  await page.locator('[data-screen="attract"]').waitFor();
  // The session topic is not retained: wait until the page is subscribed before tapping.
  await page.locator('[data-testid="gateway-offline"]').waitFor({ state: 'detached' });
  return page;
};

/** A tap on the simulated reader through the loopback HTTP API (docs/protocol.md §3). */
export const tap = async (httpPort: number, uid: string, reader = 'reader-1'): Promise<void> => {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/readers/${reader}/tap`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uid }),
  });
  if (res.status !== 202) throw new Error(`tap: HTTP ${res.status} ${await res.text()}`);
};

/** Touch and a11y rules checked on every screen (run in the page; loosely typed, no DOM lib here). */
export const AUDIT = `(() => {
  const problems = [];
  const name = (el) => (el.getAttribute('aria-label') || el.textContent || '').trim();
  for (const el of document.querySelectorAll('button, [role="button"]')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (!name(el)) problems.push('button without a name: ' + el.outerHTML.slice(0, 80));
    if (r.width < 48 || r.height < 48) problems.push('small target ' + Math.round(r.width) + 'x' + Math.round(r.height) + ': ' + name(el));
  }
  for (const img of document.querySelectorAll('img')) if (!img.getAttribute('alt')) problems.push('img without alt');
  for (const el of document.querySelectorAll('[role="progressbar"]'))
    if (!el.getAttribute('aria-label') || el.getAttribute('aria-valuenow') === null) problems.push('progressbar unlabeled');
  const h1 = document.querySelectorAll('main h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 in main');
  if (!document.documentElement.lang) problems.push('no lang');
  const style = getComputedStyle(document.body);
  if (style.userSelect !== 'none') problems.push('text selectable');
  if (style.touchAction !== 'manipulation') problems.push('touch-action ' + style.touchAction);
  const viewport = document.querySelector('meta[name="viewport"]')?.getAttribute('content') || '';
  if (!viewport.includes('user-scalable=no')) problems.push('pinch zoom allowed');
  return problems;
})()`;

/** Enters a PIN on the on-screen pad and confirms. */
export const enterPin = async (page: Page, pin: string): Promise<void> => {
  for (const d of pin) await page.locator(`.pin-grid [data-key="${d}"]`).click();
  await page.locator('[data-testid="pin-ok"]').click();
};

/**
 * Where the e2e run writes its screenshots: the docs' folder when asked
 * (`UPDATE_SCREENSHOTS=1 npx vitest run tests/e2e`), else a scratch folder, so an ordinary
 * test run leaves the working tree as it was.
 */
export const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'screenshots')
    : mkdtempSync(join(tmpdir(), 'le-screenshots-'));
if (process.env.UPDATE_SCREENSHOTS !== '1')
  process.once('exit', () => rmSync(SCREENSHOTS, { recursive: true, force: true }));
