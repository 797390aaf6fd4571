/**
 * A chain store's kiosk (docs/sync.md "The balance a store shows"): the balance is the
 * member's across all stores, and a line under it says how much of it this store can spend
 * (`balances.spendableHere`). A standalone member shows no such line.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChangesPage } from '../../gateway/src/ledger/sync-store.ts';
import { type GatewayFixture, startGateway } from '../fakes/gateway-fixture.ts';
import { balancesPage } from '../gateway/sync/store-fixture.ts';
import { AUDIT, ensureBundle, launchChromium, openKiosk, tap } from './page-fixture.ts';

const line = (page: Page) => page.locator('[data-testid="spendable-here"]');

describe('kiosk in a chain store: what this store can spend', () => {
  let fx: GatewayFixture;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    await ensureBundle();
    fx = await startGateway({ readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 50 }] });
    port = fx.gateway.ports.http;
    const ledger = fx.gateway.ledger;
    const local = (member: string) => ({
      points: ledger.balance({ member }, 'points'),
      credit: ledger.balance({ member }, 'credit'),
    });
    const emma = local('M-1005'); // en, 800 points, no credit
    const dariush = local('M-1004'); // fa, 21 000 points, 5 000 AMD
    // Head office has seen every entry of this store; Emma earned 700 points at other
    // stores, Dariush 700 points and 25 AMD of credit. Нина (M-1006) has no hq balance.
    const page = balancesPage(1, [
      {
        memberId: 'M-1005',
        points: emma.points + 700,
        credit: emma.credit,
        tier: null,
        includesDeviceSeq: ledger.lastSeq(),
      },
      {
        memberId: 'M-1004',
        points: dariush.points + 700,
        credit: dariush.credit + 2_500,
        tier: null,
        includesDeviceSeq: ledger.lastSeq(),
      },
    ]);
    applyChangesPage(ledger.db, page, 0, new Date().toISOString());
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('shows the chain balance and, under it, the points this store can spend, in every language', async () => {
    const page = await openKiosk(browser, port);
    await page.addStyleTag({ content: '*{animation:none!important;transition:none!important}' });
    await tap(port, '1B2C3D4E'); // Emma, en: 800 points here, 1 500 in the chain
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('1,500');
    expect(await line(page).textContent()).toBe('Of these, 800 points can be used in this store');
    // Text, not only colour: a muted paragraph on the page background (a pair theme-contrast.ts checks).
    const colours = await page.evaluate<string[]>(`(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--muted)';
      document.body.append(probe);
      const muted = getComputedStyle(probe).color;
      probe.remove();
      const el = document.querySelector('[data-testid="spendable-here"]');
      return [getComputedStyle(el).color, muted, getComputedStyle(el.parentElement).backgroundColor];
    })()`);
    expect(colours[0]).toBe(colours[1]);
    expect(colours[2]).toBe('rgba(0, 0, 0, 0)'); // on --bg, not on a surface
    expect(await page.evaluate<string[]>(AUDIT)).toEqual([]);
    const expected = {
      hy: 'Դրանցից այս խանութում կարող եք օգտագործել 800 միավոր',
      fa: 'از این میان، ۸۰۰ امتیاز در این فروشگاه قابل استفاده است',
      ru: 'Из них в этом магазине можно потратить 800 баллов',
      en: 'Of these, 800 points can be used in this store',
    };
    for (const [lang, text] of Object.entries(expected)) {
      await page.locator(`[data-lang="${lang}"]`).click();
      await page.waitForFunction(`document.documentElement.lang === '${lang}'`);
      expect(await line(page).textContent()).toBe(text);
      expect(await page.evaluate('document.documentElement.dir')).toBe(lang === 'fa' ? 'rtl' : 'ltr');
    }
    // Conversion offers only what this store holds (its largest choice is 800, not 1 500).
    await page.locator('[data-testid="go-convert"]').click();
    const choices = await page
      .locator('[data-points]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-points')));
    expect(choices.at(-1)).toBe('800');
    await page.context().close();
  });

  it('Persian: Persian digits, the credit this store can spend too, and the page stays rtl', async () => {
    const page = await openKiosk(browser, port);
    await tap(port, '04C0FFEE112233'); // Dariush, fa: 21 000 points and 5 000 AMD here
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('۲۱٬۷۰۰');
    expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
    expect(await page.locator('[data-testid="credit-value"]').textContent()).toContain('۵٬۰۲۵');
    const text = (await line(page).textContent()) ?? '';
    expect(text).toMatch(/^از این میان، ۲۱٬۰۰۰ امتیاز و .*۵٬۰۰۰.* در این فروشگاه قابل استفاده است$/);
    expect(text).not.toMatch(/[0-9]/);
    // Mirrored with the balances: the line sits in the left-hand column.
    const box = await line(page).boundingBox();
    if (!box) throw new Error('no layout');
    expect(box.x + box.width).toBeLessThan(400);
    await page.context().close();
  });

  it('a member with no balance elsewhere (standalone figures) shows no such line', async () => {
    const page = await openKiosk(browser, port);
    await tap(port, '04DEAD00BEEF42'); // Нина, ru, 2 600 points
    await page.locator('[data-screen="home"]').waitFor();
    expect(await page.locator('[data-testid="points-value"]').textContent()).toMatch(/^2\s?600$/);
    expect(await line(page).count()).toBe(0);
    await page.context().close();
  });
});
