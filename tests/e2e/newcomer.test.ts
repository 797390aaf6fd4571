/**
 * A newcomer's first hour (README "Set up"): a clone of this repository in an empty folder,
 * README's run command as written, and every URL it prints fetched; then `loyalty-edge demo`
 * (docs/demo.md) with a till sale at one store seen at the other.
 *
 * The clone is of this checkout's HEAD (CI tests a clean clone of main, so the same tree).
 * Its node_modules starts as hard links to this checkout's, so `npm install` in README's
 * command finds everything installed instead of building the native modules again; the
 * kiosk page is not in a clone (it is built), so `start` builds it, as on a fresh machine.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTill, saleBody } from '../fakes/gateway-fixture.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = makeTempDir('le-newcomer-');
const clone = join(dir.path, 'loyalty-edge');

/** The command of README's "Run it" block, as a newcomer copies it. */
const readmeRunCommand = (): string => {
  const readme = readFileSync(join(clone, 'README.md'), 'utf8');
  const block = /\*\*Run it\*\*[\s\S]*?```sh\n(.+)\n```/.exec(readme);
  if (!block?.[1]) throw new Error('README has no "Run it" command');
  return block[1];
};

interface Running {
  child: ChildProcess;
  output: () => string;
  /**
   * Ctrl+C, as a terminal sends it: SIGINT to the whole process group. Resolves once every
   * process of the group is gone (npx itself may end by the signal; what it runs stops
   * cleanly, as its output says); false when something is still running 20 s later.
   */
  interrupt: () => Promise<boolean>;
}

/** Runs `command` in the clone through bash, until its output matches `ready`. */
const runUntil = (command: string, ready: RegExp, timeoutMs: number): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: clone,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_prefer_offline: 'true',
      },
    });
    let out = '';
    const groupAlive = (): boolean => {
      try {
        process.kill(-child.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    const running: Running = {
      child,
      output: () => out,
      interrupt: async () => {
        process.kill(-child.pid!, 'SIGINT');
        const deadline = Date.now() + 20_000;
        while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (!groupAlive()) return true;
        process.kill(-child.pid!, 'SIGKILL');
        return false;
      },
    };
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`not ready in ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(running);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${out}`));
    });
  });

/** Every http URL the output prints, without a trailing punctuation mark. */
const printedUrls = (out: string): string[] => [
  ...new Set([...out.matchAll(/https?:\/\/[^\s)'"]+/g)].map((m) => m[0].replace(/[.,;:]$/, ''))),
];

/** The kiosk page and the script it loads both answer 200. */
const expectKioskPage = async (url: string): Promise<void> => {
  const res = await fetch(url);
  const html = await res.text();
  expect({ url, status: res.status }).toEqual({ url, status: 200 });
  expect(html).toContain('<lg-app>');
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  expect((await fetch(new URL(script!, url))).status).toBe(200);
};

beforeAll(() => {
  execFileSync('git', ['clone', '--quiet', ROOT, clone]);
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(clone, 'node_modules')]);
  expect(existsSync(join(clone, 'kiosk-ui', 'dist'))).toBe(false);
}, 120_000);
afterAll(() => dir.remove());

describe("a newcomer's clone", () => {
  it("README's run command starts the demo store, and every URL it prints answers", async () => {
    const run = await runUntil(readmeRunCommand(), /Stop with Ctrl\+C/, 240_000);
    try {
      const out = run.output();
      const urls = printedUrls(out);
      const kiosks = urls.filter((u) => u.includes('/kiosk/'));
      expect(kiosks.length).toBeGreaterThan(0);
      for (const url of kiosks) await expectKioskPage(url);
      for (const url of urls.filter((u) => !u.includes('/kiosk/')))
        expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });
      expect(out).toMatch(/kiosk: page built in/);
    } finally {
      expect(await run.interrupt()).toBe(true);
    }
    expect(run.output()).toContain('SIGINT: stopping');
  }, 300_000);

  it('`loyalty-edge demo` runs head office and two stores: a sale at store A shows in the balance at store B', async () => {
    const run = await runUntil('npx loyalty-edge demo', /Stop with Ctrl\+C/, 120_000);
    try {
      const out = run.output();
      const stores = [...out.matchAll(/MQTT\s+(mqtt:\/\/127\.0\.0\.1:\d+)\s+till (\S+) \/ (\S+)/g)].map(
        (m) => ({
          url: m[1]!,
          till: m[2]!,
          secret: m[3]!,
        }),
      );
      expect(stores).toHaveLength(2);
      const urls = printedUrls(out);
      const kiosks = urls.filter((u) => u.includes('/kiosk/'));
      expect(kiosks).toHaveLength(2);
      for (const url of kiosks) await expectKioskPage(url);
      for (const url of urls.filter((u) => !u.includes('/kiosk/')))
        expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });

      // 0A1B2C3D is the demo card the simulated tills leave alone.
      const [a, b] = stores;
      const tillA = await connectTill(a!.url, a!.till, a!.secret);
      const tillB = await connectTill(b!.url, b!.till, b!.secret);
      try {
        const before = (await tillB.request('identify', { card: { uid: '0A1B2C3D' } })) as {
          balances: { points: number };
        };
        const sale = (await tillA.request(
          'sale',
          saleBody('0A1B2C3D', [{ sku: 'VIT-C-500', productGroup: 'vitamins', qty: 2, unitPrice: 250_000 }]),
        )) as { ok: boolean; earned: { points: number }; balances: { points: number } };
        expect(sale).toMatchObject({ ok: true });
        expect(sale.earned.points).toBeGreaterThan(0);
        // Store A's sale goes up to head office and down to store B (the demo syncs every 2 s).
        const deadline = Date.now() + 60_000;
        let seen = before.balances.points;
        while (seen !== before.balances.points + sale.earned.points && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500));
          const r = (await tillB.request('identify', { card: { uid: '0A1B2C3D' } })) as {
            balances: { points: number };
          };
          seen = r.balances.points;
        }
        expect(seen).toBe(before.balances.points + sale.earned.points);
        expect(seen).toBe(sale.balances.points);
      } finally {
        await tillA.close();
        await tillB.close();
      }
    } finally {
      expect(await run.interrupt()).toBe(true);
    }
    expect(run.output()).toContain('demo: stopped');
  }, 300_000);
});
