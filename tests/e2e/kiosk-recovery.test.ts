import type { Duplex } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../gateway/src/config/load.ts';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import type { Program } from '../../gateway/src/program/schema.ts';
import { loadDemoProgram, seedDemoMembers, testConfigValue } from '../fakes/gateway-fixture.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { ensureBundle, launchChromium, openKiosk, tap } from './page-fixture.ts';

describe('kiosk page recovers by itself', () => {
  const dir = makeTempDir('le-kiosk-');
  let program: Program;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let port: number;

  const upgraded = new Set<Duplex>();
  const boot = async (httpPort: number): Promise<Gateway> => {
    const value = testConfigValue(dir.path, {
      http: { port: httpPort, host: '127.0.0.1' },
      readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 50 }],
    });
    const g = new Gateway({ config: validateConfig(value, dir.path, null), program, logger: silentLogger });
    g.http.httpServer.on('upgrade', (_req: unknown, socket: Duplex) => upgraded.add(socket));
    await g.start();
    return g;
  };

  beforeAll(async () => {
    await ensureBundle();
    program = await loadDemoProgram();
    gateway = await boot(0);
    await seedDemoMembers(gateway, program);
    port = gateway.ports.http;
    browser = await launchChromium();
    page = await openKiosk(browser, port, '?lang=en');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    dir.remove();
  });

  it('gateway restarted while the page is open: offline banner meanwhile, then taps work again', async () => {
    // Gateway.stop() waits for the HTTP server, which waits for open WebSocket connections
    // that only the broker (stopped after it) would close; drop them as a power cut would.
    const cut = setInterval(() => {
      for (const socket of upgraded) socket.destroy();
    }, 50);
    await gateway.stop().finally(() => clearInterval(cut));
    upgraded.clear();
    await page.locator('[data-testid="gateway-offline"]').waitFor({ timeout: 10_000 });
    gateway = await boot(port);
    await page.locator('[data-testid="gateway-offline"]').waitFor({ state: 'detached', timeout: 15_000 });
    await tap(port, '1B2C3D4E');
    await expect.poll(() => page.locator('[data-testid="points-value"]').textContent()).toBe('800');
  });

  it('reader offline: a banner says so (reader state topic)', async () => {
    expect(await page.locator('[data-testid="reader-offline"]').count()).toBe(0);
    gateway.readers.simulated('reader-1')?.unplug(1_000);
    await page.locator('[data-testid="reader-offline"]').waitFor({ timeout: 10_000 });
  });
});
