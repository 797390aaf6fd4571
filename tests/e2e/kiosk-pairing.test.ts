import { networkInterfaces } from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from '../fakes/gateway-fixture.ts';
import { ensureBundle, launchChromium, SCREENSHOTS, tap, VIEWPORT } from './page-fixture.ts';

/** This machine's first non-loopback IPv4 address: the page opened through it is "remote". */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe.skipIf(!lanAddress)('a remote kiosk screen pairs with a one-time code', () => {
  let fx: GatewayFixture;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    await ensureBundle();
    fx = await startGateway({
      http: { port: 0, host: '0.0.0.0' },
      readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 50 }],
    });
    port = fx.gateway.ports.http;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('no credentials without the code; the code from the Pi connects it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`http://${lanAddress}:${port}/kiosk/kiosk-1?lang=en`);
    await page.locator('[data-screen="not-paired"]').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/pairing-en.png` });
    const enter = async (code: string) => {
      for (const d of code) await page.locator(`.pin-grid [data-key="${d}"]`).click();
      await page.locator('[data-testid="pin-ok"]').click();
    };
    // No code issued yet: any code is wrong.
    await enter('123456');
    await page.locator('[data-testid="pair-error"]').waitFor();
    const issued = await fetch(`http://127.0.0.1:${port}/kiosk/kiosk-1/pairing`, { method: 'POST' });
    const { code } = (await issued.json()) as { code: string };
    await enter(code);
    await page.locator('[data-screen="attract"]').waitFor();
    await page.locator('[data-testid="gateway-offline"]').waitFor({ state: 'detached' });
    await tap(port, '1B2C3D4E');
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('800');
    await context.close();
  });
});
