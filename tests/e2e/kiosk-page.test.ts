import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTill, type GatewayFixture, saleBody, startGateway } from '../fakes/gateway-fixture.ts';
import { ensureBundle, enterPin, launchChromium, openKiosk, tap } from './page-fixture.ts';

/** Every text node, attribute value and form value of the page (the member must leave no trace). */
const pageTrace = (page: Page): Promise<string> =>
  page.evaluate(`(() => {
    const parts = [];
    const walk = (node) => {
      if (node.nodeType === 3) parts.push(node.nodeValue);
      if (node.nodeType === 1) {
        for (const a of node.attributes) parts.push(a.value);
        if ('value' in node) parts.push(String(node.value));
        if (node.shadowRoot) walk(node.shadowRoot);
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(document.documentElement);
    return parts.join('\\n');
  })()`);

describe('kiosk page in Chromium (docs/protocol.md §1 Kiosk)', () => {
  let fx: GatewayFixture;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    await ensureBundle();
    fx = await startGateway({ readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 50 }] });
    port = fx.gateway.ports.http;
    // Aram (hy, 5 400 points) buys for 100 000 AMD: silver, so the coffee voucher is his to take.
    const till = await connectTill(fx.url);
    await till.request('sale', saleBody('04A1B2C3D4E5F6', [{ sku: 'TV', qty: 1, unitPrice: 10_000_000 }]));
    await till.close();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('tap → member home with the right balance, in the member’s language', async () => {
    const page = await openKiosk(browser, port, '?lang=hy');
    expect(await page.locator('h1').textContent()).toBe('Մոտեցրեք ձեր քարտը');
    await tap(port, '1B2C3D4E'); // Emma, en, 800 points
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('800');
    expect(await page.locator('[data-testid="member-name"]').textContent()).toContain('Emma W.');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.context().close();
  });

  it('redeems a voucher reward with the right PIN: points drop, the code shows as text and QR', async () => {
    const page = await openKiosk(browser, port);
    await tap(port, '04A1B2C3D4E5F6');
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('6450'); // CLDR hy: no grouping below 5 digits
    await page.locator('[data-testid="go-rewards"]').click();
    await page.locator('[data-reward="coffee"] button').click();
    await enterPin(page, '2345');
    const code = page.locator('[data-testid="voucher-code"]');
    await code.waitFor();
    expect(await code.textContent()).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(await page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await page.locator('[data-testid="new-points"]').textContent()).toBe('6150 միավոր');
    expect(fx.gateway.ledger.rewardStockLeft('coffee')).toBe(99);
    await page.locator('[data-testid="done"]').click();
    await page.locator('[data-screen="attract"]').waitFor();
    await page.context().close();
  });

  it('wrong PINs: “wrong PIN” first, then the card-locked screen', async () => {
    const page = await openKiosk(browser, port);
    await tap(port, '0A1B2C3D'); // Sara, fa, PIN 3456
    await page.locator('[data-screen="home"]').waitFor();
    expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
    await page.locator('[data-testid="go-rewards"]').click();
    await page.locator('[data-reward="wallet-1000"] button').click();
    await enterPin(page, '0000');
    await page.locator('[data-testid="pin-error"]').waitFor();
    for (let i = 0; i < 5 && (await page.locator('[data-refusal="CARD_LOCKED"]').count()) === 0; i++) {
      await page
        .locator('[data-testid="pin-ok"]')
        .or(page.locator('[data-refusal="CARD_LOCKED"]'))
        .first()
        .waitFor();
      if ((await page.locator('[data-refusal="CARD_LOCKED"]').count()) > 0) break;
      await enterPin(page, '0000');
      await page.waitForFunction(
        `document.querySelector('[data-refusal="CARD_LOCKED"]') || !document.querySelector('.pin-grid button[disabled][data-key]')`,
      );
    }
    await page.locator('[data-refusal="CARD_LOCKED"]').waitFor();
    expect(await pageTrace(page)).not.toContain('Sara');
    await page.context().close();
  });

  it('idle timeout: a warning that lets the customer stay, then attract with no member trace', async () => {
    const page = await openKiosk(browser, port, '?idle=1&warn=2');
    await tap(port, '04DEAD00BEEF42'); // Нина, ru, 2 600 points, 250 AMD
    await page.locator('[data-screen="home"]').waitFor();
    await page.locator('[data-testid="idle-warning"]').waitFor();
    await page.locator('[data-testid="stay"]').click();
    await page.locator('[data-testid="idle-warning"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-screen="home"]').count()).toBe(1);
    await page.locator('[data-screen="attract"]').waitFor({ timeout: 10_000 });
    const trace = await pageTrace(page);
    for (const secret of ['Нина', 'Иванова', '2 600', '2600', '250', 'M-1006', 'Бронза'])
      expect(trace).not.toContain(secret);
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
    await page.context().close();
  });

  it('switching to Persian sets dir=rtl and mirrors the layout', async () => {
    const page = await openKiosk(browser, port);
    await tap(port, '04C0FFEE112233'); // Dariush, fa
    await page.locator('[data-screen="home"]').waitFor();
    await page.locator('[data-lang="en"]').click();
    expect(await page.evaluate('document.documentElement.dir')).toBe('ltr');
    const ltr = await page.locator('[data-testid="balance-points"]').boundingBox();
    const ltrName = await page.locator('[data-testid="member-name"]').boundingBox();
    await page.locator('[data-lang="fa"]').click();
    expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
    expect(await page.evaluate('document.documentElement.lang')).toBe('fa');
    const rtl = await page.locator('[data-testid="balance-points"]').boundingBox();
    const rtlName = await page.locator('[data-testid="member-name"]').boundingBox();
    if (!ltr || !rtl || !ltrName || !rtlName) throw new Error('no layout');
    // The balances panel moves from the right edge to the left edge, the greeting the other way.
    expect(ltr.x).toBeGreaterThan(400);
    expect(rtl.x + rtl.width).toBeLessThan(400);
    expect(Math.abs(ltr.x - (800 - rtl.x - rtl.width))).toBeLessThan(2);
    expect(rtlName.x + rtlName.width).toBeGreaterThan(ltrName.x + ltrName.width);
    // Persian digits from Intl (fa-IR): 21 000 → ۲۱٬۰۰۰.
    expect(await page.locator('[data-testid="points-value"]').textContent()).toBe('۲۱٬۰۰۰');
    await page.context().close();
  });

  it('converts points to the wallet with the PIN, and the history shows it', async () => {
    const page = await openKiosk(browser, port);
    await tap(port, '1B2C3D4E'); // Emma, en, 800 points, PIN 5678
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('800');
    await page.locator('[data-testid="go-convert"]').click();
    await page.locator('[data-points="100"]').click();
    await enterPin(page, '5678');
    await page.locator('[data-testid="converted"]').waitFor();
    expect(await page.locator('[data-testid="new-points"]').textContent()).toBe('700 points');
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator('[data-testid="go-history"]').click();
    await page.locator('.history-table').waitFor();
    const rows = await page.locator('.history-table tr').allTextContents();
    expect(rows[0]).toContain('Points to wallet');
    expect(rows[0]).toContain('-100');
    await page.context().close();
  });

  it('unknown card shows its own screen', async () => {
    const page = await openKiosk(browser, port, '?lang=ru');
    await tap(port, 'ABCDEF0123');
    await page.locator('[data-screen="unknown-card"]').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Эта карта нам незнакома');
    await page.context().close();
  });
});
