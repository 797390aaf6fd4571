import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTill, type GatewayFixture, saleBody, startGateway } from '../fakes/gateway-fixture.ts';
import {
  AUDIT,
  ensureBundle,
  enterPin,
  launchChromium,
  openKiosk,
  SCREENSHOTS,
  tap,
} from './page-fixture.ts';

const LANGS = ['hy', 'fa', 'en', 'ru'] as const;

describe('every kiosk screen in every script: screenshots and a11y', () => {
  let fx: GatewayFixture;
  let browser: Browser;
  let page: Page;
  let port: number;
  const audited: string[] = [];

  /** Screenshots `screen` in the four languages (switcher on screen) and audits it in English. */
  const shoot = async (screen: string): Promise<void> => {
    for (const lang of LANGS) {
      await page.locator(`[data-lang="${lang}"]`).click();
      await page.waitForFunction(`document.documentElement.lang === '${lang}'`);
      if (lang === 'en') expect(await page.evaluate<string[]>(AUDIT), screen).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `${screen}-${lang}.png`) });
    }
    audited.push(screen);
  };

  beforeAll(async () => {
    await ensureBundle();
    fx = await startGateway({ readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 50 }] });
    port = fx.gateway.ports.http;
    const till = await connectTill(fx.url);
    // Bought last December: silver now, and those points expire within 90 days (home shows them).
    const sale = saleBody('04A1B2C3D4E5F6', [{ sku: 'TV', qty: 1, unitPrice: 10_000_000 }], {
      at: '2025-12-20T10:00:00+04:00',
    });
    expect(await till.request('sale', sale)).toMatchObject({ ok: true, tier: 'silver' });
    await till.close();
    fx.gateway.ledger.setCardStatus('3D4E5F60', 'locked');
    browser = await launchChromium();
    page = await openKiosk(browser, port, '?idle=600');
    // Animations off: screenshots are of a settled screen.
    await page.addStyleTag({ content: '*{animation:none!important;transition:none!important}' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('attract, home, rewards, PIN, convert, history, voucher, unknown and locked', async () => {
    await shoot('attract');
    await tap(port, '04A1B2C3D4E5F6');
    await page.locator('[data-screen="home"]').waitFor();
    expect(await page.locator('[data-testid="expiring"] li').count()).toBeGreaterThan(0);
    await shoot('home');
    await page.locator('[data-testid="go-rewards"]').click();
    await shoot('rewards');
    await page.locator('[data-reward="coffee"] button').click();
    await page.locator('.pin-grid [data-key="1"]').click();
    await shoot('pin');
    await page.locator('.pin-side .btn').click();
    await page.locator('[data-screen="rewards"]').waitFor();
    await page.locator('.screen-head .back').click();
    await page.locator('[data-testid="go-convert"]').click();
    await shoot('convert');
    await page.locator('.screen-head .back').click();
    await page.locator('[data-testid="go-history"]').click();
    await page.locator('.history-table').waitFor();
    await shoot('history');
    await page.locator('.screen-head .back').click();
    await page.locator('[data-testid="go-rewards"]').click();
    await page.locator('[data-reward="coffee"] button').click();
    await enterPin(page, '2345');
    await page.locator('img.qr').waitFor();
    await shoot('voucher');
    await page.locator('[data-testid="done"]').click();
    await tap(port, 'ABCDEF0123');
    await page.locator('[data-screen="unknown-card"]').waitFor();
    await shoot('unknown-card');
    await tap(port, '3D4E5F60');
    await page.locator('[data-refusal="CARD_LOCKED"]').waitFor();
    await shoot('card-locked');
    expect(audited).toHaveLength(9);
  });
});
